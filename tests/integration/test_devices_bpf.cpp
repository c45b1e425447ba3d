// The eBPF device allow-list (what the backend attaches on cgroup v2, where there is no
// devices.allow), run on this kernel: a process in a cgroup2 directory with the program
// attached opens what the rules allow and gets EPERM for the rest. A separate program from
// the API tests because the generator is internal to the backend.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "security/devices.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

std::string cgroup2_root() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        auto dash = line.find(" - ");
        std::istringstream pre(line.substr(0, dash)), post(line.substr(dash + 3));
        std::string id, parent, dev, root, point, fstype;
        pre >> id >> parent >> dev >> root >> point;
        post >> fstype;
        if (fstype == "cgroup2") return point;
    }
    return "";
}

// A cgroup2 directory for one test, removed even when the test fails half-way.
struct TestCgroup {
    std::string dir;
    explicit TestCgroup(std::string d) : dir(std::move(d)) { mkdir(dir.c_str(), 0755); }
    ~TestCgroup() { rmdir(dir.c_str()); }
};

// In a child moved into `dir`: `op()` (0 or an errno); that, or -1 when the child failed.
template <typename Op>
int in_cgroup(const std::string &dir, Op op) {
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        int rc = 0;
        int procs = open((dir + "/cgroup.procs").c_str(), O_WRONLY);
        if (procs < 0 || write(procs, "0", 1) != 1) {
            rc = 1000;
        } else {
            rc = op();
        }
        ssize_t w = write(pfd[1], &rc, sizeof rc);
        (void)w;
        _exit(0);
    }
    close(pfd[1]);
    int rc = -1;
    ssize_t n = read(pfd[0], &rc, sizeof rc);
    close(pfd[0]);
    int st;
    waitpid(pid, &st, 0);
    return n == sizeof rc ? rc : -1;
}

int open_in_cgroup(const std::string &dir, const char *path, int flags) {
    return in_cgroup(dir, [&] { return open(path, flags) < 0 ? errno : 0; });
}

int mknod_in_cgroup(const std::string &dir, const std::string &path, mode_t type, dev_t dev) {
    int rc = in_cgroup(dir, [&] { return mknod(path.c_str(), type | 0600, dev) < 0 ? errno : 0; });
    unlink(path.c_str());
    return rc;
}

TEST(DeviceBpf, ProgramAllowsExactlyTheRules) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (bpf, cgroups)";
    auto root = cgroup2_root();
    if (root.empty()) GTEST_SKIP() << "no cgroup2 hierarchy mounted on this host";
    TestCgroup cg(root + "/ct-fssec-bpf-" + std::to_string(getpid()));
    const std::string &dir = cg.dir;
    {
        Fd dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(dfd);
        std::vector<DeviceAccess> rules = {
            {false, 'a', -1, -1, 7},                         // deny everything
            {true, 'c', 1, 3, 7},                            // null: rwm
            {true, 'c', 1, 5, kAccessRead},                  // zero: read only
            {true, 'c', 1, -1, kAccessRead | kAccessWrite},  // any 1:*: rw ...
            {false, 'c', 1, 7, kAccessWrite},                // ... but full: no write
        };
        attach_device_bpf(dfd.get(), dir, rules);
    }
    EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_RDWR), 0);
    EXPECT_EQ(open_in_cgroup(dir, "/dev/zero", O_RDONLY), 0);
    EXPECT_EQ(open_in_cgroup(dir, "/dev/zero", O_RDWR), 0);  // 1:* rw covers it
    EXPECT_EQ(open_in_cgroup(dir, "/dev/full", O_RDONLY), 0);
    EXPECT_EQ(open_in_cgroup(dir, "/dev/full", O_WRONLY), EPERM);  // the later deny wins
    EXPECT_EQ(open_in_cgroup(dir, "/dev/full", O_RDWR), EPERM);    // any denied access
    EXPECT_EQ(open_in_cgroup(dir, "/dev/tty", O_RDONLY), EPERM);   // 5:0: not listed
}

// Device type, mknod and a deny of one access for every device: each field of a rule is
// matched on its own, whatever the others are.
TEST(DeviceBpf, TypeMknodAndPartialDenyRules) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (bpf, cgroups)";
    auto root = cgroup2_root();
    if (root.empty()) GTEST_SKIP() << "no cgroup2 hierarchy mounted on this host";
    TestCgroup cg(root + "/ct-fssec-bpf3-" + std::to_string(getpid()));
    const std::string &dir = cg.dir;
    {
        Fd dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(dfd);
        attach_device_bpf(dfd.get(), dir,
                          {
                              {false, 'a', -1, -1, 7},                         // deny everything
                              {true, 'c', -1, -1, kAccessMknod},               // mknod of chars
                              {true, 'c', 1, -1, kAccessRead | kAccessWrite},  // 1:* rw
                              {false, 'a', -1, -1, kAccessWrite},              // no write at all
                              {true, 'c', 1, 5, 7},                            // but zero: rwm
                              {true, 'b', 4095, 1048575, 7},  // the largest numbers
                          });
    }
    std::string node = "/tmp/ct-bpf-node-" + std::to_string(getpid());
    EXPECT_EQ(mknod_in_cgroup(dir, node, S_IFCHR, makedev(1, 3)), 0);
    EXPECT_EQ(mknod_in_cgroup(dir, node, S_IFCHR, makedev(200, 7)), 0);
    EXPECT_EQ(mknod_in_cgroup(dir, node, S_IFBLK, makedev(7, 0)), EPERM);
    EXPECT_EQ(mknod_in_cgroup(dir, node, S_IFBLK, makedev(4095, 1048575)), 0);
    EXPECT_EQ(mknod_in_cgroup(dir, node, S_IFBLK, makedev(4095, 1048574)), EPERM);
    EXPECT_EQ(mknod_in_cgroup(dir, node, S_IFBLK, makedev(4094, 1048575)), EPERM);
    EXPECT_EQ(mknod_in_cgroup(dir, node, S_IFCHR, makedev(4095, 1048575)), 0);  // chars: any
    EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_RDONLY), 0);
    EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_WRONLY), EPERM);  // the write deny
    EXPECT_EQ(open_in_cgroup(dir, "/dev/zero", O_RDWR), 0);        // allowed again after it
    EXPECT_EQ(open_in_cgroup(dir, "/dev/tty", O_RDONLY), EPERM);   // 5:0: not listed
}

TEST(DeviceBpf, AnyTypeRuleAndEmptyList) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (bpf, cgroups)";
    auto root = cgroup2_root();
    if (root.empty()) GTEST_SKIP() << "no cgroup2 hierarchy mounted on this host";
    TestCgroup cg(root + "/ct-fssec-bpf2-" + std::to_string(getpid()));
    const std::string &dir = cg.dir;
    {
        Fd dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        attach_device_bpf(dfd.get(), dir, {});  // no rule: nothing allowed
    }
    EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_RDONLY), EPERM);
    // The attachment goes with the directory: a new one starts without the program.
    ASSERT_EQ(rmdir(dir.c_str()), 0);
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << dir;
    EXPECT_EQ(open_in_cgroup(dir, "/dev/null", O_RDONLY), 0);
    {
        Fd dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        attach_device_bpf(dfd.get(), dir, {{false, 'a', -1, -1, 7}, {true, 'a', -1, -1, 7}});
    }
    EXPECT_NE(open_in_cgroup(dir, "/dev/tty", O_RDONLY), EPERM);
}

}  // namespace
}  // namespace ct::linux_native
