// containerd driving the runtime through its runc shim (io.containerd.runc.v2, what Kubernetes
// nodes use) with `ctr run --runc-binary`: run, exec, kill, delete, and a task that outlives
// ctr. The test starts a containerd of its own (--root, --state, --address and a config in
// the test's directory, the CRI plugin off), imports a busybox image from an OCI archive it
// writes (no registry is reachable), and stops containerd at the end.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "engine_fixture.hpp"

using namespace ct::oci::test;
using namespace std::chrono_literals;

namespace {

const char kImage[] = "localhost/ct-oci-busybox:test";
const char kNamespace[] = "ct-oci-test";

std::string sha256_of(const std::string &path) {
    Result r = run({"sha256sum", path});
    return r.code == 0 ? r.out.substr(0, 64) : "";
}

// An OCI image layout with one uncompressed layer (the busybox rootfs), archived: what
// `ctr images import` reads.
std::string write_oci_archive(const std::string &dir, const std::string &layer_tar) {
    namespace fs = std::filesystem;
    std::string layout = dir + "/oci-layout-dir", blobs = layout + "/blobs/sha256";
    fs::create_directories(blobs);
    std::string layer = sha256_of(layer_tar);
    auto layer_size = fs::file_size(layer_tar);
    fs::copy_file(layer_tar, blobs + "/" + layer);
    auto blob = [&](const json &j) {
        std::string text = j.dump(), tmp = dir + "/blob.tmp";
        write_file(tmp, text);
        std::string digest = sha256_of(tmp);
        fs::rename(tmp, blobs + "/" + digest);
        return std::make_pair(digest, text.size());
    };
    auto [config, config_size] =
        blob({{"architecture", "amd64"},
              {"os", "linux"},
              {"config", {{"Env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}}}},
              {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + layer}}}}});
    auto [manifest, manifest_size] =
        blob({{"schemaVersion", 2},
              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
              {"config",
               {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                {"digest", "sha256:" + config},
                {"size", config_size}}},
              {"layers",
               {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                 {"digest", "sha256:" + layer},
                 {"size", layer_size}}}}});
    write_file(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    json index = {{"schemaVersion", 2},
                  {"manifests",
                   {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                     {"digest", "sha256:" + manifest},
                     {"size", manifest_size},
                     {"annotations", {{"io.containerd.image.name", kImage}}}}}}};
    write_file(layout + "/index.json", index.dump());
    std::string archive = dir + "/image.oci.tar";
    Result r = run({"tar", "-C", layout, "-cf", archive, "."});
    return r.code == 0 ? archive : "";
}

class Containerd : public EngineTest {
  protected:
    void SetUp() override {
        SetUpEngine("ctrd", {"containerd", "ctr", "containerd-shim-runc-v2"}, "containerd");
        if (IsSkipped() || HasFatalFailure()) return;
        socket_ = dir_ + "/containerd.sock";
        write_file(dir_ + "/config.toml",
                   "version = 2\n"
                   "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n");
        std::vector<std::string> argv = {"containerd",    "--config",     dir_ + "/config.toml",
                                         "--root",        dir_ + "/root", "--state",
                                         dir_ + "/state", "--address",    socket_,
                                         "--log-level",   "warn"};
        std::vector<std::string> env = engine_env();
        daemon_ = spawn_daemon(argv, dir_ + "/containerd.log", env);
        ASSERT_GT(daemon_, 0);
        ASSERT_TRUE(eventually([&] { return ctr({"version"}).code == 0; }, 30s))
            << read_file(dir_ + "/containerd.log");
        Result i = ctr({"images", "import", "--snapshotter", "native",
                        write_oci_archive(dir_, rootfs_tarball())},
                       120s);
        ASSERT_EQ(i.code, 0) << i.text();
    }

    void TearDown() override {
        if (daemon_ > 0) {
            // Tasks and containers of the test first (the shims exit with their tasks).
            Result tasks = ctr({"tasks", "list", "--quiet"});
            std::istringstream in(tasks.out);
            for (std::string id; std::getline(in, id);) {
                ctr({"tasks", "kill", "--signal", "SIGKILL", id});
                eventually([&] { return ctr({"tasks", "delete", id}).code == 0; }, 10s);
            }
            Result cs = ctr({"containers", "list", "--quiet"});
            std::istringstream cin(cs.out);
            for (std::string id; std::getline(cin, id);) ctr({"containers", "delete", id});
            ::kill(daemon_, SIGTERM);
            int st;
            ::waitpid(daemon_, &st, 0);
        }
        TearDownEngine();
    }

    static pid_t spawn_daemon(const std::vector<std::string> &argv, const std::string &log,
                              const std::vector<std::string> &env) {
        pid_t pid = ::fork();
        if (pid != 0) return pid;
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        for (const auto &e : env) ::putenv(const_cast<char *>(e.c_str()));
        std::vector<char *> a;
        for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
        a.push_back(nullptr);
        ::execvp(a[0], a.data());
        ::_exit(127);
    }

    // ctr on the test's containerd, then `args`.
    std::vector<std::string> ctr_argv(const std::vector<std::string> &args) const {
        std::vector<std::string> argv = {"ctr", "--address", socket_, "--namespace", kNamespace};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    Result ctr(std::vector<std::string> args, std::chrono::seconds timeout = 60s) {
        return run(ctr_argv(args), "", timeout, engine_env());
    }

    // The arguments of ctr run with the runc shim pointed at the runtime under test.
    std::vector<std::string> run_args(const std::string &id,
                                      const std::vector<std::string> &options,
                                      const std::vector<std::string> &command) const {
        std::vector<std::string> args = {
            "run",    "--runtime",   "io.containerd.runc.v2",        "--runc-binary",
            runtime_, "--runc-root", dir_ + "/runtime-root",         "--snapshotter",
            "native", "--cgroup",    "/" + cgroup_parent_ + "/" + id};
        args.insert(args.end(), options.begin(), options.end());
        args.push_back(kImage);
        args.push_back(id);
        args.insert(args.end(), command.begin(), command.end());
        return args;
    }
    Result ctr_run(const std::string &id, const std::vector<std::string> &options,
                   const std::vector<std::string> &command) {
        return ctr(run_args(id, options, command));
    }

    std::string task_status(const std::string &id) {
        Result r = ctr({"tasks", "list"});
        std::istringstream in(r.out);
        for (std::string line; std::getline(in, line);) {
            std::istringstream f(line);
            std::string tid, pid, status;
            f >> tid >> pid >> status;
            if (tid == id) return status;
        }
        return "";
    }

    void expect_no_containers() {
        EXPECT_EQ(ctr({"containers", "list", "--quiet"}).out, "") << "containers left";
        EXPECT_EQ(ctr({"tasks", "list", "--quiet"}).out, "") << "tasks left";
        expect_nothing_left();
    }

    std::string socket_;
    pid_t daemon_ = -1;
};

TEST_P(Containerd, RunRm) {
    std::string id = tag_ + "-rm";
    Result r = ctr_run(id, {"--rm"}, {"/bin/sh", "-c", "echo hello from containerd; exit 5"});
    EXPECT_EQ(r.code, 5) << r.text();
    EXPECT_EQ(r.out, "hello from containerd\n") << r.text();
    expect_no_containers();
}

TEST_P(Containerd, DetachedTaskOutlivesCtrWithExecKillDelete) {
    std::string id = tag_ + "-d";
    Result d = ctr_run(id, {"--detach"}, {"/bin/sh", "-c", "echo up > /tmp/up; exec sleep 1000"});
    ASSERT_EQ(d.code, 0) << d.text();
    // ctr has exited; the task runs on under its shim.
    EXPECT_TRUE(eventually([&] { return task_status(id) == "RUNNING"; })) << task_status(id);
    Result e = ctr({"tasks", "exec", "--exec-id", "e1", id, "/bin/sh", "-c",
                    "cat /tmp/up; echo exec-ok; exit 6"});
    EXPECT_EQ(e.code, 6) << e.text();
    EXPECT_EQ(e.out, "up\nexec-ok\n") << e.text();
    Result p = ctr({"tasks", "pause", id});
    EXPECT_EQ(p.code, 0) << p.text();
    EXPECT_EQ(task_status(id), "PAUSED");
    EXPECT_EQ(ctr({"tasks", "resume", id}).code, 0);
    EXPECT_EQ(task_status(id), "RUNNING");
    Result k = ctr({"tasks", "kill", "--signal", "SIGKILL", id});
    EXPECT_EQ(k.code, 0) << k.text();
    EXPECT_TRUE(eventually([&] { return task_status(id) == "STOPPED"; })) << task_status(id);
    Result td = ctr({"tasks", "delete", id});
    EXPECT_EQ(td.code, 0) << td.text();
    Result cd = ctr({"containers", "delete", id});
    EXPECT_EQ(cd.code, 0) << cd.text();
    expect_no_containers();
}

// ctr run -t: the shim's console socket, and ctr's terminal (script(1) gives it one) attached
// to the container's.
TEST_P(Containerd, RunWithATerminal) {
    std::string id = tag_ + "-t";
    Result r =
        on_a_terminal(ctr_argv(run_args(id, {"-t", "--rm"},
                                        {"/bin/sh", "-c", "sleep 0.5; tty; echo tty-ok; exit 4"})),
                      engine_env());
    EXPECT_EQ(r.code, 4) << r.text();
    EXPECT_NE(r.out.find("/dev/pts/0"), std::string::npos) << r.text();
    EXPECT_NE(r.out.find("tty-ok"), std::string::npos) << r.text();
    expect_no_containers();
}

// The task checkpointed into containerd's content store (`ctr containers checkpoint --task`,
// the shim's `checkpoint`), the container removed, and brought back from that image as a new
// container and task (`ctr containers restore --live`: the shim's `restore` with the bundle
// containerd writes anew). The counter goes on from where it was. (runc passes here too: the
// shim inherits the test's PATH, which puts a working CRIU first; conmon gives Podman's runc a
// PATH of its own.)
TEST_P(Containerd, CheckpointIntoTheContentStoreAndRestore) {
    if (std::string why = criu_unusable(); !why.empty()) GTEST_SKIP() << why;
    std::string id = tag_ + "-ck", ref = "localhost/" + tag_ + "-ck:checkpoint";
    Result d = ctr_run(
        id, {"--detach"},
        {"/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done"});
    ASSERT_EQ(d.code, 0) << d.text();
    int execs = 0;
    auto ticks = [&] {
        std::string t =
            ctr({"tasks", "exec", "--exec-id", "n" + std::to_string(++execs), id, "cat", "/tmp/n"})
                .out;
        return t.empty() ? -1L : std::stol(t);
    };
    // Far enough that a fresh start (1, 2, ...) cannot pass for the restored counter.
    ASSERT_TRUE(eventually([&] { return ticks() > 10; }));
    long before = ticks();
    Result cp = ctr({"containers", "checkpoint", "--task", "--rw", id, ref}, 120s);
    // runc runs CRIU as it is, and CRIU 4 raises its own RLIMIT_NOFILE, which a host without
    // CAP_SYS_RESOURCE refuses; runc names CRIU's log instead of quoting it.
    if (cp.code != 0 && GetParam() == "runc")
        if (auto at = cp.err.find("log file: "); at != std::string::npos)
            if (read_file(cp.err.substr(at + 10, cp.err.find_first_of("\"\\\n", at) - at - 10))
                    .find("Can't setup RLIMIT_NOFILE") != std::string::npos)
                GTEST_SKIP() << "runc's CRIU cannot raise RLIMIT_NOFILE here: " << cp.err;
    ASSERT_EQ(cp.code, 0) << cp.text();
    // The dump leaves the task running (no --exit): it goes before the restore.
    ctr({"tasks", "kill", "--signal", "SIGKILL", id});
    ASSERT_TRUE(eventually([&] { return task_status(id) == "STOPPED"; })) << task_status(id);
    ASSERT_EQ(ctr({"tasks", "delete", id}).code, 0);
    ASSERT_EQ(ctr({"containers", "delete", id}).code, 0);
    Result rs = ctr({"containers", "restore", "--live", "--rw", id, ref}, 120s);
    ASSERT_EQ(rs.code, 0) << rs.text();
    EXPECT_TRUE(eventually([&] { return task_status(id) == "RUNNING"; })) << task_status(id);
    long t = ticks();
    EXPECT_GE(t, before) << "restarted, not restored";
    EXPECT_LT(t, before + 40) << "not the checkpoint's counter";
    EXPECT_TRUE(eventually([&] { return ticks() > t + 2; })) << "not counting after the restore";
    ctr({"tasks", "kill", "--signal", "SIGKILL", id});
    EXPECT_TRUE(eventually([&] { return task_status(id) == "STOPPED"; })) << task_status(id);
    EXPECT_EQ(ctr({"tasks", "delete", id}).code, 0);
    EXPECT_EQ(ctr({"containers", "delete", id}).code, 0);
    ctr({"images", "remove", ref});
    expect_no_containers();
}

INSTANTIATE_TEST_SUITE_P(Runtimes, Containerd, ::testing::Values("ct-oci", "runc"),
                         engine_param_name);

}  // namespace
