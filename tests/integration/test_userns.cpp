// User namespaces: a container whose root is an unprivileged uid on the host, its maps, and
// what works inside one (device nodes, locked mount flags, an overlay root).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

constexpr uint32_t kHostBase = 231072;  // container 0..65535 -> host 231072..296607

class UserNs : public LinuxTest {
  protected:
    void SetUp() override {
        LinuxTest::SetUp();
        if (IsSkipped()) return;
        if (std::stoi(read_text("/proc/sys/user/max_user_namespaces")) == 0)
            GTEST_SKIP() << "user namespaces are disabled (user.max_user_namespaces = 0)";
    }
    // A spec in a new user namespace; its rootfs is a copy owned by the container's root.
    Spec userns_spec(std::vector<std::string> args, const std::string &tag) {
        auto s = spec(std::move(args));
        auto ns = s.effective_namespaces();
        ns.push_back({Namespace::user, {}});
        s.namespaces = ns;
        s.uid_map = {{0, kHostBase, 65536}};
        s.gid_map = {{0, kHostBase, 65536}};
        s.rootfs = owned_dir("rootfs-" + tag, true);
        return s;
    }
    // A host directory owned by the container's root (a copy of busybox when `rootfs`).
    std::string owned_dir(const std::string &tag, bool rootfs = false) {
        std::string d;
        if (rootfs) {
            d = private_rootfs("fssec-" + tag);
        } else {
            d = "/tmp/ct-fssec-" + std::to_string(getpid()) + "-" + tag;
            fs::remove_all(d);
            fs::create_directories(d);
        }
        temp_dirs_.push_back(d);
        host_sh("chown -R " + std::to_string(kHostBase) + ":" + std::to_string(kHostBase) + " " +
                d);
        return d;
    }
};

TEST_F(UserNs, ContainerRootIsAnUnprivilegedUidOnTheHost) {
    auto out = owned_dir("out");
    auto s = userns_spec({"/bin/sh", "-c",
                          "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; "
                          "touch /out/made; echo x > /dev/null && echo null-ok; echo up; read x"},
                         "root");
    s.mounts = {{out, "/out", "bind", {}}};
    auto c = session().create(s);
    RunResult r;
    long host_uid = -1;
    {
        Running run(c);
        std::string seen;
        for (std::string l = run.line(); l != "up" && !l.empty(); l = run.line()) seen += l + "\n";
        host_uid = host_uid_of(run.pid());  // the init, as the host sees it
        r = run.finish();
        r.out = seen + r.out;
    }
    c.destroy();
    EXPECT_EQ(host_uid, static_cast<long>(kHostBase));
    EXPECT_EQ(r.out,
              "0\n0\n         0     231072      65536\n         0     231072      65536\nnull-ok\n")
        << r.err;
    struct stat st {};
    ASSERT_EQ(stat((out + "/made").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kHostBase);
    EXPECT_EQ(st.st_gid, kHostBase);
}

TEST_F(UserNs, NonRootUserInsideMapsToItsHostUid) {
    auto s = userns_spec({"/bin/sh", "-c", "id -u; read x"}, "user");
    s.process.user = {1000, 1000, {}};
    auto c = session().create(s);
    long host_uid = -1;
    RunResult r;
    {
        Running run(c);
        EXPECT_EQ(run.line(), "1000");
        host_uid = host_uid_of(run.pid());
        r = run.finish();
    }
    c.destroy();
    EXPECT_EQ(host_uid, static_cast<long>(kHostBase + 1000)) << r.err;
}

TEST_F(UserNs, ReadOnlyBindKeepsTheLockedFlagsOfTheHostMount) {
    // A host mount with nosuid,nodev,noexec: inside a user namespace these flags are locked,
    // so a read-only remount must repeat them or the kernel says EPERM.
    auto src = owned_dir("locked");
    host_sh("mount -t tmpfs -o nosuid,nodev,noexec,mode=0777,size=1m ct-fssec-locked " + src);
    auto s = userns_spec({"/bin/sh", "-c",
                          "awk '$5 == \"/data\" {print $6}' /proc/self/mountinfo; "
                          "touch /data/x 2>/dev/null && echo WRITABLE || echo refused"},
                         "locked");
    s.mounts = {{src, "/data", "bind", {"bind", "ro"}}};
    RunResult r;
    try {
        r = run(s);
    } catch (...) {
        host_sh("umount " + src);
        throw;
    }
    host_sh("umount " + src);
    EXPECT_EQ(r.out, "ro,nosuid,nodev,noexec,relatime\nrefused\n") << r.err;
}

TEST_F(UserNs, ReadOnlyRootfsOnANosuidHostMount) {
    // The rootfs lives on a nosuid,nodev host mount: those flags are locked in the user
    // namespace, and the read-only remount of the root must keep them.
    auto holder = owned_dir("rofs");
    host_sh("mount -t tmpfs -o nosuid,nodev,size=64m ct-fssec-rofs " + holder + " && cp -a " +
            busybox_rootfs() + " " + holder + "/root && chown -R " + std::to_string(kHostBase) +
            ":" + std::to_string(kHostBase) + " " + holder + "/root");
    auto s = userns_spec({"/bin/sh", "-c",
                          "awk '$5 == \"/\" {print $6}' /proc/self/mountinfo; touch /x "
                          "2>/dev/null && echo WRITABLE || echo refused"},
                         "rofs");
    s.rootfs = holder + "/root";
    s.readonly_rootfs = true;
    RunResult r;
    try {
        r = run(s);
    } catch (...) {
        host_sh("umount " + holder);
        throw;
    }
    host_sh("umount " + holder);
    EXPECT_EQ(r.out, "ro,nosuid,nodev,relatime\nrefused\n") << r.err;
}

TEST_F(UserNs, OverlayRootInAUserNamespace) {
    auto mnt = owned_dir("ovl-mnt");
    auto upper = owned_dir("ovl-upper");
    auto work = owned_dir("ovl-work");
    auto s = userns_spec({"/bin/sh", "-c", "echo hi > /new && cat /new && id -u"}, "ovl");
    s.rootfs = mnt;
    s.private_area = {"overlay", upper, {busybox_rootfs()}, work};
    auto r = run(s);
    EXPECT_EQ(r.out, "hi\n0\n") << r.err;
    struct stat st {};
    ASSERT_EQ(stat((upper + "/new").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kHostBase);
}

TEST_F(UserNs, DeviceNodesAreBoundFromTheHost) {
    auto s = userns_spec({"/bin/sh", "-c", "head -c 2 /dev/my-zero | wc -c"}, "dev");
    s.devices = {{"/dev/my-zero", "c", 1, 5, 0666, 0, 0}};
    try {
        session().create(s);
        ADD_FAILURE() << "a user namespace cannot mknod, and the host has no /dev/my-zero";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::permission);
        EXPECT_NE(std::string(e.what()).find("devices[0]"), std::string::npos) << e.what();
    }
    s.devices = {{"/dev/zero", "c", 1, 5, 0666, 0, 0}};  // the host's own node
    s.process.args = {"/bin/sh", "-c", "head -c 2 /dev/zero | wc -c"};
    EXPECT_EQ(run(s).out, "2\n");
}

TEST_F(UserNs, BadMapsAreRefused) {
    auto s = userns_spec({"/bin/true"}, "bad");
    s.uid_map = {{0, kHostBase, 10}, {5, kHostBase + 100, 10}};  // overlapping container ids
    auto c = session().create(s);
    try {
        run_captured(c);
        ADD_FAILURE() << "start succeeded";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("uid_map"), std::string::npos) << e.what();
    }
    c.destroy();
    auto nopid = userns_spec({"/bin/true"}, "nopid");
    auto joined = userns_spec({"/bin/true"}, "joined");
    joined.namespaces = std::vector<NamespaceSpec>{{Namespace::user, {}},
                                                   {Namespace::mount, {}},
                                                   {Namespace::pid, {}},
                                                   {Namespace::net, "/proc/self/ns/net"}};
    try {
        session().create(joined);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::unsupported) << e.what();
    }
    nopid.namespaces = std::vector<NamespaceSpec>{{Namespace::user, {}}, {Namespace::mount, {}}};
    try {
        session().create(nopid);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("pid namespace"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ct::test
