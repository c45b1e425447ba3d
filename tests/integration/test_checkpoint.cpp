// Checkpoint and restore with CRIU on the real kernel: a counter container keeps counting from
// where it was; stdio, bind mounts and cgroup limits come back; errors quote CRIU's log and
// leave nothing behind.
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "criu_fixture.hpp"
#include "proc_util.hpp"
#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

std::string read_link(const std::string &path) {
    std::error_code ec;
    return fs::read_symlink(path, ec).string();
}

using namespace std::chrono_literals;

// Whether loopback is up in the network namespace of `pid` (looked at from a thread that joins
// it, so the test process stays where it is).
bool loopback_up(int64_t pid) {
    bool up = false;
    std::thread t([&] {
        int fd = open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) return;
        close(fd);
        int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr {};
        std::strcpy(ifr.ifr_name, "lo");
        up = sk >= 0 && ioctl(sk, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
        if (sk >= 0) close(sk);
    });
    t.join();
    return up;
}

using Checkpoint = CheckpointTest;

TEST_F(Checkpoint, CounterKeepsCountingAfterRestore) {
    std::string rootfs;
    auto c = start_counter("count", &rootfs);
    std::string dir = images("count");
    c.checkpoint({dir, false, false, false});
    EXPECT_EQ(c.state(), State::stopped);
    EXPECT_TRUE(fs::exists(dir + "/ct-checkpoint.json"));
    long at = read_counter(rootfs);
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(read_counter(rootfs), at) << "still counting after the checkpoint stopped it";

    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    auto back = session().restore(c.name(), r);
    EXPECT_EQ(back.state(), State::running);
    auto pid = back.info().pid;
    EXPECT_NE(read_link("/proc/" + std::to_string(pid) + "/ns/net"),
              read_link("/proc/self/ns/net"));
    EXPECT_TRUE(loopback_up(pid)) << "the restored container's loopback is down";
    long v = wait_counter(rootfs, at + 3);
    EXPECT_GE(v, at + 3) << "the restored counter does not count";
    // Continued, not restarted: a fresh start would have begun again at 1.
    EXPECT_LT(v, at + 40);
    back.destroy(true);
}

// `ct restore` killed once the processes are back, before it recorded them: the container is
// listed as incomplete (not stopped, with processes running nothing knows of), destroy takes the
// restored processes down and leaves the rootfs (bound in the state for CRIU) as it was.
TEST_F(Checkpoint, AKilledRestoreIsIncompleteAndDestroyable) {
    if (uri().rfind("linux:", 0) != 0) GTEST_SKIP() << "kills the local ct at a fault point";
    std::string rootfs;
    auto c = start_counter("killed-restore", &rootfs);
    std::string dir = images("killed-restore");
    c.checkpoint({dir, false, false, false});
    size_t files =
        std::distance(fs::recursive_directory_iterator(rootfs), fs::recursive_directory_iterator());
    ::setenv("CT_FAULT_STEP", "2", 1);  // 1: recorded as starting, 2: restored
    auto r = ct_cli(uri(), {"restore", c.name(), "--dir", dir});
    ::unsetenv("CT_FAULT_STEP");
    ASSERT_EQ(r.code, 128 + SIGKILL) << r.err;
    auto list = session().list();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].state, State::incomplete);
    EXPECT_NE(list[0].details["incomplete"].find("start interrupted"), std::string::npos)
        << list[0].details["incomplete"];
    long at = read_counter(rootfs);
    EXPECT_GE(wait_counter(rootfs, at + 2), at + 2) << "the restored counter does not run";
    // The next start undoes the restore, its bind of the root included, and starts afresh.
    auto s = ct_cli(uri(), {"start", c.name()});
    EXPECT_EQ(s.code, 0) << s.err;
    std::string mounts = read_text("/proc/self/mountinfo");
    EXPECT_EQ(mounts.find("/" + c.name() + "/criu-root "), std::string::npos) << mounts;
    auto d = ct_cli(uri(), {"destroy", "--force", c.name()});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(session().list().empty());
    EXPECT_EQ(
        std::distance(fs::recursive_directory_iterator(rootfs), fs::recursive_directory_iterator()),
        static_cast<std::ptrdiff_t>(files))
        << "the rootfs lost files";
}

// A root on a shared host mount (as engines keep theirs: dockerd makes its data-root shared)
// is a slave of it in the container; the restore makes it one again, which CRIU does by copying
// the sharing of the root it restores into.
TEST_F(Checkpoint, ARootOnASharedHostMountComesBack) {
    std::string rootfs = private_rootfs("shared-root");
    temp_dirs_.push_back(rootfs);
    host_sh("mount --bind " + rootfs + " " + rootfs + " && mount --make-shared " + rootfs);
    struct Unmount {
        std::string at;
        ~Unmount() { ::umount2(at.c_str(), MNT_DETACH); }
    } unmount{rootfs};
    auto c = start_detached(counter_spec(spec({}), rootfs));
    ASSERT_GE(wait_counter(rootfs, 3), 3) << "the counter does not count";
    std::string dir = images("shared-root");
    c.checkpoint({dir, false, false, false});
    long at = read_counter(rootfs);
    auto back = restore_quiet(c.name(), dir);
    EXPECT_EQ(back.state(), State::running);
    EXPECT_GE(wait_counter(rootfs, at + 3), at + 3) << "the restored counter does not count";
    back.destroy(true);
}

// An idmapped bind is idmapped again after the restore: bound from a plain bind of its
// source, the restored container's root would write there as the host's root.
TEST_F(Checkpoint, AnIdmappedBindStaysIdmappedAfterRestore) {
    std::string rootfs = private_rootfs("idmap-ck");
    temp_dirs_.push_back(rootfs);
    std::string src = temp_dir(temp_dirs_, "idmap-ck-src");
    ::chmod(src.c_str(), 0755);  // the host's root's: the container's root may not write there
    Spec s = counter_spec(spec({}), rootfs);
    MountSpec m{src, "/vol", "bind", {"idmap"}};
    m.uid_map = {{0, 100000, 65536}};
    m.gid_map = {{0, 100000, 65536}};
    s.mounts = {m};
    auto c = start_detached(s);
    ASSERT_GE(wait_counter(rootfs, 3), 3);
    std::string dir = images("idmap-ck");
    c.checkpoint({dir, false, false, false});
    auto back = restore_quiet(c.name(), dir);
    ProcessSpec touch;
    touch.args = {"/bin/sh", "-c", "touch /vol/by-root 2>/dev/null && echo WROTE || echo refused"};
    EXPECT_EQ(exec_captured(back, touch).out, "refused\n")
        << "the restored container's root writes to its source as the host's root";
    EXPECT_FALSE(fs::exists(src + "/by-root"));
    // Its own ids are the mapped ones: with the source theirs, a file it makes is 100000's.
    ASSERT_EQ(::chown(src.c_str(), 100000, 100000), 0);
    EXPECT_EQ(exec_captured(back, touch).out, "WROTE\n");
    struct stat st {};
    EXPECT_EQ(::stat((src + "/by-root").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 100000u);
    back.destroy(true);
}

TEST_F(Checkpoint, LeaveRunningThenRestoreFromTheImages) {
    std::string rootfs;
    auto c = start_counter("leave", &rootfs);
    std::string dir = images("leave");
    c.checkpoint({dir, true, false, false});
    long at = read_counter(rootfs);
    EXPECT_EQ(c.state(), State::running);
    long later = wait_counter(rootfs, at + 10);
    ASSERT_GE(later, at + 10) << "stopped counting after a checkpoint that left it running";
    c.destroy(true);
    long dead = read_counter(rootfs);

    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    auto back = session().restore(c.name(), r);
    // The restored counter goes on from its value at the checkpoint, below where the original
    // got to before it was destroyed.
    long v = wait_counter(rootfs, 0);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (v == dead && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        v = read_counter(rootfs);
    }
    EXPECT_GT(v, at);
    EXPECT_LT(v, dead) << "counting from " << v << ": not from the checkpoint's " << at;
    EXPECT_GE(wait_counter(rootfs, v + 3), v + 3);
    back.destroy(true);
}

TEST_F(Checkpoint, RestoreUnderANewNameWithNewPipes) {
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    auto s = spec({"/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done"});
    auto c = session().create(s);
    StartOptions o;
    o.stdio = {-1, out[1], -1};
    c.start(o);
    close(out[1]);
    char buf[64];
    ASSERT_GT(read(out[0], buf, sizeof buf), 0);
    std::string dir = images("pipes");
    c.checkpoint({dir, true, false, false});
    c.destroy(true);
    close(out[0]);  // the old pipe is gone: the restore hands in a new one

    int np[2];
    ASSERT_EQ(pipe2(np, O_CLOEXEC), 0);
    RestoreOptions r;
    r.dir = dir;
    r.detach = false;
    r.stdio = {-1, np[1], -1};
    std::string name2 = s.name + "-b";
    auto b = session().restore(name2, r);
    close(np[1]);
    EXPECT_EQ(b.name(), name2);
    EXPECT_EQ(b.info().spec.name, name2);
    std::string got;
    while (got.size() < 12) {
        ssize_t n = read(np[0], buf, sizeof buf);
        ASSERT_GT(n, 0) << "the restored container writes nothing to its new stdout";
        got.append(buf, n);
    }
    close(np[0]);
    long first = std::stol(got.substr(0, got.find('\n')));
    EXPECT_GT(first, 1) << "output: " << got;
    b.kill(SIGKILL);
    auto st = b.wait(10s);
    EXPECT_TRUE(st.signaled);
    b.destroy(true);
}

TEST_F(Checkpoint, HostLogFileIsReplacedOnRestore) {
    if (std::getenv("CT_TEST_REMOTE_URI"))
        GTEST_SKIP() << "a remote session relays this host's fds and refuses them for a detached "
                        "process";
    std::string tmp = temp_dir(temp_dirs_, "logfiles");
    std::string log1 = tmp + "/one.log", log2 = tmp + "/two.log";
    int fd = open(log1.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    auto c = session().create(
        spec({"/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; done"}));
    StartOptions o;
    o.stdio = {-1, fd, fd};
    o.detach = true;
    c.start(o);
    close(fd);
    std::this_thread::sleep_for(400ms);
    std::string dir = images("log");
    c.checkpoint({dir, false, false, false});
    int fd2 = open(log2.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ASSERT_GE(fd2, 0);
    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, fd2, fd2};
    auto back = session().restore(c.name(), r);
    close(fd2);
    std::this_thread::sleep_for(500ms);
    std::string one = read_text(log1), two = read_text(log2);
    EXPECT_NE(one.find("tick 2"), std::string::npos) << one;
    EXPECT_NE(two.find("tick"), std::string::npos) << "nothing written to the new log";
    EXPECT_EQ(two.find("tick 1\n"), std::string::npos) << "restarted instead of restored: " << two;
    back.destroy(true);
}

TEST_F(Checkpoint, BindMountsAndLimitsComeBackUnderANewName) {
    std::string data = temp_dir(temp_dirs_, "data");
    std::string rootfs = private_rootfs("bind");
    temp_dirs_.push_back(rootfs);
    auto s = spec({"/bin/sh", "-c",
                   "i=0; while :; do i=$((i+1)); echo $i > /data/n.new; mv /data/n.new /data/count;"
                   " sleep 0.1; done"});
    s.rootfs = rootfs;
    fs::create_directories(rootfs + "/data");
    s.mounts.push_back({data, "/data", "bind", {}});
    s.resources.memory = 64ll << 20;
    s.resources.pids = 20;
    auto c = start_detached(s);
    ASSERT_GE(wait_counter(data, 3), 3);
    std::string dir = images("bind");
    c.checkpoint({dir, false, false, false});
    long at = read_counter(data);
    c.destroy();

    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    std::string name2 = s.name + "-new";
    auto b = session().restore(name2, r);
    long v = wait_counter(data, at + 3);
    EXPECT_GE(v, at + 3) << "not counting into the bind mount after the restore";
    EXPECT_LT(v, at + 40);
    auto info = b.info();
    EXPECT_EQ(info.spec.resources.memory, 64ll << 20);
    // The restored tasks are in the new container's cgroups, with its limits.
    std::string cg = read_text("/proc/" + std::to_string(info.pid) + "/cgroup");
    EXPECT_NE(cg.find(cgroup_parent_ + "/" + name2 + "\n"), std::string::npos) << cg;
    EXPECT_EQ(cg.find(cgroup_parent_ + "/" + s.name + "\n"), std::string::npos) << cg;
    for (const auto &d : cgroup_dirs_for(cgroup_parent_, name2)) {
        if (d.find("/memory/") != std::string::npos) {
            EXPECT_EQ(read_text(d + "/memory.limit_in_bytes"), std::to_string(64 << 20) + "\n");
        }
    }
    b.destroy(true);
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty());
}

TEST_F(Checkpoint, APtyInsideComesBack) {
    std::string rootfs = private_rootfs("pty");
    temp_dirs_.push_back(rootfs);
#ifdef CT_TEST_PTY_COUNTER
    fs::copy_file(CT_TEST_PTY_COUNTER, rootfs + "/bin/pty-counter");
#else
    GTEST_SKIP() << "this test binary was built without the pty helper (CT_TEST_PTY_COUNTER)";
#endif
    auto s = spec({"/bin/pty-counter"});
    s.rootfs = rootfs;
    auto c = session().create(s);
    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.detach = true;
    c.start(o);
    ASSERT_GE(wait_counter(rootfs, 3), 3) << "the pty counter does not count";
    std::string dir = images("pty");
    c.checkpoint({dir, false, false, false});
    long at = read_counter(rootfs);
    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    auto back = session().restore(c.name(), r);
    long v = wait_counter(rootfs, at + 3);
    EXPECT_GE(v, at + 3) << "no more output through the restored pty";
    EXPECT_LT(v, at + 40);
    back.destroy(true);
}

// The network comes back: the veth is recreated from the spec with its address, and a socket
// listening inside before the checkpoint accepts a connection from the host after the restore.
TEST_F(Checkpoint, VethAddressAndListeningSocketComeBack) {
    auto sh = [](const std::string &cmd) {
        std::string out;
        if (FILE *p = popen((cmd + " 2>&1").c_str(), "r")) {
            char buf[512];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
            pclose(p);
        }
        return out;
    };
    if (std::getenv("CT_TEST_REMOTE_URI"))
        GTEST_SKIP() << "the host end of the veth is on the remote host, out of this test's reach";
    std::string net = "10." + std::to_string(100 + getpid() % 150) + ".231.";
    std::string host = "k" + std::to_string(getpid() % 1000000) + "h";
    std::string rootfs = private_rootfs("veth");
    temp_dirs_.push_back(rootfs);
    Spec s = counter_spec(spec({}), rootfs);
    s.process.args[2] = "nc -ll -p 7000 -e /bin/echo hello & " + s.process.args[2];
    NetInterfaceSpec n;
    n.type = "veth";
    n.name = "eth0";
    n.host_name = host;
    n.addresses = {net + "2/24"};
    s.network = {n};
    auto c = session().create(s);
    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.detach = true;
    c.start(o);
    ASSERT_GE(wait_counter(rootfs, 3), 3);
    sh("ip addr add " + net + "1/24 dev " + host);
    EXPECT_EQ(sh("busybox nc -w 3 " + net + "2 7000 </dev/null"), "hello\n");

    std::string dir = images("veth");
    c.checkpoint({dir, false, false, false});
    long at = read_counter(rootfs);
    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    auto back = session().restore(c.name(), r);
    EXPECT_GE(wait_counter(rootfs, at + 3), at + 3);
    EXPECT_EQ(back.info().details["net.eth0.host"], host);
    // The host end is a new device: its host-side address is the host's to set again.
    sh("ip addr add " + net + "1/24 dev " + host);
    EXPECT_EQ(sh("busybox nc -w 3 " + net + "2 7000 </dev/null"), "hello\n")
        << "the listening socket or the address did not come back";
    std::string ping = sh("busybox ping -c 1 -W 3 " + net + "2");
    EXPECT_NE(ping.find("1 packets received"), std::string::npos) << ping;
    back.destroy(true);
    // The kernel removes the veth with the namespace, asynchronously.
    std::string gone;
    for (int i = 0; i < 100 && gone.empty(); ++i) {
        gone = sh("ip link show " + host + " >/dev/null 2>&1 || echo gone");
        if (gone.empty()) std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(gone, "gone\n");
}

// Stdio wired to the host, as `ct start --log`, `ct run >file` and a terminal wire it: after a
// restore, the output goes on where it went, continuing the count (docs/checkpoint.md, Stdio).

constexpr const char *kTicker = "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; done";

// The numbers of the "tick N" lines of `text`, in order (a terminal's \r ignored).
std::vector<long> ticks(const std::string &text) {
    std::vector<long> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("tick ", 0) == 0) out.push_back(std::atol(line.c_str() + 5));
    return out;
}

// Waits (up to 10 s) until the ticks of `path` number at least `count`; returns them.
std::vector<long> wait_ticks(const std::string &path, size_t count) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    auto t = ticks(read_text(path));
    while (t.size() < count && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        t = ticks(read_text(path));
    }
    return t;
}

// 1, 2, 3, ... without a gap or a repeat: one process counting on, nothing lost or overwritten.
::testing::AssertionResult counts_on(const std::vector<long> &t) {
    for (size_t i = 0; i < t.size(); ++i)
        if (t[i] != static_cast<long>(i) + 1) {
            std::ostringstream all;
            for (long v : t) all << v << ' ';
            return ::testing::AssertionFailure()
                   << "tick " << i + 1 << " is " << t[i] << ": " << all.str();
        }
    return ::testing::AssertionSuccess();
}

// Runs the ct binary of this build with `args` against `uri`; its stdio goes to `out_fd`
// (stdin /dev/null). Returns its pid.
pid_t spawn_ct(const std::string &uri, std::vector<std::string> args, int out_fd) {
    args.insert(args.begin(), {CT_TEST_CT_BIN, "-c", uri});
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) _exit(126);
        setenv("CT_BACKEND_PATH", CT_TEST_BACKEND_DIR, 1);
        std::vector<char *> argv;
        for (auto &a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

// The same, waited for: its exit code (-1 if killed) and its output.
std::pair<int, std::string> ct_cli(const std::string &uri, const std::vector<std::string> &args) {
    char path[] = "/tmp/ct-it-cli-XXXXXX";
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) return {-1, "mkostemp failed"};
    unlink(path);
    pid_t pid = spawn_ct(uri, args, fd);
    int st = 0;
    waitpid(pid, &st, 0);
    std::string out;
    char buf[4096];
    ssize_t n;
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
    close(fd);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

class CheckpointStdio : public Checkpoint {
  protected:
    void SetUp() override {
        Checkpoint::SetUp();
        if (IsSkipped()) return;
        if (std::getenv("CT_TEST_REMOTE_URI"))
            GTEST_SKIP() << "the files and terminals of these tests are on this host";
    }
};

TEST_F(CheckpointStdio, LogFileOfCtStartGetsTheOutputAfterRestore) {
    std::string name = spec({}).name, tmp = temp_dir(temp_dirs_, "startlog");
    std::string log = tmp + "/job.log", dir = tmp + "/images";
    auto r = ct_cli(uri(),
                    {"create", "-n", name, "-r", busybox_rootfs(), "--", "/bin/sh", "-c", kTicker});
    ASSERT_EQ(r.first, 0) << r.second;
    r = ct_cli(uri(), {"start", name, "--log", log});
    ASSERT_EQ(r.first, 0) << r.second;
    ASSERT_GE(wait_ticks(log, 3).size(), 3u) << read_text(log);
    r = ct_cli(uri(), {"checkpoint", name, "--dir", dir});
    ASSERT_EQ(r.first, 0) << r.second;
    auto before = ticks(read_text(log));
    r = ct_cli(uri(), {"restore", name, "--dir", dir});
    EXPECT_EQ(r.first, 0) << r.second;
    auto after = wait_ticks(log, before.size() + 3);
    EXPECT_GE(after.size(), before.size() + 3) << "no output in the log after the restore";
    EXPECT_TRUE(counts_on(after));
    r = ct_cli(uri(), {"destroy", "--force", name});
    EXPECT_EQ(r.first, 0) << r.second;
}

// `ct run ... >file 2>&1`, checkpointed while it goes on writing (--leave-running): the file
// grows after the dump (CRIU by itself refuses a file whose size changed), and the restored
// copy's output is appended, counting on from the checkpoint.
TEST_F(CheckpointStdio, RedirectedOutputOfCtRunGetsTheOutputAfterRestore) {
    std::string name = spec({}).name, tmp = temp_dir(temp_dirs_, "runout");
    std::string out = tmp + "/out", dir = tmp + "/images";
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);  // the shell's >
    ASSERT_GE(fd, 0);
    pid_t run = spawn_ct(
        uri(), {"run", "-n", name, "-r", busybox_rootfs(), "--", "/bin/sh", "-c", kTicker}, fd);
    close(fd);
    ASSERT_GE(wait_ticks(out, 3).size(), 3u) << read_text(out);
    auto r = ct_cli(uri(), {"checkpoint", name, "--dir", dir, "--leave-running"});
    EXPECT_EQ(r.first, 0) << r.second;
    auto at_dump = ticks(read_text(out)).size();
    auto written = wait_ticks(out, at_dump + 5);
    ASSERT_GE(written.size(), at_dump + 5) << "stopped writing after a checkpoint that left it";
    r = ct_cli(uri(), {"kill", name, "KILL"});
    EXPECT_EQ(r.first, 0) << r.second;
    int st = 0;
    ASSERT_EQ(waitpid(run, &st, 0), run);
    auto before = ticks(read_text(out));
    r = ct_cli(uri(), {"restore", name, "--dir", dir});
    EXPECT_EQ(r.first, 0) << r.second;
    auto after = wait_ticks(out, before.size() + 3);
    ASSERT_GE(after.size(), before.size() + 3) << "no output in the file after the restore";
    // The original's lines are all there, and the copy's follow them, counting on from where
    // the checkpoint was (not from 1, and below where the original got to).
    EXPECT_TRUE(counts_on(std::vector<long>(after.begin(), after.begin() + before.size())));
    long first = after[before.size()];
    EXPECT_GE(first, static_cast<long>(at_dump) - 1);
    EXPECT_LT(first, before.back());
    for (size_t i = before.size() + 1; i < after.size(); ++i) EXPECT_EQ(after[i], after[i - 1] + 1);
    r = ct_cli(uri(), {"destroy", "--force", name});
    EXPECT_EQ(r.first, 0) << r.second;
}

// Reads what arrives on `fd` within `ms`, until `until` is in it.
std::string read_for(int fd, int ms, const std::string &until) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (got.find(until) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        struct pollfd p {
            fd, POLLIN, 0
        };
        if (poll(&p, 1, 50) <= 0) continue;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, n);
    }
    return got;
}

// Stdio on a terminal of the host (no -t): the restore reopens that terminal; a replacement
// that is not a terminal is refused before CRIU runs.
TEST_F(CheckpointStdio, HostTerminalGetsTheOutputAfterRestore) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(master, 0);
    ASSERT_EQ(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(slave, 0);
    auto c = session().create(spec({"/bin/sh", "-c", kTicker}));
    StartOptions o;
    o.stdio = {slave, slave, slave};
    o.detach = true;
    c.start(o);
    close(slave);
    std::string seen = read_for(master, 10000, "tick 3\r\n");
    ASSERT_NE(seen.find("tick 3"), std::string::npos) << seen;
    std::string dir = images("tty");
    c.checkpoint({dir, false, false, false});
    seen += read_for(master, 200, "\x01");  // what was on its way before the dump
    long last = ticks(seen).back();

    RestoreOptions r;
    r.dir = dir;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    r.stdio = {null, null, null};
    try {
        session().restore(c.name(), r);
        ADD_FAILURE() << "a terminal was replaced by /dev/null";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_argument) << e.what();
        EXPECT_NE(std::string(e.what()).find("stdio fd 0 was a terminal"), std::string::npos)
            << e.what();
    }
    close(null);
    EXPECT_EQ(c.state(), State::stopped);

    r.stdio = {-1, -1, -1};
    auto back = session().restore(c.name(), r);
    std::string more = read_for(master, 10000, "tick " + std::to_string(last + 3) + "\r\n");
    auto t = ticks(seen + more);
    EXPECT_TRUE(counts_on(t));
    EXPECT_GE(t.size(), static_cast<size_t>(last + 3))
        << "no output on the terminal after the restore: " << more;
    // A terminal that is gone (its master closed: /dev/pts/N is no more) is replaced by a
    // hung-up one: the restore succeeds and the container runs on.
    std::string dir2 = images("tty-gone");
    back.checkpoint({dir2, false, false, false});
    close(master);
    r.dir = dir2;
    auto again = session().restore(c.name(), r);
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(again.state(), State::running);
    again.destroy(true);
}

// The master the backend sent over `sock` (waits up to 10 s); -1 if none came.
int receive_fd(int sock) {
    struct pollfd p {
        sock, POLLIN, 0
    };
    if (poll(&p, 1, 10000) <= 0) return -1;
    char byte;
    struct iovec iov {
        &byte, 1
    };
    alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

// Terminals are relayed to the caller through linux+ssh:// too: these run remotely as well.
class CheckpointTerminal : public Checkpoint {};

// A -t container: its terminal's slave is the container's, its master the console holder's.
// A checkpoint that leaves it running keeps its terminal working; a restore gives it a new
// terminal whose master goes to the restore's console socket, and the count goes on there.
TEST_F(CheckpointTerminal, TerminalOfATContainerComesBackThroughTheConsoleSocket) {
    int sock[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock), 0);
    auto s = spec({"/bin/sh", "-c", kTicker});
    s.process.terminal = true;
    auto c = session().create(s);
    StartOptions o;
    o.stdio = {-1, -1, -1};  // the terminal is its stdio (and remotely, fds cannot go)
    o.console_socket = sock[1];
    o.detach = true;
    c.start(o);
    int m1 = receive_fd(sock[0]);
    ASSERT_GE(m1, 0) << "no terminal was sent";
    std::string seen = read_for(m1, 10000, "tick 3\r\n");
    ASSERT_NE(seen.find("tick 3"), std::string::npos) << seen;
    std::string dir = images("ptyt");
    c.checkpoint({dir, true, false, false});
    long at = ticks(seen).back();
    seen += read_for(m1, 10000, "tick " + std::to_string(at + 5) + "\r\n");
    EXPECT_TRUE(counts_on(ticks(seen)));
    EXPECT_GE(ticks(seen).back(), at + 5) << "its terminal stopped after the checkpoint";
    c.kill(SIGKILL);
    c.wait(10s);
    close(m1);

    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    r.console_socket = sock[1];
    auto back = session().restore(c.name(), r);
    int m2 = receive_fd(sock[0]);
    ASSERT_GE(m2, 0) << "the restored terminal's master was not sent";
    std::string more = read_for(m2, 10000, "tick " + std::to_string(at + 3) + "\r\n");
    auto t = ticks(more);
    ASSERT_FALSE(t.empty()) << "no output on the restored terminal";
    // From the checkpoint's count on (the original got further before it was killed).
    EXPECT_GE(t.front(), at);
    EXPECT_LE(t.front(), at + 3);
    for (size_t i = 1; i < t.size(); ++i) EXPECT_EQ(t[i], t[i - 1] + 1) << more;
    EXPECT_NE(more.find("tick " + std::to_string(at + 3)), std::string::npos) << more;
    back.destroy(true);
    close(m2);
    // Without a console socket nobody would read the terminal: it is hung up, and the restored
    // container runs on.
    r.console_socket = -1;
    auto alone = session().restore(c.name() + "-alone", r);
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(alone.state(), State::running);
    alone.destroy(true);
    close(sock[0]);
    close(sock[1]);
}

// `ct restore --attach` runs the restored container in the foreground: a -t container's new
// terminal is ct's own (as for `ct run -t`), another's stdio is ct's, and ct's exit code is
// the container's.
TEST_F(CheckpointStdio, RestoreAttachGivesTheContainerCtsTerminal) {
    int sock[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock), 0);
    auto s = spec({"/bin/sh", "-c", kTicker});
    s.process.terminal = true;
    auto c = session().create(s);
    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.console_socket = sock[1];
    o.detach = true;
    c.start(o);
    int m1 = receive_fd(sock[0]);
    close(sock[0]);
    close(sock[1]);
    ASSERT_GE(m1, 0) << "no terminal was sent";
    std::string seen = read_for(m1, 10000, "tick 3\r\n");
    std::string dir = images("attach");
    c.checkpoint({dir, false, false, false});
    close(m1);
    long at = ticks(seen).back();

    int master = -1;
    pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        setenv("CT_BACKEND_PATH", CT_TEST_BACKEND_DIR, 1);
        std::string u = uri(), n = c.name();
        execl(CT_TEST_CT_BIN, CT_TEST_CT_BIN, "-c", u.c_str(), "restore", n.c_str(), "--dir",
              dir.c_str(), "--attach", static_cast<char *>(nullptr));
        _exit(127);
    }
    std::string more = read_for(master, 10000, "tick " + std::to_string(at + 3) + "\r\n");
    EXPECT_NE(more.find("tick " + std::to_string(at + 3)), std::string::npos) << more;
    EXPECT_EQ(c.info().state, State::running);
    c.kill(SIGKILL);
    read_for(master, 2000, "\x01");  // drain until ct lets go of the terminal
    int st = 0;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL) << st << "\n" << more;
    close(master);
    c.destroy(true);
}

// A container started with a log file (as `ct start --log` does) comes back writing to ct's
// stdout instead.
TEST_F(CheckpointStdio, RestoreAttachGivesTheContainerCtsStdio) {
    auto c = session().create(spec({"/bin/sh", "-c", kTicker}));
    std::string tmp = temp_dir(temp_dirs_, "attachio"), out = tmp + "/out", log = tmp + "/log";
    int logfd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    ASSERT_GE(logfd, 0);
    StartOptions o;
    o.stdio = {-1, logfd, logfd};
    o.detach = true;
    c.start(o);
    close(logfd);
    ASSERT_GE(wait_ticks(log, 3).size(), 3u) << read_text(log);
    c.checkpoint({tmp + "/images", false, false, false});
    auto logged = ticks(read_text(log)).size();
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    pid_t pid = spawn_ct(uri(), {"restore", c.name(), "--dir", tmp + "/images", "--attach"}, fd);
    close(fd);
    auto t = wait_ticks(out, 3);
    EXPECT_GE(t.size(), 3u) << "the restored container's output did not reach ct's stdout: "
                            << read_text(out);
    if (!t.empty()) {
        EXPECT_EQ(t.front(), static_cast<long>(logged) + 1) << "not counting on";
    }
    EXPECT_EQ(ticks(read_text(log)).size(), logged) << "the log still got output";
    c.kill(SIGKILL);
    int st = 0;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL) << st << read_text(out);
    c.destroy(true);
}

TEST_F(Checkpoint, BadRequestsChangeNothing) {
    auto c = session().create(spec({"/bin/sleep", "100"}));
    std::string dir = images("bad");
    try {
        c.checkpoint({dir, false, false, false});
        ADD_FAILURE() << "checkpoint of a created container succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir));

    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.detach = true;
    c.start(o);
    fs::create_directories(dir);
    write_text(dir + "/precious", "x");
    try {
        c.checkpoint({dir, false, false, false});
        ADD_FAILURE() << "checkpoint into a non-empty directory succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exists) << e.what();
    }
    EXPECT_EQ(read_text(dir + "/precious"), "x");
    EXPECT_EQ(c.state(), State::running);

    auto u = spec({"/bin/sleep", "100"});
    u.namespaces = default_namespaces();
    u.namespaces->push_back({Namespace::user, {}});
    u.uid_map = {{0, 100000, 65536}};
    u.gid_map = {{0, 100000, 65536}};
    auto uc = session().create(u);
    uc.start(o);
    try {
        uc.checkpoint({dir + "-u", false, false, false});
        ADD_FAILURE() << "checkpoint of a user-namespace container succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::unsupported) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir + "-u"));
    uc.destroy(true);

    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    try {
        session().restore("nothing-here", r);
        ADD_FAILURE() << "restore from a directory without images succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found) << e.what();
        EXPECT_NE(std::string(e.what()).find("ct-checkpoint.json"), std::string::npos) << e.what();
    }
    fs::remove(dir + "/precious");
    c.checkpoint({dir, true, false, false});
    try {
        session().restore(c.name(), r);
        ADD_FAILURE() << "restore over a running container succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exists) << e.what();
    }
    EXPECT_EQ(session().list().size(), 1u);
    c.destroy(true);
}

TEST_F(Checkpoint, CriuFailuresQuoteItsLogAndLeaveNothing) {
    auto c = session().create(spec({"/bin/sleep", "100"}));
    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.detach = true;
    c.start(o);
    std::string dir = images("fail");
    c.checkpoint({dir, true, false, false});
    c.destroy(true);
    // Images without init's registers: CRIU refuses them, and says why in its log.
    ASSERT_TRUE(fs::remove(dir + "/core-1.img"));
    RestoreOptions r;
    r.dir = dir;
    r.stdio = {-1, -1, -1};
    try {
        session().restore(c.name(), r);
        ADD_FAILURE() << "restore from broken images succeeded";
    } catch (const Error &e) {
        std::string m = e.what();
        EXPECT_NE(m.find("restore container '" + c.name() + "'"), std::string::npos) << m;
        EXPECT_NE(m.find("CRIU's log"), std::string::npos) << m;
        EXPECT_NE(m.find("Error ("), std::string::npos) << m;
        EXPECT_NE(m.find("Restoring FAILED"), std::string::npos) << m;
        EXPECT_EQ(m.find("restore container '" + c.name() + "'", 1), std::string::npos)
            << "said twice: " << m;
    }
    EXPECT_TRUE(session().list().empty()) << "a failed restore left its container";
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, c.name()).empty());
}

}  // namespace
}  // namespace ct::test
