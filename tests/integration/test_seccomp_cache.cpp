// The seccomp cache of the linux backend (security/seccomp.cpp), tested on its own: a compiled
// program is what the kernel loads, so the cache must never hand back one it did not write.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/seccomp.hpp"

namespace ct::linux_native {
namespace {

namespace fs = std::filesystem;

class SeccompCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = "/tmp/ct-seccomp-cache-" + std::to_string(getpid());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::vector<fs::path> files() const {
        std::vector<fs::path> out;
        if (fs::exists(dir_ + "/seccomp"))
            for (const auto &e : fs::directory_iterator(dir_ + "/seccomp")) out.push_back(e.path());
        return out;
    }
    SeccompSpec profile() const {
        SeccompSpec p;
        p.default_action = "SCMP_ACT_ALLOW";
        p.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 13, {}}};
        return p;
    }
    std::string dir_;
};

// Loads `p` in a child and runs mkdir there: the errno mkdir fails with (0: it worked).
int mkdir_errno_under(const SeccompProgram &p, const std::string &dir) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t c = fork();
    if (c == 0) {
        struct sock_fprog prog {};
        prog.len = static_cast<unsigned short>(p.insns.size());
        prog.filter = const_cast<struct sock_filter *>(p.insns.data());
        int e = 0;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.flags, &prog) != 0)
            e = -1;
        else if (mkdir((dir + "/m").c_str(), 0700) != 0)
            e = errno;
        (void)!write(fds[1], &e, sizeof e);
        _exit(0);
    }
    close(fds[1]);
    int e = -2;
    (void)!read(fds[0], &e, sizeof e);
    close(fds[0]);
    waitpid(c, nullptr, 0);
    rmdir((dir + "/m").c_str());
    return e;
}

TEST_F(SeccompCacheTest, AProgramIsKeptAndFoundAgainByAnotherCache) {
    auto first = SeccompCache(dir_ + "/seccomp").get(profile());
    ASSERT_TRUE(first);
    EXPECT_EQ(files().size(), 1u);
    struct stat st;
    ASSERT_EQ(stat((dir_ + "/seccomp").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    auto again = SeccompCache(dir_ + "/seccomp").get(profile());
    EXPECT_EQ(again->insns.size(), first->insns.size());
    EXPECT_EQ(mkdir_errno_under(*again, dir_), EACCES);
}

TEST_F(SeccompCacheTest, ACorruptTornOrForeignFileIsNotTrusted) {
    auto good_prog = SeccompCache(dir_ + "/seccomp").get(profile());
    ASSERT_EQ(files().size(), 1u);
    fs::path f = files()[0];
    auto read_all = [](const fs::path &path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    std::string good = read_all(f);
    // The file is the key (ending with the profile's line), 8 bytes of header, the program.
    std::string key = good.substr(0, good.size() - 8 - good_prog->insns.size() * 8);
    // A program that allows everything, under the profile's key: what a tampered cache holds.
    SeccompSpec all;
    all.default_action = "SCMP_ACT_ALLOW";
    all.syscalls = {{{"getpid"}, "SCMP_ACT_ERRNO", 1, {}}};
    auto open_prog = SeccompCache(dir_ + "/other").get(all);
    std::string open_tail;
    for (const auto &e : fs::directory_iterator(dir_ + "/other")) {
        std::string o = read_all(e.path());
        open_tail = o.substr(o.size() - 8 - open_prog->insns.size() * 8);
    }
    ASSERT_FALSE(open_tail.empty());
    auto write = [&](const std::string &data, mode_t mode) {
        fs::remove(f);
        {
            std::ofstream out(f, std::ios::binary);
            out << data;
        }
        ASSERT_EQ(chmod(f.c_str(), mode), 0);
    };
    auto check = [&](const std::string &what) {
        auto p = SeccompCache(dir_ + "/seccomp").get(profile());
        EXPECT_EQ(mkdir_errno_under(*p, dir_), EACCES) << what << ": the cache's program was used";
    };
    // The check itself: a file of ours with the right key is trusted (mkdir allowed).
    write(key + open_tail, 0600);
    EXPECT_EQ(mkdir_errno_under(*SeccompCache(dir_ + "/seccomp").get(profile()), dir_), 0)
        << "the test's tampered file is not even read";
    write(key + open_tail.substr(0, open_tail.size() - 8), 0600);
    check("torn (shorter than its header says)");
    write("ct-seccomp 2 another profile\n" + open_tail, 0600);
    check("another key");
    write(key + open_tail, 0666);
    check("world-writable file");
    write(key + open_tail, 0600);
    ASSERT_EQ(chmod((dir_ + "/seccomp").c_str(), 0777), 0);
    check("in a world-writable directory");
}

TEST_F(SeccompCacheTest, NamesThisArchitectureLacksAreSkipped) {
    SeccompSpec p;
    p.default_action = "SCMP_ACT_ALLOW";
    p.syscalls = {{{"no_such_call_anywhere", "mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 1, {}}};
    SeccompProgram prog;
    ASSERT_NO_THROW(prog = compile_seccomp(p));
    EXPECT_EQ(mkdir_errno_under(prog, dir_), EPERM);  // the rule holds for the names it knows
}

}  // namespace
}  // namespace ct::linux_native
