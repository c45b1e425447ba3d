// Podman (with conmon) driving the runtime through `--runtime`: run --rm, run -d + exec + logs +
// stop + rm, -it on a terminal, pause/unpause, top, stats, checkpoint/restore, kube play, and
// the engine's error path for a config.json field ct-oci refuses. Podman gets a root, runroot
// and tmpdir of the test's own (vfs storage, no events, cgroupfs below a cgroup parent of the
// test's own); the image is a busybox rootfs imported with `podman import` (no registry is
// reachable here). Podman's default rlimits need CAP_SYS_RESOURCE this machine does not give,
// so every container gets --ulimit nofile/nproc (runc needs them as well).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "engine_fixture.hpp"

using namespace ct::oci::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const char kImage[] = "localhost/ct-oci-busybox:test";

class Podman : public EngineTest {
  protected:
    void SetUp() override {
        SetUpEngine("podman", {"podman", "conmon"}, "podman");
        if (IsSkipped() || HasFatalFailure()) return;
        // CONTAINERS_CONF replaces the system's file: its default sysctl (what every user of
        // Debian's Podman gets) is kept.
        write_file(dir_ + "/containers.conf",
                   "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
                   "default_sysctls = [\"net.ipv4.ping_group_range=0 0\"]\n");
        Result i = podman({"import", rootfs_tarball(), kImage});
        ASSERT_EQ(i.code, 0) << i.text();
    }
    void TearDown() override {
        if (!dir_.empty()) {
            podman({"rm", "--all", "--force", "--time", "0"});
            podman({"pod", "rm", "--all", "--force"});
        }
        TearDownEngine();
    }

    // podman with the test's own storage, runtime and cgroup manager, then `args`.
    std::vector<std::string> podman_argv(const std::vector<std::string> &args) const {
        std::vector<std::string> argv = {
            "podman",   "--root",           dir_ + "/root",     "--runroot", dir_ + "/runroot",
            "--tmpdir", dir_ + "/tmp",      "--storage-driver", "vfs",       "--events-backend",
            "none",     "--cgroup-manager", "cgroupfs",         "--runtime", runtime_};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    Result podman(std::vector<std::string> args, std::chrono::seconds timeout = 60s) {
        return run(podman_argv(args), "", timeout, podman_env());
    }
    // Podman's own config: the rlimits of every container (kube play's too) that this
    // machine allows.
    std::vector<std::string> podman_env() const {
        auto env = engine_env();
        env.push_back("CONTAINERS_CONF=" + dir_ + "/containers.conf");
        return env;
    }
    // The options of every container: no network, the rlimits this machine allows, our cgroups.
    std::vector<std::string> container_options() const {
        return {"--network",       "none",
                "--ulimit",        "nofile=1024:1024",
                "--ulimit",        "nproc=1024:1024",
                "--cgroup-parent", "/" + cgroup_parent_};
    }
    Result run_container(const std::vector<std::string> &options,
                         const std::vector<std::string> &command) {
        std::vector<std::string> args = {"run"};
        for (const auto &o : container_options()) args.push_back(o);
        args.insert(args.end(), options.begin(), options.end());
        args.push_back(kImage);
        args.insert(args.end(), command.begin(), command.end());
        return podman(args);
    }
    std::string status(const std::string &name) {
        Result r = podman({"inspect", "--format", "{{.State.Status}}", name});
        return r.code == 0 ? r.out.substr(0, r.out.find('\n')) : "(inspect failed: " + r.err + ")";
    }
    // The count of kCounter in container `name`; -1 when it cannot be read.
    long ticks(const std::string &name) {
        std::string t = podman({"exec", name, "cat", "/tmp/n"}).out;
        return t.empty() ? -1L : std::stol(t);
    }
    // `podman container checkpoint ARGS`, asserted to succeed; skipped where runc's CRIU
    // cannot work on this machine (check IsSkipped()).
    void checkpoint(const std::vector<std::string> &args) {
        std::vector<std::string> argv = {"container", "checkpoint"};
        argv.insert(argv.end(), args.begin(), args.end());
        Result cp = podman(argv, 120s);
        // runc names CRIU's log instead of quoting it.
        std::string criu_log;
        if (auto at = cp.err.find("log file: "); at != std::string::npos)
            criu_log = read_file(cp.err.substr(at + 10, cp.err.find('"', at) - at - 10));
        // runc runs CRIU as it is, and CRIU 4 raises its own RLIMIT_NOFILE, which this
        // machine does not allow (no CAP_SYS_RESOURCE).
        if (cp.code != 0 && GetParam() == "runc" &&
            criu_log.find("Can't setup RLIMIT_NOFILE") != std::string::npos)
            GTEST_SKIP() << "runc's CRIU cannot raise RLIMIT_NOFILE on this machine: " << cp.err;
        // conmon runs runc with a PATH of its own: runc gets Debian's criu, which fails on
        // this kernel (tools/install-criu.sh).
        if (cp.code != 0 && GetParam() == "runc" &&
            criu_log.find("kerndat_vdso_fill_symtable failed") != std::string::npos)
            GTEST_SKIP() << "the criu runc finds under Podman fails on this kernel (vDSO): "
                         << cp.err;
        ASSERT_EQ(cp.code, 0) << cp.text() << "\nCRIU's log:\n" << criu_log;
    }
    // checkpoint `name` (which stops it), then restore it in place (check IsSkipped()).
    void checkpoint_and_restore(const std::string &name) {
        checkpoint({name});
        if (IsSkipped() || HasFatalFailure()) return;
        EXPECT_EQ(status(name), "exited");
        Result rs = podman({"container", "restore", name}, 120s);
        ASSERT_EQ(rs.code, 0) << rs.text();
        EXPECT_EQ(status(name), "running");
    }
    // A restored kCounter goes on from where it was.
    void expect_counting_on(const std::string &name) {
        long t = ticks(name);
        EXPECT_GT(t, 2);
        EXPECT_TRUE(eventually([&] { return ticks(name) > t + 2; }));
    }
    void expect_no_containers() {
        Result ps = podman({"ps", "--all", "--quiet"});
        EXPECT_EQ(ps.code, 0) << ps.text();
        EXPECT_EQ(ps.out, "") << "containers left";
        expect_nothing_left();
    }
};

TEST_P(Podman, RunRm) {
    Result r = run_container({"--rm"}, {"/bin/sh", "-c", "echo hello from $(hostname); exit 3"});
    EXPECT_EQ(r.code, 3) << r.text();
    EXPECT_NE(r.out.find("hello from"), std::string::npos) << r.text();
    // A command the image does not have: Podman's 127, which it makes of the create's error.
    Result missing = run_container({"--rm"}, {"/no/such/command"});
    EXPECT_EQ(missing.code, 127) << missing.text();
    expect_no_containers();
}

TEST_P(Podman, DetachedExecLogsStopRm) {
    std::string name = tag_ + "-d";
    Result d =
        run_container({"-d", "--name", name}, {"/bin/sh", "-c",
                                               "echo started; trap 'echo stopping; exit 0' TERM; "
                                               "while :; do sleep 0.1; done"});
    ASSERT_EQ(d.code, 0) << d.text();
    EXPECT_EQ(status(name), "running");
    Result e = podman({"exec", name, "/bin/sh", "-c", "echo from exec; exit 4"});
    EXPECT_EQ(e.code, 4) << e.text();
    EXPECT_EQ(e.out, "from exec\n");
    Result e2 = podman({"exec", "--user", "1000", "--workdir", "/tmp", "--env", "X=y", name,
                        "/bin/sh", "-c", "echo $(id -u) $(pwd) $X"});
    EXPECT_EQ(e2.out, "1000 /tmp y\n") << e2.text();
    EXPECT_TRUE(eventually([&] { return podman({"logs", name}).out.find("started") == 0; }));
    auto t0 = std::chrono::steady_clock::now();
    Result s = podman({"stop", "--time", "20", name});
    EXPECT_EQ(s.code, 0) << s.text();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 15s) << "SIGTERM did not reach the trap";
    EXPECT_EQ(status(name), "exited");
    EXPECT_NE(podman({"logs", name}).out.find("stopping"), std::string::npos);
    Result rm = podman({"rm", name});
    EXPECT_EQ(rm.code, 0) << rm.text();
    expect_no_containers();
}

// `podman build`: Buildah runs each RUN step of the Containerfile through the runtime (create,
// start, delete, with its own bundle: the whole default set of capabilities as ambient ones,
// no inheritable set). The steps see the earlier steps' files, ENV, WORKDIR and USER, and the
// image they make runs: ct-oci as runc.
TEST_P(Podman, BuildRunsTheContainerfilesStepsThroughTheRuntime) {
    std::string ctx = build_context(kImage);
    std::string image = "localhost/" + tag_ + "-built:test";
    std::vector<std::string> args = {
        "build", "--no-cache", "--network", "none", "--cgroup-parent", "/" + cgroup_parent_,
        "-t",    image,        ctx};
    Result b = podman(args, 120s);
    ASSERT_EQ(b.code, 0) << b.text();
    expect_build_steps_ran(b);
    Result r = podman({"run", "--rm", "--network", "none", "--user", "0", "--cgroup-parent",
                       "/" + cgroup_parent_, image, "/bin/sh", "-c", kBuiltProbe});
    EXPECT_EQ(r.out, kBuiltProbeOut) << r.text();
    EXPECT_EQ(podman({"rmi", image}).code, 0);
    expect_no_containers();
}

// Containers sharing another's namespaces (`--pid/--network/--ipc/--uts container:A`, what
// a pod does): the second one's processes are in the first one's pid namespace, see its
// processes and never the host's; exec and top reach them; ct-oci as runc.
TEST_P(Podman, ContainersSharingAnothersNamespaces) {
    std::string a = tag_ + "-a", b = tag_ + "-b";
    ASSERT_EQ(
        run_container({"-d", "--name", a, "--hostname", "host-a"}, {"/bin/sleep", "1000"}).code, 0);
    std::string c = "container:" + a;
    // container_options() without its --network none: the network is a's.
    std::vector<std::string> args = {"run",
                                     "--rm",
                                     "--pid",
                                     c,
                                     "--network",
                                     c,
                                     "--ipc",
                                     c,
                                     "--uts",
                                     c,
                                     "--cgroup-parent",
                                     "/" + cgroup_parent_,
                                     kImage,
                                     "/bin/sh",
                                     "-c",
                                     "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; "
                                     "set -- /proc/[0-9]*; echo $#"};
    Result r = podman(args);
    EXPECT_EQ(r.code, 0) << r.text();
    // a's sleep and this sh, counted by sh itself (`ls /proc | grep -c` raced: grep may not
    // be forked yet when ls reads /proc).
    EXPECT_EQ(r.out, "host-a\n/bin/sleep 1000 \n2\n") << r.text();
    ASSERT_EQ(run_container({"-d", "--name", b, "--pid", c}, {"/bin/sleep", "2000"}).code, 0);
    Result e = podman({"exec", b, "/bin/sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"});
    EXPECT_EQ(e.out, "/bin/sleep 1000 ") << e.text();
    Result t = podman({"top", b, "args"});
    EXPECT_NE(t.out.find("sleep 2000"), std::string::npos) << t.text();
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", b}).code, 0);
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", a}).code, 0);
    expect_no_containers();
}

// podman run --privileged (systemd and nested engines in containers): a read-write /sys, no
// seccomp filter, no masked paths, the host's devices; ct-oci as runc. And exec --privileged.
TEST_P(Podman, PrivilegedContainer) {
    Result r = run_container(
        {"--rm", "--privileged"},
        {"/bin/sh", "-c",
         "awk '$5 == \"/sys\" {print $6}' /proc/self/mountinfo | cut -c1-3; "
         "grep Seccomp: /proc/self/status | tr -d '\t'; "
         "awk '$5 ~ /^\\/proc\\// || $5 == \"/sys/firmware\"' /proc/self/mountinfo | wc -l; "
         "test -c /dev/vda -o -c /dev/kmsg && echo host-devices"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "rw,\nSeccomp:0\n0\nhost-devices\n") << r.text();
    // exec --privileged: all of the container's capabilities. Into a container that was not
    // run --privileged, runc grants the rest too; ct-oci refuses (the container's spec is the
    // ceiling of every process in it), naming the first capability.
    std::string name = tag_ + "-priv";
    ASSERT_EQ(run_container({"-d", "--name", name, "--privileged"}, {"/bin/sleep", "1000"}).code,
              0);
    Result e = podman({"exec", "--privileged", name, "grep", "CapBnd", "/proc/self/status"});
    EXPECT_EQ(e.code, 0) << e.text();
    std::string all = e.out;
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", name}).code, 0);
    ASSERT_EQ(run_container({"-d", "--name", name}, {"/bin/sleep", "1000"}).code, 0);
    e = podman({"exec", "--privileged", name, "grep", "CapBnd", "/proc/self/status"});
    if (GetParam() == "runc") {
        EXPECT_EQ(e.out, all) << e.text();
    } else {
        EXPECT_NE(e.code, 0) << e.text();
        EXPECT_NE(e.err.find("is not in the bounding set of container"), std::string::npos)
            << e.text();
    }
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", name}).code, 0);
    // Without it: the confinement of every container.
    r = run_container({"--rm"}, {"/bin/sh", "-c",
                                 "awk '$5 == \"/sys\" {print $6}' /proc/self/mountinfo | cut "
                                 "-c1-3; grep Seccomp: /proc/self/status | tr -d '\t'"});
    EXPECT_EQ(r.out, "ro,\nSeccomp:2\n") << r.text();
    expect_no_containers();
}

// The options users give `podman run` most, each read back inside the container: the same
// figures with ct-oci as with runc.
TEST_P(Podman, RunOptionsReachTheContainer) {
    std::vector<std::string> options = common_run_options();
    options.insert(options.begin(), "--rm");
    Result r =
        run_container(options, {"/bin/sh", "-c", run_options_probe("head -1 /etc/passwd", "")});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out,
              "h1\nb\n/data\n1000\n1000\nfrom the host\nroot-ro\ndata-ro\n"
              "root:x:0:0:root:/root:/bin/sh\n"  // --tmpfs copies the image's /etc up
              "CapEff:\t0000000000000400\nCapBnd:\t0000000000000400\nNoNewPrivs:\t1\n"
              "size=1024k\nsize=2048k\n67108864\n50\n")
        << r.text();
    expect_no_containers();
}

// A user namespace Podman asks for (--uidmap/--gidmap: it chowns the image's copy), a sysctl
// and Podman's own init (catatonit, as podman-init): as with runc.
TEST_P(Podman, UserNamespaceSysctlAndInit) {
    Result r = run_container(
        {"--rm", "--uidmap", "0:200000:65536", "--gidmap", "0:200000:65536", "--sysctl",
         "net.ipv4.ping_group_range=0 1", "--init"},
        {"/bin/sh", "-c",
         "id -u; cat /proc/self/uid_map | tr -s ' '; cat /proc/sys/net/ipv4/ping_group_range | "
         "tr -s '\t' ' '; cat /proc/1/comm; touch /made && stat -c %u /made"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "0\n 0 200000 65536\n0 1\npodman-init\n0\n") << r.text();
    expect_no_containers();
}

// `--network ns:PATH`: a network namespace made beside Podman (here by the test), whose path
// Podman passes with the sysctl it sets in every container it networks
// (net.ipv4.ping_group_range "0 0"; a new namespace starts with "1 0"). Its default bridge
// network does the same with a namespace of its own; this one leaves no bridge behind.
TEST_P(Podman, AJoinedNetworkNamespaceGetsPodmansSysctl) {
    pid_t holder = ::fork();
    if (holder == 0) {
        ::execl("/usr/bin/unshare", "unshare", "--net", "sleep", "1000", nullptr);
        ::_exit(127);
    }
    ASSERT_GT(holder, 0);
    std::string netns = "/proc/" + std::to_string(holder) + "/ns/net";
    std::string ours = fs::read_symlink("/proc/self/ns/net").string(), theirs;
    EXPECT_TRUE(eventually([&] {
        std::error_code ec;
        theirs = fs::read_symlink(netns, ec).string();
        return !ec && theirs != ours;
    }));
    Result r = podman({"run", "--rm", "--network", "ns:" + netns, "--ulimit", "nofile=1024:1024",
                       "--ulimit", "nproc=1024:1024", "--cgroup-parent", "/" + cgroup_parent_,
                       kImage, "/bin/sh", "-c",
                       "cat /proc/sys/net/ipv4/ping_group_range; readlink /proc/self/ns/net"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "0\t0\n" + theirs + "\n") << r.text();
    ::kill(holder, SIGKILL);
    ::waitpid(holder, nullptr, 0);
    expect_no_containers();
}

// A ':rshared' volume whose source is a shared host mount: what the container mounts under it
// appears on the host (Kubernetes' Bidirectional propagation, which Podman asks for this way),
// with ct-oci as with runc.
TEST_P(Podman, RsharedVolumeFromASharedMountPropagatesBack) {
    std::string src = dir_ + "/shared";
    std::filesystem::create_directories(src);
    Result m = run(
        {"sh", "-c",
         "mount -t tmpfs -o size=1m ct-podman-shared " + src + " && mount --make-shared " + src});
    ASSERT_EQ(m.code, 0) << m.text();
    struct Unmount {
        std::string at;
        ~Unmount() { run({"umount", "-R", "-l", at}); }
    } unmount{src};
    Result r = run_container({"--rm", "--cap-add", "SYS_ADMIN", "-v", src + ":/vol:rshared"},
                             {"/bin/sh", "-c",
                              "mkdir /vol/sub && mount -t tmpfs -o size=1m inner /vol/sub && "
                              "echo from-the-container > /vol/sub/f && echo mounted"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "mounted\n") << r.text();
    EXPECT_EQ(read_file(src + "/sub/f"), "from-the-container\n")
        << "the container's mount did not reach the host";
    run({"umount", "-R", "-l", src});  // the test's own mounts, before the check for leftovers
    expect_no_containers();
}

// podman run -it and exec -it on a terminal, and a restart.
TEST_P(Podman, InteractiveTerminal) {
    std::vector<std::string> run_it = {"run", "-it", "--rm"};
    for (const auto &o : container_options()) run_it.push_back(o);
    // The pause first: Podman 4.3 can attach to the terminal after a container this short has
    // written (and exited): its output then is lost, whatever the runtime (seen with runc).
    for (auto a : {kImage, "/bin/sh", "-c", "sleep 0.5; tty; stty size; echo tty-ok"})
        run_it.push_back(a);
    Result r = on_a_terminal(podman_argv(run_it), podman_env());
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_NE(r.out.find("/dev/pts/0"), std::string::npos) << r.text();
    EXPECT_NE(r.out.find("tty-ok"), std::string::npos) << r.text();

    // podman exec -it into a detached container, then a restart (the runtime's delete and a
    // new create under the same id).
    std::string name = tag_ + "-x";
    ASSERT_EQ(run_container({"-d", "--name", name}, {"/bin/sleep", "1000"}).code, 0);
    expect_exec_on_a_terminal(podman_argv({}), name, podman_env());
    Result rs = podman({"restart", "--time", "0", name});
    EXPECT_EQ(rs.code, 0) << rs.text();
    EXPECT_EQ(status(name), "running");
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", name}).code, 0);
    expect_no_containers();
}

TEST_P(Podman, PauseTopStats) {
    std::string name = tag_ + "-p";
    ASSERT_EQ(run_container({"-d", "--name", name}, {"/bin/sleep", "1000"}).code, 0);
    Result p = podman({"pause", name});
    ASSERT_EQ(p.code, 0) << p.text();
    EXPECT_EQ(status(name), "paused");
    Result u = podman({"unpause", name});
    ASSERT_EQ(u.code, 0) << u.text();
    EXPECT_EQ(status(name), "running");
    Result top = podman({"top", name});
    EXPECT_EQ(top.code, 0) << top.text();
    EXPECT_NE(top.out.find("sleep 1000"), std::string::npos) << top.text();
    Result st = podman({"stats", "--no-stream", "--format", "json", name});
    EXPECT_EQ(st.code, 0) << st.text();
    json j = json::parse(st.out, nullptr, false);
    ASSERT_TRUE(j.is_array() && j.size() == 1) << st.text();
    EXPECT_EQ(j[0].value("name", ""), name) << st.out;
    EXPECT_NE(j[0].value("mem_usage", "").substr(0, 2), "0B") << st.out;
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", name}).code, 0);
    expect_no_containers();
}

// A container counting in /tmp/n, 10 times a second: whether it runs on after a restore.
const std::vector<std::string> kCounter = {
    "/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.1; done"};

TEST_P(Podman, CheckpointRestore) {
    if (std::string why = criu_unusable(); !why.empty()) GTEST_SKIP() << why;
    std::string name = tag_ + "-c";
    ASSERT_EQ(run_container({"-d", "--name", name}, kCounter).code, 0);
    ASSERT_TRUE(eventually([&] { return ticks(name) > 2; }));
    checkpoint_and_restore(name);
    if (IsSkipped() || HasFatalFailure()) return;
    expect_counting_on(name);
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", name}).code, 0);
    expect_no_containers();
}

// What Podman's own networks give a container: a network namespace Podman made, joined by
// path (`--network ns:PATH` here, which needs no network plugin and no change to the host's
// firewall). The checkpoint leaves the namespace out, the restore joins the bundle's, and
// the bundle's net.* sysctls are set in it again.
TEST_P(Podman, CheckpointRestoreInAJoinedNetworkNamespace) {
    if (std::string why = criu_unusable(); !why.empty()) GTEST_SKIP() << why;
    std::string ns = tag_ + "-ns", path = "/run/netns/" + ns;
    ASSERT_EQ(run({"ip", "netns", "add", ns}).code, 0);
    struct Remove {
        std::string ns;
        ~Remove() { run({"ip", "netns", "delete", ns}); }
    } remove{ns};
    struct stat joined {};
    ASSERT_EQ(::stat(path.c_str(), &joined), 0);
    std::string name = tag_ + "-n";
    std::vector<std::string> args = {
        "run",       "-d",         "--name",          name,
        "--network", "ns:" + path, "--cgroup-parent", "/" + cgroup_parent_};
    args.insert(args.end(), kCounter.begin(), kCounter.end());
    args.insert(args.end() - kCounter.size(), kImage);
    ASSERT_EQ(podman(args).code, 0);
    auto netns_of_init = [&] {
        struct stat st {};
        std::string pid = podman({"inspect", "--format", "{{.State.Pid}}", name}).out;
        pid = pid.substr(0, pid.find('\n'));
        return ::stat(("/proc/" + pid + "/ns/net").c_str(), &st) == 0 ? st.st_ino : 0;
    };
    EXPECT_EQ(netns_of_init(), joined.st_ino);
    ASSERT_TRUE(eventually([&] { return ticks(name) > 2; }));
    // The restore sets the sysctl of the engine's config (containers.conf) in the namespace.
    ASSERT_EQ(
        run({"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ping_group_range=1 1"}).code, 0);
    checkpoint_and_restore(name);
    if (IsSkipped() || HasFatalFailure()) return;
    EXPECT_EQ(netns_of_init(), joined.st_ino);
    EXPECT_EQ(podman({"exec", name, "cat", "/proc/sys/net/ipv4/ping_group_range"}).out, "0\t0\n");
    expect_counting_on(name);
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", name}).code, 0);
    expect_no_containers();
}

// checkpoint --export, then restore --import under another name: a new container of Podman's,
// with a new ID, rootfs and bundle, restored from the first one's images. The first one stays,
// stopped by its checkpoint.
TEST_P(Podman, RestoreImportedCheckpointUnderANewName) {
    if (std::string why = criu_unusable(); !why.empty()) GTEST_SKIP() << why;
    std::string a = tag_ + "-a", b = tag_ + "-b", archive = dir_ + "/a.tar.gz";
    ASSERT_EQ(run_container({"-d", "--name", a}, kCounter).code, 0);
    ASSERT_TRUE(eventually([&] { return ticks(a) > 2; }));
    checkpoint({"--export", archive, a});
    if (IsSkipped() || HasFatalFailure()) return;
    EXPECT_EQ(status(a), "exited");
    Result rs = podman({"container", "restore", "--import", archive, "--name", b}, 120s);
    ASSERT_EQ(rs.code, 0) << rs.text();
    EXPECT_EQ(status(b), "running");
    EXPECT_EQ(status(a), "exited");
    expect_counting_on(b);
    // b's root is its own: what it writes is not in a's.
    EXPECT_EQ(podman({"exec", b, "touch", "/only-in-b"}).code, 0);
    Result start = podman({"start", a});  // from its command again, in its own root
    EXPECT_EQ(start.code, 0) << start.text();
    EXPECT_EQ(podman({"exec", a, "test", "-e", "/only-in-b"}).code, 1);
    EXPECT_EQ(podman({"rm", "--force", "--time", "0", a, b}).code, 0);
    expect_no_containers();
}

TEST_P(Podman, KubePlay) {
    // The pod's infra container runs the pause image Podman builds from catatonit.
    if (::access("/usr/libexec/podman/catatonit", X_OK) != 0)
        GTEST_SKIP() << "no /usr/libexec/podman/catatonit (Debian package catatonit): Podman "
                        "cannot build the pod's pause image without a registry";
    std::string yaml = dir_ + "/pod.yaml";
    write_file(yaml, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + tag_ +
                         "-pod\nspec:\n  containers:\n  - name: box\n    image: " + kImage +
                         "\n    command: [\"/bin/sh\", \"-c\", \"echo kube-ok; sleep 1000\"]\n");
    Result p = podman({"kube", "play", "--network", "none", yaml}, 120s);
    ASSERT_EQ(p.code, 0) << p.text();
    // "Pod:\n<id>\n...": the pod's cgroup is <cgroupfs parent>/<id>.
    std::string pod_id = p.out.substr(p.out.find("Pod:\n") + 5, 64);
    std::string name = tag_ + "-pod-box";
    EXPECT_EQ(status(name), "running");
    EXPECT_TRUE(eventually([&] { return podman({"logs", name}).out == "kube-ok\n"; }));
    EXPECT_FALSE(cgroup_dirs("libpod_parent/" + pod_id).empty()) << p.out;
    Result down = podman({"kube", "down", yaml}, 120s);
    EXPECT_EQ(down.code, 0) << down.text();
    // The containers' cgroups are gone. Podman leaves the pod's own directory in the
    // hierarchies it does not manage on this hybrid host (name=systemd, the cgroup2 at
    // unified) with runc as well: the test removes it.
    for (const auto &d : cgroup_dirs("libpod_parent/" + pod_id))
        for (const auto &e : std::filesystem::directory_iterator(d))
            EXPECT_FALSE(e.is_directory()) << "a container's cgroup is left: " << e.path();
    remove_cgroup_tree("libpod_parent/" + pod_id);
    expect_no_containers();
}

// A config.json field ct-oci refuses reaches Podman's user as the runtime's error (Podman reads
// it from the --log file), and the failed container leaves nothing behind.
// The field: a realtime budget, which the kernel grants a container only out of its parent's,
// and the test's cgroup parent (new, so the kernel gave it none) has none to give.
TEST_P(Podman, RefusedFieldIsTheEnginesError) {
    if (GetParam() != "ct-oci") GTEST_SKIP() << "the error path of ct-oci's refusals";
    if (!std::filesystem::exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us"))
        GTEST_SKIP() << "no v1 cpu controller with realtime group scheduling here";
    Result r = run_container({"--rm", "--cpu-rt-runtime", "1000"}, {"/bin/true"});
    EXPECT_NE(r.code, 0) << r.text();
    EXPECT_NE(r.err.find("resources.cpu.rt_runtime_us"), std::string::npos) << r.text();
    expect_no_containers();
}

INSTANTIATE_TEST_SUITE_P(Runtimes, Podman, ::testing::Values("ct-oci", "runc"), engine_param_name);

}  // namespace
