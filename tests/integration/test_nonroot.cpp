// The library used by an unprivileged user, for real: the test runs `ct` as a system user it
// creates (ct-fssec, with no subordinate ids) and checks what works (a user namespace mapping
// the user's own ids, state under $XDG_RUNTIME_DIR, no cgroups) and the errors for what needs
// root. test_rootless.cpp has the rootless default with subordinate ids.
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

constexpr const char kUser[] = "ct-fssec";

struct CtResult {
    int rc = -1;
    std::string out, err;
};

class NonRoot : public LinuxTest {
  protected:
    static void SetUpTestSuite() {
        if (geteuid() != 0 || getpwnam(kUser)) return;
        std::string cmd =
            std::string("useradd --system --no-create-home --shell /usr/sbin/nologin ") + kUser +
            " >/dev/null 2>&1";
        created_user_ = std::system(cmd.c_str()) == 0;
    }
    static void TearDownTestSuite() {
        if (created_user_) {
            std::string cmd = std::string("userdel ") + kUser + " >/dev/null 2>&1";
            if (std::system(cmd.c_str()) != 0)
                std::fprintf(stderr, "cannot remove user %s\n", kUser);
        }
    }

    void SetUp() override {
        LinuxTest::SetUp();
        if (IsSkipped()) return;
        struct passwd *pw = getpwnam(kUser);
        if (!pw) GTEST_SKIP() << "cannot create the unprivileged test user " << kUser;
        uid_ = pw->pw_uid;
        gid_ = pw->pw_gid;
        // Probe: may this user create a user namespace on this kernel?
        pid_t pid = fork();
        if (pid == 0) {
            if (setgroups(0, nullptr) || setresgid(gid_, gid_, gid_) || setresuid(uid_, uid_, uid_))
                _exit(2);
            _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            GTEST_SKIP() << "the kernel refuses unprivileged user namespaces here";
        base_ = "/tmp/ct-fssec-" + std::to_string(getpid()) + "-nonroot";
        fs::remove_all(base_);
        fs::create_directories(base_);
        temp_dirs_.push_back(base_);
        xdg_ = base_ + "/xdg";
        rootfs_ = base_ + "/rootfs";
        out_ = base_ + "/out";
        host_sh("cp -a " + busybox_rootfs() + " " + rootfs_ + " && mkdir -p " + xdg_ + " " + out_ +
                " && chmod 700 " + xdg_ + " && chmod 755 " + base_ + " && chown -R " + ids() + " " +
                base_);
    }

    std::string ids() const { return std::to_string(uid_) + ":" + std::to_string(gid_); }

    // Runs the `ct` command as the unprivileged user, with a clean environment.
    CtResult ct(const std::string &args) {
        std::string o = base_ + "/stdout", e = base_ + "/stderr";
        std::string cmd = "setpriv --reuid=" + std::to_string(uid_) +
                          " --regid=" + std::to_string(gid_) +
                          " --clear-groups env -i PATH=/usr/bin:/bin " + "XDG_RUNTIME_DIR=" + xdg_ +
                          " CT_BACKEND_PATH=" + CT_TEST_BACKEND_DIR + " " + CT_TEST_CT_BIN + " " +
                          args + " >" + o + " 2>" + e;
        CtResult r;
        int st = std::system(cmd.c_str());
        r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        r.out = read_text(o);
        r.err = read_text(e);
        return r;
    }
    std::string userns_args() const {
        return "--rootfs " + rootfs_ +
               " --ns user,mount,pid,uts,ipc,net --uid-map 0:" + std::to_string(uid_) +
               ":1 --gid-map 0:" + std::to_string(gid_) + ":1";
    }

    static inline bool created_user_ = false;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    std::string base_, xdg_, rootfs_, out_;
};

// Namespaces listed without 'user' are made as listed: that needs root (the default, with no
// list, is a user namespace: test_rootless.cpp).
TEST_F(NonRoot, NamespacesWithoutAUserNamespaceNeedRoot) {
    auto r = ct("run --rootfs " + rootfs_ + " --ns mount,pid,uts,ipc,net -- /bin/true");
    EXPECT_EQ(r.rc, 125) << r.out << r.err;  // run: the container could not start
    EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("add 'user' to namespaces"), std::string::npos) << r.err;
}

// Interfaces have a host side, which needs CAP_NET_ADMIN on the host: refused at create,
// naming the interface, and nothing is left behind (TearDown asserts it).
TEST_F(NonRoot, InterfacesNeedNetAdmin) {
    auto r = ct("run --rootfs " + rootfs_ + " --net veth:eth0 -- /bin/true");
    EXPECT_EQ(r.rc, 125) << r.out << r.err;
    EXPECT_NE(r.err.find("network[0] (veth eth0): interfaces need CAP_NET_ADMIN on the host"),
              std::string::npos)
        << r.err;
    std::string left;
    if (fs::exists(xdg_ + "/ct/linux"))
        for (const auto &e : fs::directory_iterator(xdg_ + "/ct/linux"))
            left += e.path().filename().string() + " ";
    EXPECT_EQ(left, "") << "state left behind";
}

TEST_F(NonRoot, AUserNamespaceMappingItsOwnIdsWorks) {
    auto r = ct("run " + userns_args() + " --hostname inside --mount " + out_ +
                ":/out -- /bin/sh -c 'id -u; cat /proc/self/uid_map; hostname; touch /out/made; "
                "echo x > /dev/null && echo null-ok; ls /proc | grep -c \"^[0-9]\"'");
    EXPECT_EQ(r.rc, 0) << r.err;
    char map[64];
    std::snprintf(map, sizeof map, "%10u %10u %10u", 0U, static_cast<unsigned>(uid_), 1U);
    EXPECT_EQ(r.out, "0\n" + std::string(map) + "\ninside\nnull-ok\n3\n") << r.err;
    struct stat st {};
    ASSERT_EQ(stat((out_ + "/made").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);  // the container's root is the user on the host
}

TEST_F(NonRoot, StateUnderXdgRuntimeDirAndInitRunsAsTheUser) {
    write_text(base_ + "/spec.yaml",
               "name: fssec-nr\nrootfs: " + rootfs_ +
                   "\nnamespaces: [user, mount, pid, uts, ipc, net]\n"
                   "uid_map: [{container_id: 0, host_id: " +
                   std::to_string(uid_) + ", size: 1}]\ngid_map: [{container_id: 0, host_id: " +
                   std::to_string(gid_) + ", size: 1}]\nprocess: {args: [/bin/sleep, '60']}\n");
    ASSERT_EQ(ct("create " + base_ + "/spec.yaml").rc, 0);
    EXPECT_TRUE(fs::is_directory(xdg_ + "/ct/linux/fssec-nr"));
    auto start = ct("start fssec-nr");
    ASSERT_EQ(start.rc, 0) << start.err;
    auto info = ct("info fssec-nr --json");
    auto at = info.out.find("\"pid\":");
    ASSERT_NE(at, std::string::npos) << info.out;
    long pid = std::stol(info.out.substr(at + 6));
    EXPECT_EQ(host_uid_of(pid), static_cast<long>(uid_));
    // No cgroup: the user cannot make one, and the spec asks for no limit.
    EXPECT_TRUE(cgroup_dirs_for("ct", "fssec-nr").empty());
    auto d = ct("destroy --force fssec-nr");
    EXPECT_EQ(d.rc, 0) << d.err;
    EXPECT_FALSE(fs::exists(xdg_ + "/ct/linux/fssec-nr"));
}

TEST_F(NonRoot, OverlayRootWithoutPrivileges) {
    // overlayfs in a user namespace (Linux 5.11+): the shared image stays untouched.
    host_sh("mkdir -p " + base_ + "/mnt " + base_ + "/up " + base_ + "/wk && chown " + ids() + " " +
            base_ + "/mnt " + base_ + "/up " + base_ + "/wk");
    write_text(base_ + "/ovl.yaml",
               "name: fssec-ovl\nrootfs: " + base_ + "/mnt\nprivate: {type: overlay, lower: [" +
                   busybox_rootfs() + "], path: " + base_ + "/up, work: " + base_ +
                   "/wk}\nnamespaces: [user, mount, pid, uts, ipc, net]\n"
                   "uid_map: [{container_id: 0, host_id: " +
                   std::to_string(uid_) +
                   ", size: 1}]\ngid_map: [{container_id: 0, host_id: " + std::to_string(gid_) +
                   ", size: 1}]\nprocess: {args: [/bin/sh, -c, 'echo hi > /mine; cat "
                   "/mine']}\n");
    auto r = ct("run " + base_ + "/ovl.yaml");
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "hi\n");
    struct stat st {};
    ASSERT_EQ(stat((base_ + "/up/mine").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);
    EXPECT_FALSE(fs::exists(busybox_rootfs() + "/mine"));
}

TEST_F(NonRoot, LimitsNeedCgroupsAndSaySo) {
    auto r = ct("run " + userns_args() + " --memory 64M -- /bin/true");
    EXPECT_EQ(r.rc, 125);
    EXPECT_NE(r.err.find("resources needs cgroups"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("delegate"), std::string::npos) << r.err;
    EXPECT_EQ(ct("list --quiet").out, "");  // nothing left behind
}

TEST_F(NonRoot, OnlyItsOwnIdsCanBeMapped) {
    auto r =
        ct("run --rootfs " + rootfs_ +
           " --ns user,mount,pid --uid-map 0:100000:65536 --gid-map 0:100000:65536 -- /bin/true");
    EXPECT_EQ(r.rc, 125);
    EXPECT_NE(r.err.find("uid_map: host uid 100000-165535 cannot be mapped by an unprivileged"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace ct::test
