// Idmapped bind mounts (MountSpec::uid_map/gid_map, options idmap/ridmap): what the container
// sees of the host's files through the mount's lines, what it stores through them, with and
// without a user namespace of its own; recursion; the escape checks (no id outside the lines
// is reachable, no host-root file can be made); refusals at create. The fixture checks that no
// mount, process (the helper holding the idmapping's user namespace) or state is left.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

constexpr uint32_t kDisk = 100000;    // the ids the test's files carry on the host
constexpr uint32_t kUserns = 231072;  // the container's user namespace: 0.. -> 231072..
const std::vector<IdMap> kLines = {{0, kDisk, 65536}};  // container 0.. -> stored as 100000..

class IdmappedMounts : public LinuxTest {
  protected:
    void SetUp() override {
        LinuxTest::SetUp();
        if (IsSkipped()) return;
        // The backend's own create-time probe, for real: a mount like the tests' (a directory
        // beside theirs, idmapped through lines of its own). Refused: the reason is the skip's.
        auto probe = dir("probe");
        auto s = spec({"/bin/true"});
        s.mounts = {idmapped(probe, "/p", {"idmap"})};
        try {
            session().create(s).destroy();
        } catch (const Error &e) {
            if (e.code() == Errc::unsupported || e.code() == Errc::permission)
                GTEST_SKIP() << "idmapped mounts cannot be made here: " << e.what();
            throw;
        }
    }
    // A host directory owned by kDisk, removed by the fixture.
    std::string dir(const std::string &tag) {
        std::string d = "/tmp/ct-idmap-" + std::to_string(getpid()) + "-" + tag;
        fs::remove_all(d);
        fs::create_directories(d);
        temp_dirs_.push_back(d);
        own(d, kDisk);
        return d;
    }
    static void own(const std::string &path, uint32_t id) {
        ASSERT_EQ(::chown(path.c_str(), id, id), 0) << path;
    }
    static MountSpec idmapped(const std::string &src, const std::string &target,
                              std::vector<std::string> options,
                              const std::vector<IdMap> &lines = kLines) {
        MountSpec m{src, target, "bind", std::move(options)};
        m.uid_map = lines;
        m.gid_map = lines;
        return m;
    }
    static std::string owner(const std::string &path) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) return "(missing)";
        return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
    }
    Spec in_userns(Spec s) {
        auto ns = s.effective_namespaces();
        ns.push_back({Namespace::user, {}});
        s.namespaces = ns;
        s.uid_map = {{0, kUserns, 65536}};
        s.gid_map = {{0, kUserns, 65536}};
        return s;
    }
    // A host directory with a file stored as kDisk and one stored as host root.
    std::string populated(const std::string &tag) {
        auto d = dir(tag);
        write_text(d + "/mine", "mine\n");
        own(d + "/mine", kDisk);
        write_text(d + "/hosts", "host root's\n");
        own(d + "/hosts", 0);
        ::chmod((d + "/hosts").c_str(), 0644);
        return d;
    }
};

// What a container sees and stores through its mount's lines: the same with its own user
// namespace as without one (the lines say what the container sees, whatever maps it).
const char kSeeAndStore[] =
    "stat -c %u:%g /m/mine /m/hosts; touch /m/made && echo made; "
    "echo x >> /m/hosts 2>/dev/null && echo hosts-WRITTEN || echo hosts-refused; "
    "stat -c %u:%g /p/mine";

TEST_F(IdmappedMounts, TheMountsLinesWithoutAUserNamespace) {
    auto d = populated("nouserns");
    auto s = spec({"/bin/sh", "-c", kSeeAndStore});
    s.mounts = {idmapped(d, "/m", {"idmap"}), {d, "/p", "bind", {"bind"}}};
    auto r = run(s);
    // Host 100000 shows as 0 (the plain bind /p shows it as it is); host root is outside the
    // lines: the overflow id, and not writable even by a container root holding
    // CAP_DAC_OVERRIDE (the kernel grants it only over ids the mount maps).
    EXPECT_EQ(r.out, "0:0\n65534:65534\nmade\nhosts-refused\n100000:100000\n") << r.err;
    EXPECT_EQ(owner(d + "/made"), "100000:100000");  // stored through the lines, not as 0
    EXPECT_EQ(read_text(d + "/hosts"), "host root's\n");
}

TEST_F(IdmappedMounts, TheMountsLinesInAUserNamespace) {
    auto d = populated("userns");
    auto s = in_userns(spec({"/bin/sh", "-c", std::string(kSeeAndStore) + "; id -u"}));
    s.rootfs = private_rootfs("idmap-userns");
    temp_dirs_.push_back(s.rootfs);
    host_sh("chown -R " + std::to_string(kUserns) + ":" + std::to_string(kUserns) + " " + s.rootfs);
    s.mounts = {idmapped(d, "/m", {"idmap"}), {d, "/p", "bind", {"bind"}}};
    auto r = run(s);
    // The plain bind shows host 100000 through the container's namespace: not mapped there.
    EXPECT_EQ(r.out, "0:0\n65534:65534\nmade\nhosts-refused\n65534:65534\n0\n") << r.err;
    EXPECT_EQ(owner(d + "/made"), "100000:100000");
    EXPECT_EQ(read_text(d + "/hosts"), "host root's\n");
}

TEST_F(IdmappedMounts, WithoutLinesTheFilesystemsIdsAreTheContainers) {
    // OCI's "idmap": the container's namespace's ranges, ids stored as the container sees
    // them (a file stored as 1000 is 1000 inside; one the container's root makes is stored
    // as 0, in the directory the spec gave it).
    auto d = dir("default");
    own(d, 0);  // the container's root's, stored as 0
    write_text(d + "/u1000", "");
    own(d + "/u1000", 1000);
    auto s = in_userns(spec({"/bin/sh", "-c", "stat -c %u:%g /m/u1000; touch /m/made; id -u"}));
    s.rootfs = private_rootfs("idmap-default");
    temp_dirs_.push_back(s.rootfs);
    host_sh("chown -R " + std::to_string(kUserns) + ":" + std::to_string(kUserns) + " " + s.rootfs);
    s.mounts = {{d, "/m", "bind", {"idmap"}}};
    auto r = run(s);
    EXPECT_EQ(r.out, "1000:1000\n0\n") << r.err;
    EXPECT_EQ(owner(d + "/made"), "0:0");
}

TEST_F(IdmappedMounts, RidmapReachesSubmountsIdmapDoesNot) {
    auto d = dir("rec");
    fs::create_directories(d + "/sub");
    host_sh("mount -t tmpfs -o size=1m ct-idmap-sub " + d + "/sub && echo x > " + d +
            "/sub/f && chown " + std::to_string(kDisk) + ":" + std::to_string(kDisk) + " " + d +
            "/sub/f");
    // Both recursive binds (the submount comes along); only ridmap idmaps it too.
    auto s = spec({"/bin/sh", "-c", "stat -c %u /i/sub/f /r/sub/f"});
    s.mounts = {idmapped(d, "/i", {"rbind", "idmap"}), idmapped(d, "/r", {"rbind", "ridmap"})};
    RunResult r;
    try {
        r = run(s);
    } catch (...) {
        host_sh("umount " + d + "/sub");
        throw;
    }
    host_sh("umount " + d + "/sub");
    EXPECT_EQ(r.out, "100000\n0\n") << r.err;
}

TEST_F(IdmappedMounts, TheOtherOptionsApplyToTheIdmappedMount) {
    // ro on an idmapped bind (a remount in the container's user namespace) and on a recursive
    // one (mount_setattr over the tree), with a propagation: the lines still apply.
    auto d = populated("opts");
    auto s = in_userns(
        spec({"/bin/sh", "-c",
              "stat -c %u /a/mine /b/mine; touch /a/x 2>/dev/null && echo a-WRITABLE || echo a-ro; "
              "touch /b/x 2>/dev/null && echo b-WRITABLE || echo b-ro; "
              "awk '$5 == \"/a\" || $5 == \"/b\" {print $5, $6, $7}' /proc/self/mountinfo"}));
    s.rootfs = private_rootfs("idmap-opts");
    temp_dirs_.push_back(s.rootfs);
    host_sh("chown -R " + std::to_string(kUserns) + ":" + std::to_string(kUserns) + " " + s.rootfs);
    s.mounts = {idmapped(d, "/a", {"bind", "idmap", "ro", "nosuid", "rprivate"}),
                idmapped(d, "/b", {"rbind", "ridmap", "ro"})};
    auto r = run(s);
    EXPECT_EQ(r.out,
              "0\n0\na-ro\nb-ro\n/a ro,nosuid,relatime,idmapped -\n/b ro,relatime,idmapped -\n")
        << r.err;
    EXPECT_FALSE(fs::exists(d + "/x"));
}

TEST_F(IdmappedMounts, ASharedSourceStaysOneWay) {
    // The source is a shared mount on the host: the idmapped clone must not be its peer (a
    // mount made in the container would appear on the host), but a slave, as plain binds are.
    auto d = dir("shared");
    host_sh("mount --bind " + d + " " + d + " && mount --make-shared " + d);
    auto s = spec({"/bin/sh", "-c",
                   "awk '$5 == \"/m\" || $5 == \"/p\" {print $5, $7}' /proc/self/mountinfo"});
    s.mounts = {idmapped(d, "/m", {"idmap"}), {d, "/p", "bind", {"bind"}}};
    RunResult r;
    try {
        r = run(s);
    } catch (...) {
        host_sh("umount " + d);
        throw;
    }
    host_sh("umount " + d);
    EXPECT_NE(r.out.find("/m master:"), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.out.find("/p master:"), std::string::npos) << r.out << r.err;
    EXPECT_EQ(r.out.find("shared:"), std::string::npos) << r.out;
}

// docs/security.md: root in a container is not root on the host unless the spec says so. An
// idmapped mount reaches exactly its lines: nothing stored as an id outside them can be read
// as anyone's or written, nothing can be stored as one, and a setuid file the container makes
// belongs to the lines' ids on the host.
TEST_F(IdmappedMounts, EscapeNothingOutsideTheLinesIsReachable) {
    auto d = populated("escape");
    write_text(d + "/secret", "secret\n");
    own(d + "/secret", 0);
    ::chmod((d + "/secret").c_str(), 0600);
    auto s =
        in_userns(spec({"/bin/sh", "-c",
                        "cat /m/secret 2>/dev/null && echo secret-READ || echo secret-refused; "
                        "echo x > /m/hosts 2>/dev/null && echo hosts-WRITTEN || "
                        "echo hosts-refused; chown 0:0 /m/hosts 2>/dev/null && "
                        "echo chown-DONE || echo chown-refused; "
                        "cp /bin/busybox /m/suid && chmod 4755 /m/suid && echo suid-made; "
                        "touch /m/far && chown 2000:2000 /m/far 2>/dev/null && "
                        "echo far-STORED || echo far-refused"}));
    s.rootfs = private_rootfs("idmap-escape");
    temp_dirs_.push_back(s.rootfs);
    host_sh("chown -R " + std::to_string(kUserns) + ":" + std::to_string(kUserns) + " " + s.rootfs);
    // Narrower than the container's namespace: container ids 0..999 only.
    s.mounts = {idmapped(d, "/m", {"idmap"}, {{0, kDisk, 1000}})};
    auto r = run(s);
    EXPECT_EQ(r.out, "secret-refused\nhosts-refused\nchown-refused\nsuid-made\nfar-refused\n")
        << r.err;
    // The setuid file is the lines' id on the host, never host root's.
    struct stat st {};
    ASSERT_EQ(::stat((d + "/suid").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kDisk);
    EXPECT_EQ(st.st_gid, kDisk);
    EXPECT_TRUE(st.st_mode & S_ISUID);
    EXPECT_EQ(owner(d + "/far"), "100000:100000");  // made, but never stored as 2000's
    EXPECT_EQ(owner(d + "/hosts"), "0:0");
    EXPECT_EQ(owner(d + "/secret"), "0:0");
    EXPECT_EQ(read_text(d + "/hosts"), "host root's\n");
    // No file of the directory belongs to host root but those the test made so.
    for (const auto &e : fs::directory_iterator(d)) {
        std::string name = e.path().filename();
        if (name != "hosts" && name != "secret") {
            EXPECT_NE(owner(e.path()).substr(0, 2), "0:") << name;
        }
    }
}

TEST_F(IdmappedMounts, RefusedAtCreateNamingTheMountAndTheCause) {
    // proc cannot be idmapped: create says so, naming the mount and its source, and leaves
    // nothing (the fixture checks mounts, processes, state).
    auto s = spec({"/bin/true"});
    s.mounts = {{"/tmp", "/t", "bind", {"bind"}}, idmapped("/proc", "/p", {"idmap"})};
    try {
        session().create(s);
        ADD_FAILURE() << "an idmapped mount of /proc was accepted";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::unsupported) << e.what();
        std::string w = e.what();
        EXPECT_NE(w.find("mounts[1]"), std::string::npos) << w;
        EXPECT_NE(w.find("/proc (proc)"), std::string::npos) << w;
        EXPECT_NE(w.find("does not support idmapped mounts"), std::string::npos) << w;
    }
    EXPECT_TRUE(session().list().empty());
}

}  // namespace
}  // namespace ct::test
