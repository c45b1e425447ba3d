#include "fixture.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ct::test {
namespace {

std::atomic<int> g_seq{0};

std::string list_dir(const std::string &dir) {
    std::vector<std::string> v;
    if (DIR *d = opendir(dir.c_str())) {
        while (auto *e = readdir(d))
            if (e->d_name[0] != '.') v.push_back(e->d_name);
        closedir(d);
    }
    std::sort(v.begin(), v.end());
    std::string out;
    for (auto &s : v) out += s + " ";
    return out;
}

std::vector<long> my_children() {
    std::vector<long> out;
    std::string self = std::to_string(getpid());
    if (DIR *d = opendir("/proc")) {
        while (auto *e = readdir(d)) {
            if (!isdigit(e->d_name[0])) continue;
            std::string stat = read_text(std::string("/proc/") + e->d_name + "/stat");
            auto rp = stat.rfind(')');
            if (rp == std::string::npos) continue;
            std::istringstream in(stat.substr(rp + 2));
            std::string state, ppid;
            in >> state >> ppid;
            if (ppid == self) out.push_back(std::stol(e->d_name));
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Open fds, but for the session's cached device program (counted in `programs`): a session
// keeps the last one it loaded for its next container.
int count_fds(int *programs = nullptr) {
    int n = 0, progs = 0;
    if (DIR *d = opendir("/proc/self/fd")) {
        while (auto *e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            char target[64] = {};
            std::string link = std::string("/proc/self/fd/") + e->d_name;
            ssize_t len = readlink(link.c_str(), target, sizeof target - 1);
            if (len > 0 && std::string(target, len) == "anon_inode:bpf-prog")
                ++progs;
            else
                ++n;
        }
        closedir(d);
    }
    if (programs) *programs = progs;
    return n - 1;  // the DIR's own fd
}

// Mount table without the per-mount ids, which never repeat.
std::string mount_table() {
    std::istringstream in(read_text("/proc/self/mountinfo"));
    std::string line, out;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string id, parent, dev, root, point;
        ls >> id >> parent >> dev >> root >> point;
        out += root + " " + point + "\n";
    }
    return out;
}

// What changed in the mount table between `before` and `now` (mount_table() lines) that this
// test answers for. The test runs in a private mount namespace (tests/common/isolate.cpp): a
// new mount is its own. A mount gone is one it took away, unless its mount point is gone too:
// whoever owned a mount copied in at the start removed the directory, which detaches the
// copies in every namespace (other users' containers and engines come and go meanwhile).
std::string mount_changes(const std::string &before, const std::string &now) {
    std::multiset<std::string> was, is;
    std::istringstream b(before), n(now);
    for (std::string l; std::getline(b, l);) was.insert(l);
    for (std::string l; std::getline(n, l);) is.insert(l);
    std::string changes;
    for (const auto &l : is)
        if (auto it = was.find(l); it != was.end())
            was.erase(it);
        else
            changes += "left: " + l + "\n";
    for (const auto &l : was) {
        std::string point = l.substr(l.find(' ') + 1);
        if (fs::exists(point)) changes += "gone: " + l + "\n";
    }
    return changes;
}

}  // namespace

std::string read_text(const std::string &path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_text(const std::string &path, const std::string &text) {
    std::ofstream f(path);
    f << text;
}

const std::string &busybox_rootfs() {
    static const std::string dir = [] {
        std::string d = std::string(CT_TEST_BUILD_DIR) + "/tests/rootfs-busybox";
        std::string cmd = std::string(CT_MKROOTFS) + " " + d + " >/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot build " + d);
        return d;
    }();
    return dir;
}

std::string private_rootfs(const std::string &tag) {
    std::string d = "/tmp/ct-it-rootfs-" + std::to_string(getpid()) + "-" + tag;
    fs::remove_all(d);
    std::string cmd = "cp -a " + busybox_rootfs() + " " + d;
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot copy rootfs to " + d);
    return d;
}

std::string on_a_legacy_host(const std::function<void()> &scenario) {
    int rep[2];
    if (pipe2(rep, O_CLOEXEC) != 0) return "pipe2 failed";
    pid_t child = fork();
    if (child < 0) return "fork failed";
    if (child == 0) {
        std::string err;
        try {
            if (unshare(CLONE_NEWNS) != 0 ||
                mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
                throw std::runtime_error("private mount namespace");
            // The cgroup2 tree may be mounted more than once, one covering the other (the
            // test isolation stacks a fresh /sys): uncover and unmount until none is left.
            for (int i = 0; i < 6 && read_text("/proc/self/mountinfo").find(" - cgroup2 ") !=
                                         std::string::npos;
                 ++i)
                if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) != 0) umount2("/sys", MNT_DETACH);
            if (read_text("/proc/self/mountinfo").find(" - cgroup2 ") != std::string::npos)
                throw std::runtime_error("cannot hide the cgroup2 tree from the backend");
            scenario();
        } catch (const std::exception &e) {
            err = e.what();
        }
        ssize_t w = write(rep[1], err.data(), err.size());
        (void)w;
        _exit(err.empty() ? 0 : 1);
    }
    close(rep[1]);
    std::string err;
    char buf[512];
    ssize_t n;
    while ((n = read(rep[0], buf, sizeof buf)) > 0) err.append(buf, n);
    close(rep[0]);
    int st = 0;
    waitpid(child, &st, 0);
    if (err.empty() && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
        err = "the legacy-host scenario's process ended with status " + std::to_string(st);
    return err;
}

std::vector<std::string> cgroup_hierarchies() {
    // Every hierarchy the host has, named ones (name=libct) included: a list written down
    // once goes stale as soon as the backend uses one more controller.
    std::vector<std::string> out;
    std::istringstream in(read_text("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string id, parent, dev, root, point;
        ls >> id >> parent >> dev >> root >> point;
        if (root != "/" || point.rfind("/sys/fs/cgroup/", 0) != 0) continue;
        std::string h = point.substr(15);
        if (!h.empty() && h.find('/') == std::string::npos &&
            std::find(out.begin(), out.end(), h) == out.end())
            out.push_back(h);
    }
    return out;
}

std::vector<std::string> cgroup_dirs_for(const std::string &parent, const std::string &name) {
    std::vector<std::string> out;
    for (const auto &h : cgroup_hierarchies()) {
        std::string d = std::string("/sys/fs/cgroup/") + h + "/" + parent + "/" + name;
        if (fs::exists(d)) out.push_back(d);
    }
    return out;
}

RunResult run_captured(Container &c, const std::string &in) {
    int ip[2], op[2], ep[2];
    if (pipe2(ip, O_CLOEXEC) || pipe2(op, O_CLOEXEC) || pipe2(ep, O_CLOEXEC))
        throw std::runtime_error("pipe");
    StartOptions o;
    o.stdio = {ip[0], op[1], ep[1]};
    try {
        c.start(o);
    } catch (...) {
        for (int fd : {ip[0], ip[1], op[0], op[1], ep[0], ep[1]}) close(fd);
        throw;
    }
    close(ip[0]);
    close(op[1]);
    close(ep[1]);
    auto reader = [](int fd) {
        std::string s;
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, n);
        close(fd);
        return s;
    };
    auto out = std::async(std::launch::async, reader, op[0]);
    auto err = std::async(std::launch::async, reader, ep[0]);
    if (!in.empty()) {
        ssize_t w = write(ip[1], in.data(), in.size());
        (void)w;
    }
    close(ip[1]);
    RunResult r;
    r.status = c.wait(std::chrono::seconds(60));
    r.out = out.get();
    r.err = err.get();
    return r;
}

void LinuxTest::SetUp() {
    if (geteuid() != 0) GTEST_SKIP() << "integration tests need root (namespaces, cgroups)";
    int n = g_seq++;
    state_root_ = "/run/ct-it-" + std::to_string(getpid()) + "-" + std::to_string(n);
    cgroup_parent_ = "ct-it-" + std::to_string(getpid()) + "-" + std::to_string(n);
    busybox_rootfs();
    mounts_before_ = mount_table();
    netdevs_before_ = list_dir("/sys/class/net");
    children_before_ = my_children();
    session_ = std::make_unique<Session>(Session::open(uri()));
    fds_before_ = count_fds();
}

void LinuxTest::TearDown() {
    if (!session_) return;
    // The test must have cleaned up after itself; whatever is left is a leak: report it, then
    // clean so that one failure does not cascade.
    std::vector<std::string> leftovers;
    for (const auto &info : session_->list()) {
        leftovers.push_back("container " + info.name);
        try {
            session_->get(info.name).destroy(true);
        } catch (const std::exception &e) {
            leftovers.push_back(std::string("(cleanup failed: ") + e.what() + ")");
        }
    }
    EXPECT_TRUE(leftovers.empty()) << "left behind: " << ::testing::PrintToString(leftovers);
    int programs = 0;
    EXPECT_EQ(count_fds(&programs), fds_before_) << "file descriptors leaked";
    EXPECT_LE(programs, 1) << "device program fds leaked (the session caches one)";
    session_.reset();
    EXPECT_EQ(list_dir(state_root_), "") << "state files left in " << state_root_;
    fs::remove(state_root_);
    for (const auto &h : cgroup_hierarchies()) {
        std::string d = std::string("/sys/fs/cgroup/") + h + "/" + cgroup_parent_;
        if (!fs::exists(d)) continue;
        std::string sub;
        for (const auto &e : fs::directory_iterator(d))
            if (e.is_directory()) sub += e.path().string() + " ";
        EXPECT_EQ(sub, "") << "cgroups left behind";
        EXPECT_EQ(rmdir(d.c_str()), 0) << "cannot remove test cgroup parent " << d;
    }
    EXPECT_EQ(mount_changes(mounts_before_, mount_table()), "") << "mounts changed on the host";
    // A veth pair goes with its container's network namespace, which the kernel tears down
    // asynchronously (within milliseconds): left behind means still there after seconds.
    for (int i = 0; i < 500 && list_dir("/sys/class/net") != netdevs_before_; ++i) usleep(10000);
    EXPECT_EQ(list_dir("/sys/class/net"), netdevs_before_) << "network devices left behind";
    EXPECT_EQ(my_children(), children_before_) << "child processes left behind";
    for (const auto &d : temp_dirs_) fs::remove_all(d);
}

std::string LinuxTest::uri() const {
    std::string opts = "root=" + state_root_ + "&cgroup_parent=" + cgroup_parent_;
    // The remote suite (tests/remote) runs these same scenarios through linux+ssh://.
    if (const char *remote = std::getenv("CT_TEST_REMOTE_URI")) return remote + ("&" + opts);
    return "linux:///?" + opts;
}

Spec LinuxTest::spec(std::vector<std::string> args, const std::string &name) {
    Spec s;
    static std::atomic<int> n{0};
    s.name = name.empty() ? "t" + std::to_string(getpid()) + "-" + std::to_string(n++) : name;
    s.rootfs = busybox_rootfs();
    s.process.args = std::move(args);
    s.process.env = {"PATH=/bin:/sbin:/usr/bin:/usr/sbin"};
    return s;
}

RunResult LinuxTest::run(const Spec &s, const std::string &in) {
    auto c = session().create(s);
    try {
        auto r = run_captured(c, in);
        c.destroy();
        return r;
    } catch (...) {
        c.destroy(true);
        throw;
    }
}

}  // namespace ct::test
