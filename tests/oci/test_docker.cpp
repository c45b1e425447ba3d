// Docker driving the runtime: a dockerd of the test's own (`--add-runtime ct=<runtime>`, its own
// data-root, exec-root, pidfile and socket, no iptables, no bridge, vfs storage, cgroupfs
// below the test's cgroup parent) and `docker run --runtime ct`. The image is the busybox
// rootfs imported with `docker import` (no registry is reachable).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "engine_fixture.hpp"

using namespace ct::oci::test;
using namespace std::chrono_literals;

namespace {

const char kImage[] = "ct-oci-busybox:test";

class Docker : public EngineTest {
  protected:
    void SetUp() override {
        SetUpEngine("docker", {"dockerd", "docker"}, "docker.io");
        if (IsSkipped() || HasFatalFailure()) return;
        socket_ = "unix://" + dir_ + "/docker.sock";
        write_file(dir_ + "/daemon.json", "{}");
        std::vector<std::string> argv = {"dockerd",
                                         "--config-file",
                                         dir_ + "/daemon.json",
                                         "--data-root",
                                         dir_ + "/data",
                                         "--exec-root",
                                         dir_ + "/exec",
                                         "--pidfile",
                                         dir_ + "/dockerd.pid",
                                         "--host",
                                         socket_,
                                         "--iptables=false",
                                         "--ip6tables=false",
                                         "--ip-masq=false",
                                         "--bridge=none",
                                         "--storage-driver",
                                         "vfs",
                                         "--exec-opt",
                                         "native.cgroupdriver=cgroupfs",
                                         "--cgroup-parent",
                                         "/" + cgroup_parent_,
                                         "--add-runtime",
                                         "ct=" + runtime_,
                                         "--default-runtime",  // docker build's containers
                                         "ct",
                                         "--experimental",  // docker checkpoint
                                         "--default-ulimit",
                                         "nofile=1024:1024",
                                         "--default-ulimit",
                                         "nproc=1024:1024"};
        daemon_ = ::fork();
        if (daemon_ == 0) {
            int fd = ::open((dir_ + "/dockerd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            for (const auto &e : engine_env()) ::putenv(::strdup(e.c_str()));
            std::vector<char *> a;
            for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
            a.push_back(nullptr);
            ::execvp(a[0], a.data());
            ::_exit(127);
        }
        ASSERT_GT(daemon_, 0);
        bool up = eventually(
            [&] {
                int st;
                if (::waitpid(daemon_, &st, WNOHANG) == daemon_) {
                    daemon_ = -1;
                    return true;
                }
                return docker({"version"}).code == 0;
            },
            60s);
        // dockerd that cannot run on this machine: the test shows why (its log) and skips.
        if (daemon_ < 0 || !up)
            GTEST_SKIP() << "dockerd does not start on this machine:\n"
                         << read_file(dir_ + "/dockerd.log");
        Result i = docker({"import", rootfs_tarball(), kImage}, 120s);
        ASSERT_EQ(i.code, 0) << i.text();
    }

    void TearDown() override {
        if (daemon_ > 0) {
            Result ps = docker({"ps", "--all", "--quiet"});
            std::istringstream in(ps.out);
            for (std::string id; std::getline(in, id);) docker({"rm", "--force", id});
            ::kill(daemon_, SIGTERM);
            int st;
            ::waitpid(daemon_, &st, 0);
        }
        TearDownEngine();
    }

    // docker.io's client (another docker may come first in PATH) on the test's dockerd.
    std::vector<std::string> docker_argv(const std::vector<std::string> &args) const {
        std::vector<std::string> argv = {
            ::access("/usr/bin/docker", X_OK) == 0 ? "/usr/bin/docker" : "docker", "--host",
            socket_};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    Result docker(std::vector<std::string> args, std::chrono::seconds timeout = 60s) {
        return run(docker_argv(args), "", timeout, engine_env());
    }
    // `docker run` of the image with the runtime under test and no network: `options`, then
    // the image and `command`.
    Result docker_run(std::vector<std::string> options, const std::vector<std::string> &command,
                      std::chrono::seconds timeout = 60s) {
        std::vector<std::string> args = {"run", "--runtime", "ct", "--network", "none"};
        args.insert(args.end(), options.begin(), options.end());
        args.push_back(kImage);
        args.insert(args.end(), command.begin(), command.end());
        return docker(args, timeout);
    }

    std::string socket_;
    pid_t daemon_ = -1;
};

TEST_P(Docker, RunWithTheAddedRuntime) {
    Result r = docker_run({"--rm"}, {"/bin/sh", "-c", "echo hello from docker; exit 9"});
    EXPECT_EQ(r.code, 9) << r.text() << "\ndockerd:\n" << read_file(dir_ + "/dockerd.log");
    EXPECT_EQ(r.out, "hello from docker\n") << r.text();
    Result d = docker_run({"-d", "--name", tag_}, {"/bin/sleep", "1000"});
    ASSERT_EQ(d.code, 0) << d.text();
    Result e = docker({"exec", tag_, "/bin/sh", "-c", "echo exec-ok"});
    EXPECT_EQ(e.out, "exec-ok\n") << e.text();
    Result rm = docker({"rm", "--force", tag_});
    EXPECT_EQ(rm.code, 0) << rm.text();
    EXPECT_EQ(docker({"ps", "--all", "--quiet"}).out, "");
    expect_nothing_left(dir_ + "/data");
}

// The options users give `docker run` most, each read back inside the container: the same
// figures with ct-oci as with runc.
TEST_P(Docker, RunOptionsReachTheContainer) {
    std::vector<std::string> options = common_run_options();
    for (auto o : {"--rm", "--init", "--device", "/dev/fuse", "--ulimit", "nofile=512:768"})
        options.push_back(o);
    Result r = docker_run(options, {"/bin/sh", "-c",
                                    run_options_probe("ls /etc | wc -l",
                                                      "ulimit -n; ulimit -Hn; ls -l /dev/fuse | "
                                                      "cut -c1; cat /proc/1/comm")});
    EXPECT_EQ(r.code, 0) << r.text() << "\ndockerd:\n" << read_file(dir_ + "/dockerd.log");
    EXPECT_EQ(r.out,
              "h1\nb\n/data\n1000\n1000\nfrom the host\nroot-ro\ndata-ro\n"
              "3\n"  // docker's --tmpfs starts empty: its hostname, hosts, resolv.conf
              "CapEff:\t0000000000000000\nCapBnd:\t0000000000000400\nNoNewPrivs:\t1\n"
              "size=2048k\nsize=1024k\n67108864\n50\n512\n768\nc\ndocker-init\n")
        << r.text();
    EXPECT_EQ(docker({"ps", "--all", "--quiet"}).out, "");
    expect_nothing_left(dir_ + "/data");
}

// What `docker` does to a running container beyond run and exec, each through the runtime:
// pause/unpause (its freezer), top (its ps), stats, update (its update:
// the limit read back from the container's own cgroup), stop (SIGTERM reaching the init's
// trap, the exit code kept), logs, and a start of the stopped container (a new create with
// the same id, after the runtime's delete).
TEST_P(Docker, PauseTopStatsUpdateStopStartAgain) {
    Result d =
        docker_run({"-d", "--name", tag_}, {"/bin/sh", "-c",
                                            "echo started; trap 'echo stopping; exit 3' TERM; "
                                            "while :; do sleep 0.1; done"});
    ASSERT_EQ(d.code, 0) << d.text() << "\ndockerd:\n" << read_file(dir_ + "/dockerd.log");
    auto status = [&] { return docker({"inspect", "--format", "{{.State.Status}}", tag_}).out; };
    EXPECT_EQ(status(), "running\n");

    Result p = docker({"pause", tag_});
    ASSERT_EQ(p.code, 0) << p.text();
    EXPECT_EQ(status(), "paused\n");
    Result u = docker({"unpause", tag_});
    ASSERT_EQ(u.code, 0) << u.text();
    EXPECT_EQ(status(), "running\n");

    Result top = docker({"top", tag_});
    EXPECT_EQ(top.code, 0) << top.text();
    EXPECT_NE(top.out.find("while :"), std::string::npos) << top.text();
    Result st = docker({"stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", tag_});
    EXPECT_EQ(st.code, 0) << st.text();
    // (Its figures are the shim's own reading of the cgroups, not the runtime's: on this
    // hybrid host it reads the cgroup2 tree, which holds only hugetlb, and shows 0B with runc
    // too.)
    EXPECT_EQ(st.out.rfind(tag_ + " ", 0), 0u) << st.text();

    Result up = docker({"update", "--memory", "64m", "--memory-swap", "128m", tag_});
    EXPECT_EQ(up.code, 0) << up.text();
    std::string id = docker({"inspect", "--format", "{{.Id}}", tag_}).out;
    if (!id.empty()) id.pop_back();
    EXPECT_EQ(
        read_file("/sys/fs/cgroup/memory/" + cgroup_parent_ + "/" + id + "/memory.limit_in_bytes"),
        "67108864\n");

    auto t0 = std::chrono::steady_clock::now();
    Result stop = docker({"stop", "--time", "20", tag_});
    EXPECT_EQ(stop.code, 0) << stop.text();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 15s) << "SIGTERM did not reach the trap";
    EXPECT_EQ(status(), "exited\n");
    EXPECT_EQ(docker({"inspect", "--format", "{{.State.ExitCode}}", tag_}).out, "3\n");
    EXPECT_EQ(docker({"logs", tag_}).out, "started\nstopping\n");

    Result again = docker({"start", tag_});
    ASSERT_EQ(again.code, 0) << again.text();
    Result e = docker({"exec", tag_, "/bin/sh", "-c", "echo exec-again"});
    EXPECT_EQ(e.out, "exec-again\n") << e.text();
    Result rm = docker({"rm", "--force", tag_});
    EXPECT_EQ(rm.code, 0) << rm.text();
    EXPECT_EQ(docker({"ps", "--all", "--quiet"}).out, "");
    expect_nothing_left(dir_ + "/data");
}

// docker build (the classic builder, Docker 20.10's default): each RUN step of the Dockerfile is
// a container of the daemon's default runtime, here the one under test. The steps see the
// earlier steps' files, ENV, WORKDIR and USER, and the image they make runs.
TEST_P(Docker, BuildRunsTheDockerfilesStepsThroughTheRuntime) {
    std::string ctx = build_context(kImage);
    std::string image = tag_ + "-built:test";
    EXPECT_EQ(docker({"info", "--format", "{{.DefaultRuntime}}"}).out, "ct\n");
    Result b = run(docker_argv({"build", "--no-cache", "--network", "none", "-t", image, ctx}), "",
                   120s, [&] {
                       auto env = engine_env();
                       env.push_back("DOCKER_BUILDKIT=0");
                       return env;
                   }());
    ASSERT_EQ(b.code, 0) << b.text() << "\ndockerd:\n" << read_file(dir_ + "/dockerd.log");
    expect_build_steps_ran(b);
    Result r = docker({"run", "--rm", "--runtime", "ct", "--network", "none", "--user", "0", image,
                       "/bin/sh", "-c", kBuiltProbe});
    EXPECT_EQ(r.out, kBuiltProbeOut) << r.text();
    EXPECT_EQ(docker({"rmi", image}).code, 0);
    EXPECT_EQ(docker({"ps", "--all", "--quiet"}).out, "");
    expect_nothing_left(dir_ + "/data");
}

// docker run -it and docker exec -it: the runtime's console socket (the shim's), and the
// client's terminal (script(1) gives it one) attached to the container's.
TEST_P(Docker, InteractiveTerminal) {
    Result r = on_a_terminal(
        docker_argv({"run", "-it", "--rm", "--runtime", "ct", "--network", "none", kImage,
                     "/bin/sh", "-c", "sleep 0.5; tty; stty size; echo tty-ok; exit 5"}),
        engine_env());
    EXPECT_EQ(r.code, 5) << r.text();
    EXPECT_NE(r.out.find("/dev/pts/0"), std::string::npos) << r.text();
    EXPECT_NE(r.out.find("tty-ok"), std::string::npos) << r.text();

    // docker exec -it into a detached container: a terminal of the exec's own.
    Result d = docker_run({"-d", "--name", tag_}, {"/bin/sleep", "1000"});
    ASSERT_EQ(d.code, 0) << d.text();
    expect_exec_on_a_terminal(docker_argv({}), tag_, engine_env());
    EXPECT_EQ(docker({"rm", "--force", tag_}).code, 0);
    EXPECT_EQ(docker({"ps", "--all", "--quiet"}).out, "");
    expect_nothing_left(dir_ + "/data");
}

// docker checkpoint (dockerd --experimental): the runtime's checkpoint through containerd's
// shim, then `docker start --checkpoint`, its restore; the container's counter goes on.
TEST_P(Docker, CheckpointAndStartFromIt) {
    if (std::string why = criu_unusable(); !why.empty()) GTEST_SKIP() << why;
    Result d = docker_run(
        {"-d", "--name", tag_},
        {"/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done"});
    ASSERT_EQ(d.code, 0) << d.text();
    auto ticks = [&] {
        std::string t = docker({"exec", tag_, "cat", "/tmp/n"}).out;
        return t.empty() ? -1L : std::stol(t);
    };
    ASSERT_TRUE(eventually([&] { return ticks() > 2; }));
    Result cp = docker({"checkpoint", "create", tag_, "cp1"}, 120s);
    ASSERT_EQ(cp.code, 0) << cp.text() << "\ndockerd:\n" << read_file(dir_ + "/dockerd.log");
    EXPECT_EQ(docker({"inspect", "--format", "{{.State.Status}}", tag_}).out, "exited\n");
    // dockerd uploads the checkpoint to containerd's content store again at start; while
    // containerd's garbage collector has not yet dropped the identical blob that the checkpoint
    // left there, the upload fails "content sha256:…: already exists" (moby/moby#42900, the same
    // with runc). Nothing was started then: try again once the collector has run.
    Result st;
    for (int i = 0; i < 40; ++i) {
        st = docker({"start", "--checkpoint", "cp1", tag_}, 120s);
        if (st.code == 0 || st.err.find("already exists") == std::string::npos) break;
        std::this_thread::sleep_for(250ms);
    }
    ASSERT_EQ(st.code, 0) << st.text() << "\ndockerd:\n" << read_file(dir_ + "/dockerd.log");
    EXPECT_EQ(docker({"inspect", "--format", "{{.State.Status}}", tag_}).out, "running\n");
    long t = ticks();
    EXPECT_GT(t, 2);
    EXPECT_TRUE(eventually([&] { return ticks() > t + 2; }));
    EXPECT_EQ(docker({"rm", "--force", tag_}).code, 0);
    EXPECT_EQ(docker({"ps", "--all", "--quiet"}).out, "");
    expect_nothing_left(dir_ + "/data");
}

INSTANTIATE_TEST_SUITE_P(Runtimes, Docker, ::testing::Values("ct-oci", "runc"), engine_param_name);

}  // namespace
