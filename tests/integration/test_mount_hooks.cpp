// A mount's hooks (MountSpec::hooks): run by the container's process around that mount, in
// its mount namespace with the host's root still visible; a failing one fails the start,
// naming it; nothing they start outlives the setup in the container's pid namespace.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

constexpr uint32_t kHostBase = 231072;  // a user namespace's 0 on the host

class MountHooks : public LinuxTest {
  protected:
    // A host directory for the hooks' reports, writable by anyone (a user namespace's root
    // writes there too); removed by the fixture.
    std::string log_dir(const std::string &tag) {
        std::string d = "/tmp/ct-mhook-" + std::to_string(getpid()) + "-" + tag;
        fs::remove_all(d);
        fs::create_directories(d);
        ::chmod(d.c_str(), 0777);
        temp_dirs_.push_back(d);
        return d;
    }
    std::string rootfs_copy(const std::string &tag) {
        auto d = private_rootfs("mhook-" + tag);
        temp_dirs_.push_back(d);
        return d;
    }
    static Hook sh_hook(const std::string &script) {
        return Hook{"/bin/sh", {"sh", "-c", script}, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, {}};
    }
};

std::string own_mount_ns() {
    return fs::read_symlink("/proc/self/ns/mnt").string();
}

TEST_F(MountHooks, RunAroundTheirOwnMountInTheContainersMountNamespace) {
    auto root = rootfs_copy("around");
    fs::create_directories(root + "/b");  // for the file its pre hook writes
    auto log = log_dir("around");
    auto s = spec({"/bin/sh", "-c", "cat /a/mark; cat /b/mark"});
    s.rootfs = root;
    MountSpec a{"", "/a", "tmpfs", {"size=1m"}};
    // After its mount: what it writes lands in the container's tmpfs, and it reads the
    // "creating" state on stdin.
    a.hooks.post = {sh_hook("readlink /proc/self/ns/mnt > " + log + "/a-post-ns; cat > " + log +
                            "/a-post-state; echo a-post > " + root + "/a/mark")};
    MountSpec b{"", "/b", "tmpfs", {"size=1m"}};
    // Before its mount: the first mount (and its post hook's file) is there, its own is not.
    b.hooks.pre = {sh_hook("readlink /proc/self/ns/mnt > " + log + "/b-pre-ns; cat " + root +
                           "/a/mark > " + log + "/b-pre; grep -c ' " + root +
                           "/b ' /proc/self/mountinfo >> " + log + "/b-pre; echo b-pre > " + root +
                           "/b/mark")};
    b.hooks.post = {sh_hook("grep -c ' " + root + "/b ' /proc/self/mountinfo > " + log +
                            "/b-post; echo b-post > " + root + "/b/mark")};
    s.mounts = {a, b};
    auto r = run(s);
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    EXPECT_EQ(r.out, "a-post\nb-post\n") << r.err;
    EXPECT_EQ(read_text(log + "/b-pre"), "a-post\n0\n");
    EXPECT_EQ(read_text(log + "/b-post"), "1\n");
    std::string ns = read_text(log + "/a-post-ns");
    EXPECT_NE(ns, own_mount_ns() + "\n") << "a hook runs in the container's mount namespace";
    EXPECT_EQ(read_text(log + "/b-pre-ns"), ns) << "every hook in the same one";
    std::string state = read_text(log + "/a-post-state");
    EXPECT_NE(state.find("\"status\":\"creating\""), std::string::npos) << state;
    EXPECT_NE(state.find("\"id\":\"" + s.name + "\""), std::string::npos) << state;
    // The host's directories under the tmpfs mounts got nothing but the pre hook's file,
    // written before its mount hid it.
    EXPECT_FALSE(fs::exists(root + "/a/mark"));
    EXPECT_EQ(read_text(root + "/b/mark"), "b-pre\n");
}

TEST_F(MountHooks, AFailingHookFailsTheStartNamingItAndLeavesNothing) {
    auto root = rootfs_copy("fails");
    auto log = log_dir("fails");
    for (const char *when : {"pre", "post"}) {
        SCOPED_TRACE(when);
        auto s = spec({"/bin/true"});
        s.rootfs = root;
        MountSpec a{"", "/a", "tmpfs", {"size=1m"}};
        MountSpec b{"", "/b", "tmpfs", {"size=1m"}};
        Hook fails = sh_hook("echo nope >&2; exit 3");
        (std::string(when) == "pre" ? b.hooks.pre : b.hooks.post) = {fails};
        // The mount after it is never made, its hooks never run.
        MountSpec c{"", "/c", "tmpfs", {"size=1m"}};
        c.hooks.pre = {sh_hook("touch " + log + "/c-pre")};
        s.mounts = {a, b, c};
        auto ct = session().create(s);
        try {
            ct.start();
            ADD_FAILURE() << "started with a failing mount hook";
        } catch (const Error &e) {
            std::string m = e.what();
            EXPECT_NE(m.find("mounts[1].hooks." + std::string(when) +
                             "[0] (/bin/sh) exited with status 3"),
                      std::string::npos)
                << m;
        }
        EXPECT_FALSE(fs::exists(log + "/c-pre"));
        ct.destroy(true);
    }
}

TEST_F(MountHooks, WhatAHookLeavesRunningDoesNotOutliveTheSetup) {
    auto root = rootfs_copy("leftover");
    auto log = log_dir("leftover");
    auto s = spec({"/bin/sh", "-c",
                   "p=$(cat /a/pid); kill -0 $p 2>/dev/null && echo alive || echo gone; "
                   "ls /proc | grep -c '^[0-9]'"});
    s.rootfs = root;
    MountSpec a{"", "/a", "tmpfs", {"size=1m"}};
    // Left behind, it would sit in the container with the host's privileges and root: a
    // fork of the hook's shell, blocked opening a fifo (an exec'd host program would not get
    // far once the container's root is entered).
    a.hooks.post = {sh_hook("mkfifo " + log + "/fifo; (read x < " + log + "/fifo) & echo $! > " +
                            root + "/a/pid")};
    s.mounts = {a};
    auto r = run(s);
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    // The container's shell and the `ls` it forked (and the grep beside it).
    EXPECT_EQ(r.out.substr(0, 5), "gone\n") << r.out << r.err;
    EXPECT_LE(std::stoi(r.out.substr(5)), 3) << r.out;
}

TEST_F(MountHooks, InAUserNamespaceAHookIsTheContainersRootNotTheHosts) {
    if (std::stoi(read_text("/proc/sys/user/max_user_namespaces")) == 0)
        GTEST_SKIP() << "user namespaces are disabled (user.max_user_namespaces = 0)";
    auto root = rootfs_copy("userns");
    host_sh("chown -R " + std::to_string(kHostBase) + ":" + std::to_string(kHostBase) + " " + root);
    auto log = log_dir("userns");
    auto s = spec({"/bin/true"});
    s.rootfs = root;
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::user, {}});
    s.namespaces = ns;
    s.uid_map = {{0, kHostBase, 65536}};
    s.gid_map = {{0, kHostBase, 65536}};
    MountSpec a{"", "/a", "tmpfs", {"size=1m"}};
    // A host file only the host's root may write: the hook must not be able to.
    std::string guarded = log + "/guarded";
    write_text(guarded, "host\n");
    ::chmod(guarded.c_str(), 0644);
    a.hooks.pre = {
        sh_hook("id -u > " + log + "/uid; echo hook >> " + guarded + " 2>/dev/null; true")};
    s.mounts = {a};
    auto r = run(s);
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    EXPECT_EQ(read_text(log + "/uid"), "0\n");
    struct stat st {};
    ASSERT_EQ(::stat((log + "/uid").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kHostBase) << "the hook's files are the container root's";
    EXPECT_EQ(read_text(guarded), "host\n") << "the hook wrote a file of the host's root";
}

}  // namespace
}  // namespace ct::test
