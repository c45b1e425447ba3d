// The spec's personality, rootfs_propagation and time_offsets on a real kernel: what the
// container's processes (init and exec'd ones) see, and that no propagation setting lets a
// mount made inside the container reach the host's mount table.
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "proc_util.hpp"
#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

class LinuxFields : public LinuxTest {
  protected:
    // Runs `args` in the running container `c`; returns its stdout once it exits.
    std::string exec_out(Container &c, std::vector<std::string> args) {
        ProcessSpec p;
        p.args = std::move(args);
        p.env = {"PATH=/bin:/sbin"};
        auto r = exec_captured(c, p);
        EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
        return r.out;
    }
    // Whether the host's mount table has a mount at `path`.
    static bool host_mounted(const std::string &path) {
        std::istringstream in(read_text("/proc/self/mountinfo"));
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream f(line);
            std::string id, parent, dev, root, point;
            f >> id >> parent >> dev >> root >> point;
            if (point == path) return true;
        }
        return false;
    }
    std::string scratch_dir(const std::string &tag) {
        std::string d = "/tmp/ct-fields-" + std::to_string(getpid()) + "-" + tag;
        fs::remove_all(d);
        fs::create_directories(d);
        temp_dirs_.push_back(d);
        return d;
    }
};

TEST_F(LinuxFields, Linux32PersonalityReachesInitAndExecdProcesses) {
    struct utsname u {};
    uname(&u);
    if (std::string(u.machine) != "x86_64")
        GTEST_SKIP() << "the i686 answer of linux32 is x86_64's; this host is " << u.machine;
    auto s = spec({"/bin/sh", "-c", "uname -m; read x"});
    s.personality = "linux32";
    auto c = session().create(s);
    {
        Running r(c);
        EXPECT_EQ(r.line(), "i686");
        EXPECT_EQ(exec_out(c, {"/bin/uname", "-m"}), "i686\n");
        r.finish();
    }
    c.destroy();
    // "linux": the machine as it is.
    auto plain = spec({"/bin/uname", "-m"});
    plain.personality = "linux";
    EXPECT_EQ(run(plain).out, "x86_64\n");
}

// The propagation fields of the root's line in the container's mountinfo ("shared:N",
// "master:N"), as a list of the words between the mount options and the " - ".
std::string root_propagation_of(const std::string &mountinfo) {
    std::istringstream in(mountinfo);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, dev, root, point, opts, w, out;
        f >> id >> parent >> dev >> root >> point >> opts;
        if (point != "/") continue;
        while (f >> w && w != "-") out += (out.empty() ? "" : " ") + w.substr(0, w.find(':'));
        return out.empty() ? "private" : out;
    }
    return "no root line";
}

TEST_F(LinuxFields, RootfsPropagationIsTheRootMountsPropagation) {
    // A rootfs that is a shared mount on the host, so that the container's copy has a master.
    auto root = private_rootfs("fields-prop");
    temp_dirs_.push_back(root);
    host_sh("mount --bind " + root + " " + root + " && mount --make-shared " + root);
    // Unset: a slave of the host's mounts (only "master"). Set: what it names, on top of that.
    const std::pair<const char *, const char *> cases[] = {{"", "master"},
                                                           {"rslave", "master"},
                                                           {"rprivate", "private"},
                                                           {"private", "private"},
                                                           {"rshared", "shared master"},
                                                           {"shared", "shared master"},
                                                           {"runbindable", "unbindable"}};
    for (const auto &[prop, want] : cases) {
        auto s = spec({"/bin/cat", "/proc/self/mountinfo"});
        s.rootfs = root;
        s.rootfs_propagation = prop;
        auto r = run(s);
        EXPECT_EQ(r.status, (ExitStatus{false, 0})) << prop << ": " << r.err;
        EXPECT_EQ(root_propagation_of(r.out), want) << prop << ":\n" << r.out;
    }
    host_sh("umount " + root);
}

// The escape test: the container's root and a bound directory are shared mounts on the host,
// and a container that may mount (CAP_SYS_ADMIN) mounts a tmpfs in each. With the default
// propagation, and with every rootfs_propagation (shared included), neither reaches the host.
TEST_F(LinuxFields, NoRootfsPropagationCarriesAContainersMountsToTheHost) {
    auto root = private_rootfs("fields-escape");
    temp_dirs_.push_back(root);
    auto data = scratch_dir("data");
    fs::create_directories(root + "/mnt/in");
    fs::create_directories(data + "/sub");
    // Both shared on the host: any peer of theirs in the container would carry a mount back.
    host_sh("mount --bind " + root + " " + root + " && mount --make-shared " + root +
            " && mount --bind " + data + " " + data + " && mount --make-shared " + data);
    ASSERT_TRUE(host_mounted(root) && host_mounted(data));  // the check below sees mounts
    for (const char *prop : {"", "shared", "rshared", "slave", "private", "unbindable"}) {
        auto s = spec({"/bin/sh", "-c",
                       "mount -t tmpfs ct-fields-escape /mnt/in && "
                       "mount -t tmpfs ct-fields-escape /data/sub && "
                       "grep -c ct-fields-escape /proc/self/mountinfo"});
        s.rootfs = root;
        s.rootfs_propagation = prop;
        s.process.capabilities_add = {"CAP_SYS_ADMIN"};
        s.mounts = {{data, "/data", "bind", {"rshared"}}};
        auto r = run(s);
        EXPECT_EQ(r.out, "2\n") << "'" << prop << "': the container could not mount: " << r.err;
        EXPECT_FALSE(host_mounted(root + "/mnt/in"))
            << "'" << prop << "': a mount on the container's root reached the host";
        EXPECT_FALSE(host_mounted(data + "/sub"))
            << "'" << prop << "': a mount on a shared bind reached the host";
        // Clean up an escape before the next case (and the fixture's mount check).
        if (host_mounted(root + "/mnt/in")) host_sh("umount " + root + "/mnt/in");
        if (host_mounted(data + "/sub")) host_sh("umount " + data + "/sub");
    }
    host_sh("umount " + root + " && umount " + data);
}

TEST_F(LinuxFields, TimeOffsetsShiftTheContainersClocks) {
    if (!fs::exists("/proc/self/ns/time"))
        GTEST_SKIP() << "this kernel has no time namespaces (/proc/self/ns/time)";
    constexpr long kBoot = 10 * 86400, kMono = 86400;
    auto s = spec({"/bin/sh", "-c", "cat /proc/uptime /proc/self/timens_offsets; read x"});
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::time, {}});
    s.namespaces = ns;
    s.time_offsets.monotonic = {kMono, 500};
    s.time_offsets.boottime = {kBoot, 0};
    auto uptime = [](const std::string &text) { return std::stod(text); };
    double host_before = uptime(read_text("/proc/uptime"));
    auto c = session().create(s);
    {
        Running r(c);
        double inside = uptime(r.line());
        double host_after = uptime(read_text("/proc/uptime"));
        // /proc/uptime counts CLOCK_BOOTTIME: the offset on top of the host's.
        EXPECT_GE(inside, host_before + kBoot - 1);
        EXPECT_LE(inside, host_after + kBoot + 1);
        // The namespace's own offsets, as the kernel shows them (columns padded).
        std::string first = r.line();
        std::istringstream offsets(first + "\n" + r.line());
        std::vector<std::string> words;
        for (std::string w; offsets >> w;) words.push_back(w);
        EXPECT_EQ(words, (std::vector<std::string>{"monotonic", "86400", "500", "boottime",
                                                   "864000", "0"}));
        // An exec'd process joins the same time namespace.
        double execd = uptime(exec_out(c, {"/bin/cat", "/proc/uptime"}));
        EXPECT_GE(execd, host_before + kBoot - 1);
        EXPECT_LE(execd, uptime(read_text("/proc/uptime")) + kBoot + 1);
        r.finish();
    }
    c.destroy();
}

// In a new user namespace the time namespace is the container's (owned by its user
// namespace), and the offsets are written before anything runs there all the same.
TEST_F(LinuxFields, TimeOffsetsInANewUserNamespace) {
    if (!fs::exists("/proc/self/ns/time"))
        GTEST_SKIP() << "this kernel has no time namespaces (/proc/self/ns/time)";
    if (std::stoi(read_text("/proc/sys/user/max_user_namespaces")) == 0)
        GTEST_SKIP() << "user namespaces are disabled (user.max_user_namespaces = 0)";
    auto root = private_rootfs("fields-userns");
    temp_dirs_.push_back(root);
    host_sh("chown -R 300000:300000 " + root);
    auto s = spec({"/bin/sh", "-c", "id -u; cut -d. -f1 /proc/uptime"});
    s.rootfs = root;
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::user, {}});
    ns.push_back({Namespace::time, {}});
    s.namespaces = ns;
    s.uid_map = {{0, 300000, 65536}};
    s.gid_map = {{0, 300000, 65536}};
    s.time_offsets.boottime = {86400 * 100, 0};
    long before = std::stol(read_text("/proc/uptime"));
    auto r = run(s);
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    std::istringstream out(r.out);
    long uid = -1, uptime = 0;
    out >> uid >> uptime;
    EXPECT_EQ(uid, 0) << r.out;
    EXPECT_GE(uptime, before + 86400 * 100) << r.out;
    EXPECT_LE(uptime, std::stol(read_text("/proc/uptime")) + 86400 * 100 + 1) << r.out;
}

TEST_F(LinuxFields, AnOffsetPuttingAClockBelowZeroIsRefusedNamingTheField) {
    if (!fs::exists("/proc/self/ns/time"))
        GTEST_SKIP() << "this kernel has no time namespaces (/proc/self/ns/time)";
    auto s = spec({"/bin/true"});
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::time, {}});
    s.namespaces = ns;
    s.time_offsets.boottime = {-(1LL << 40), 0};  // far more than any uptime
    auto c = session().create(s);
    try {
        start_quiet(c);
        ADD_FAILURE() << "started with boottime far below 0";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("time_offsets"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("below 0"), std::string::npos) << e.what();
    }
    c.destroy();
}

}  // namespace
}  // namespace ct::test
