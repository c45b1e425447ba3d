// Golden tests of the linux backend's planning code (libvirt's xml2argv idea): a spec and a
// host description in, the plan as text out, compared with tests/unit/linux/golden/. No root,
// no kernel feature: what the backend would do, not doing it. CT_UPDATE_GOLDEN=1 rewrites the
// golden files (review the diff).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cgroups/limits.hpp"
#include "cgroups/manager.hpp"
#include "ct/error.hpp"
#include "launch/plan.hpp"
#include "security/confine.hpp"

namespace ct::linux_native {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path &p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Compares `actual` with golden/<name>.txt.
void expect_golden(const std::string &name, const std::string &actual) {
    fs::path file = fs::path(CT_GOLDEN_DIR) / (name + ".txt");
    if (std::getenv("CT_UPDATE_GOLDEN")) {
        std::ofstream(file) << actual;
        return;
    }
    ASSERT_TRUE(fs::exists(file)) << file << " is missing; run with CT_UPDATE_GOLDEN=1\n" << actual;
    EXPECT_EQ(read_all(file), actual) << "plan differs from " << file;
}

class Planning : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("ct-planning-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "v2");
    }
    void TearDown() override { fs::remove_all(dir_); }

    // The manager of a host whose mountinfo is mountinfo/<kind>.txt, its cgroup2 tree (if
    // any) offering `v2_controllers`.
    std::unique_ptr<CgroupManager> host(const std::string &kind,
                                        const std::string &v2_controllers) {
        std::string text = read_all(fs::path(CT_MOUNTINFO_DIR) / (kind + ".txt"));
        for (size_t at; (at = text.find("@V2ROOT@")) != std::string::npos;)
            text.replace(at, 8, (dir_ / "v2").string());
        std::ofstream(dir_ / "mountinfo") << text;
        std::ofstream(dir_ / "v2" / "cgroup.controllers") << v2_controllers << "\n";
        return CgroupManager::for_host(CgroupLayout::detect((dir_ / "mountinfo").string()));
    }
    // A plan as text: each directory (the cgroup2 tree shown as <v2>), in creation order.
    std::string layout_of(const CgroupManager &m, const Resources &r,
                          const std::vector<std::string> &extra = {}, bool every = false) {
        std::ostringstream out;
        try {
            ContainerCgroups cg = m.plan("ct", "web1", r, extra, every);
            for (const auto &[key, path] : cg.paths()) {
                std::string p = path;
                if (auto at = p.find((dir_ / "v2").string()); at != std::string::npos)
                    p.replace(at, (dir_ / "v2").string().size(), "<v2>");
                out << "  " << key << " " << p << "\n";
            }
            for (const auto &c : cg.v2_enable()) out << "  enable above: " << c << "\n";
        } catch (const Error &e) {
            out << "  error: " << e.what() << "\n";
        }
        return out.str();
    }
    std::string layouts(const CgroupManager &m) {
        Resources limits;
        limits.memory = 64 << 20;
        limits.pids = 100;
        limits.cpu.shares = 512;
        Resources cpuset;
        cpuset.cpu.cpus = "0";
        cpuset.cpu.quota_us = 50000;
        Resources io;
        io.io_weight = 100;
        std::ostringstream out;
        out << "manager: " << m.name() << "\n";
        out << "no limits:\n" << layout_of(m, {});
        out << "memory, pids, cpu shares:\n" << layout_of(m, limits);
        out << "cpuset and quota:\n" << layout_of(m, cpuset);
        out << "io weight:\n" << layout_of(m, io);
        Resources huge;
        huge.hugepages = {{"2MB", 2 << 20}};
        Resources unified;
        unified.unified = {{"hugetlb.2MB.max", "max"}, {"memory.high", "max"}};
        Resources more;
        more.memory_reservation = 1 << 20;
        more.cpu.rt_runtime_us = 1000;
        more.io.read_bps = {{8, 0, 1}};
        out << "hugepages:\n" << layout_of(m, huge);
        out << "unified files:\n" << layout_of(m, unified);
        out << "soft limit, realtime, throttle:\n" << layout_of(m, more);
        out << "cgroups [freezer, name=systemd]:\n"
            << layout_of(m, {}, {"freezer", "name=systemd"});
        out << "cgroups [name=nowhere]:\n" << layout_of(m, {}, {"name=nowhere"});
        out << "every hierarchy:\n" << layout_of(m, {}, {}, true);
        return out.str();
    }
    fs::path dir_;
};

TEST_F(Planning, CgroupLayoutOfAHybridHost) {
    expect_golden("cgroups-hybrid", layouts(*host("hybrid", "hugetlb")));
}

TEST_F(Planning, CgroupLayoutOfALegacyHost) {
    expect_golden("cgroups-legacy", layouts(*host("legacy", "")));
}

// Escape: a `unified` key is written only as a file of the container's own cgroup2 directory
// (the backend checks the name again even when validation was skipped, and follows no link),
// never above it nor into a core file.
TEST_F(Planning, UnifiedFilesStayInTheContainersDirectory) {
    auto m = host("hybrid", "hugetlb");
    fs::path parent = dir_ / "v2" / "ct", own = parent / "web1";
    fs::create_directories(own);
    std::ofstream(parent / "victim.max") << "untouched";
    std::ofstream(parent / "cgroup.procs") << "untouched";
    std::ofstream(own / "cgroup.procs") << "untouched";
    std::ofstream(own / "pids.max") << "";
    fs::create_symlink(parent / "victim.max", own / "memory.high");
    ContainerCgroups cg({{"unified", own.string()}});
    for (const char *key : {"../victim.max", "../cgroup.procs", "cgroup.procs", "memory.high",
                            "no.such", "/etc/passwd", ".."}) {
        Resources r;
        r.unified = {{key, "pwned"}};
        EXPECT_THROW(m->apply(cg, r), Error) << key;
    }
    EXPECT_EQ(read_all(parent / "victim.max"), "untouched");
    EXPECT_EQ(read_all(parent / "cgroup.procs"), "untouched");
    EXPECT_EQ(read_all(own / "cgroup.procs"), "untouched");
    Resources ok;
    ok.unified = {{"pids.max", "5"}};
    m->apply(cg, ok);
    EXPECT_EQ(read_all(own / "pids.max"), "5");
}

TEST_F(Planning, CgroupLayoutOfAUnifiedHost) {
    expect_golden("cgroups-unified", layouts(*host("unified", "cpuset cpu memory pids hugetlb")));
}

std::string flags_of(unsigned long f) {
    static const std::pair<unsigned long, const char *> kNames[] = {{MS_RDONLY, "ro"},
                                                                    {MS_NOSUID, "nosuid"},
                                                                    {MS_NODEV, "nodev"},
                                                                    {MS_NOEXEC, "noexec"},
                                                                    {MS_SYNCHRONOUS, "sync"},
                                                                    {MS_NOATIME, "noatime"},
                                                                    {MS_NODIRATIME, "nodiratime"},
                                                                    {MS_RELATIME, "relatime"},
                                                                    {MS_STRICTATIME, "strictatime"},
                                                                    {MS_REC, "rec"},
                                                                    {MS_PRIVATE, "private"},
                                                                    {MS_SLAVE, "slave"},
                                                                    {MS_SHARED, "shared"},
                                                                    {MS_UNBINDABLE, "unbindable"}};
    std::string out;
    for (const auto &[bit, name] : kNames)
        if (f & bit) out += (out.empty() ? "" : ",") + std::string(name);
    return out.empty() ? "-" : out;
}

std::string mount_text(const MountOp &m) {
    std::ostringstream out;
    out << "  " << (m.bind ? "bind " + m.source : m.fstype + " " + m.source) << " -> /" << m.target
        << " flags=" << flags_of(m.flags) << " clear=" << flags_of(m.clear_flags)
        << " propagation=" << flags_of(m.propagation) << " data=" << (m.data.empty() ? "-" : m.data)
        << (m.readonly ? " readonly" : "") << (m.remount_only ? " remount" : "") << "\n";
    return out.str();
}

// An engine's blkio weight reaches a v1 host as it was asked: ct-oci converts it to the spec's
// io.weight scale as runc does for cgroup v2, and the backend converts it back exactly.
TEST(BlkioWeight, IsTheExactInverseOfRuncsConversion) {
    for (uint64_t w = 10; w <= 1000; ++w)
        ASSERT_EQ(blkio_weight(1 + (w - 10) * 9999 / 990), w) << w;
    EXPECT_EQ(blkio_weight(1), 10u);
    EXPECT_EQ(blkio_weight(10000), 1000u);
}

TEST_F(Planning, MountOptions) {
    std::vector<MountSpec> specs = {
        {"/srv/data", "/data", "bind", {"ro"}},
        {"/srv/cache", "/cache", "bind", {"bind", "nosuid", "rslave"}},
        {"/srv/x", "/x", "bind", {"rw", "suid", "dev", "exec", "noatime", "private"}},
        {"", "/tmp", "tmpfs", {"size=64m", "mode=1777", "nosuid", "nodev"}},
        {"", "/dev/mqueue2", "mqueue", {}},
        {"/srv/r", "/r", "bind", {"norbind", "ro", "nodiratime", "shared"}},
    };
    std::ostringstream out;
    for (size_t i = 0; i < specs.size(); ++i)
        out << mount_text(mount_op(specs[i], "mounts[" + std::to_string(i) + "]"));
    for (const auto &bad :
         std::vector<MountSpec>{{"/a", "/b", "bind", {"frob"}}, {"", "/t", "tmpfs", {"rbind"}}}) {
        try {
            mount_op(bad, "mounts[0]");
            out << "  accepted: " << bad.target << "\n";
        } catch (const Error &e) {
            out << "  error: " << e.what() << "\n";
        }
    }
    expect_golden("mount-options", out.str());
}

// The launch plan of a container's init: namespaces, root, mounts, credentials, confinement.
std::string plan_text(LaunchPlan &p) {
    std::ostringstream out;
    static const std::pair<unsigned long long, const char *> kNs[] = {
        {CLONE_NEWNS, "mount"}, {CLONE_NEWUTS, "uts"}, {CLONE_NEWIPC, "ipc"},
        {CLONE_NEWPID, "pid"},  {CLONE_NEWNET, "net"}, {CLONE_NEWUSER, "user"},
        {CLONE_NEWTIME, "time"}};
    out << "clone:";
    for (const auto &[bit, name] : kNs)
        if (p.clone_flags & bit) out << " " << name;
    out << (p.new_cgroupns ? " cgroup(unshared after joining)" : "") << "\n";
    out << "root: " << (p.root_source.empty() ? "(rootfs)" : p.root_source)
        << (p.root_fstype.empty() ? "" : " fstype=" + p.root_fstype)
        << (p.readonly_rootfs ? " readonly" : "") << "\n";
    out << "mount proc=" << p.mount_proc << " dev=" << p.mount_dev << " sys=" << p.mount_sys
        << " lo_up=" << p.lo_up << "\n";
    out << "mounts:\n";
    for (const auto &m : p.mounts) out << mount_text(m);
    out << "hostname: " << (p.hostname.empty() ? "-" : p.hostname) << "\n";
    for (const auto &[path, value] : p.sysctls) out << "sysctl " << path << " = " << value << "\n";
    out << "uid=" << p.uid << " gid=" << p.gid << " groups=";
    for (auto g : p.groups) out << g << ",";
    out << " set_groups=" << p.set_groups << " become_root=" << p.become_root << "\n";
    char caps[160];
    std::snprintf(caps, sizeof caps,
                  "caps bnd=%016llx eff=%016llx prm=%016llx inh=%016llx amb=%016llx",
                  static_cast<unsigned long long>(p.caps.bounding),
                  static_cast<unsigned long long>(p.caps.effective),
                  static_cast<unsigned long long>(p.caps.permitted),
                  static_cast<unsigned long long>(p.caps.inheritable),
                  static_cast<unsigned long long>(p.caps.ambient));
    out << caps << "\n";
    for (const auto &r : p.rlimits)
        out << "rlimit " << r.resource << " " << r.limit.rlim_cur << ":" << r.limit.rlim_max
            << "\n";
    out << "no_new_privs=" << p.no_new_privs << " new_session=" << p.new_session
        << " pdeathsig=" << p.pdeathsig << "\n";
    out << "masked:";
    for (const auto &m : p.masked_paths) out << " " << m;
    out << "\nreadonly:";
    for (const auto &m : p.readonly_paths) out << " " << m;
    out << "\nseccomp: " << (p.seccomp ? "filter" : "none")
        << " lsm: " << (p.lsm_attr.empty() ? "-" : p.lsm_attr + "=" + p.lsm_value)
        << " stub: " << (p.exec_stub ? "yes" : "no") << "\n";
    p.finalize();
    out << "cwd: " << p.cwd << "\nargs:";
    for (const auto &a : p.args) out << " " << a;
    out << "\nenv:";
    for (const auto &e : p.env) out << " " << e;
    out << "\nstub argv:";
    for (const auto &a : p.stub_args) out << " " << a;
    out << "\n";
    return out.str();
}

TEST_F(Planning, LaunchPlans) {
    fs::create_directories(dir_ / "root" / "etc");
    std::ofstream(dir_ / "root" / "etc" / "passwd") << "root:x:0:0::/root:/bin/sh\n"
                                                    << "app:x:1000:1000::/home/app:/bin/sh\n";
    std::ofstream(dir_ / "root" / "etc" / "group") << "root:x:0:\napp:x:1000:\nstaff:x:50:app\n";
    fs::create_directories(dir_ / "data");
    SeccompCache seccomp("");
    auto plan = [&](const Spec &s) {
        ContainerCgroups none;
        LaunchPlan p = plan_init(s, s.process, none);
        plan_confinement(p, s, s.process, seccomp, true);
        std::string text = plan_text(p);
        for (size_t at; (at = text.find(dir_.string())) != std::string::npos;)
            text.replace(at, dir_.string().size(), "<tmp>");
        return text;
    };
    Spec base;
    base.name = "web1";
    base.rootfs = (dir_ / "root").string();
    base.process.args = {"/bin/sh", "-c", "echo hi"};
    base.process.env = {"PATH=/bin"};
    std::ostringstream out;
    out << "== the defaults\n" << plan(base);

    Spec wide = base;
    wide.hostname = "web1";
    wide.sysctl = {{"net.ipv4.ip_forward", "1"}};
    wide.mounts = {{(dir_ / "data").string(), "/data", "bind", {"ro"}},
                   {"", "/sys/fs/cgroup", "cgroup", {}}};
    wide.process.user.name = "app";
    wide.process.rlimits = {{"nofile", 1024, 4096}};
    wide.process.no_new_privileges = true;
    wide.process.capabilities_add = {"net_admin"};
    wide.process.capabilities_drop = {"mknod"};
    wide.masked_paths = std::vector<std::string>{"/etc/secret"};
    wide.readonly_paths = std::vector<std::string>{};
    out << "== widened and narrowed\n" << plan(wide);

    Spec bare = base;
    bare.namespaces = std::vector<NamespaceSpec>{{Namespace::pid, {}}, {Namespace::uts, {}}};
    bare.seccomp = SeccompSpec{true};
    bare.process.capabilities = Capabilities::all_sets({"CAP_KILL"});
    out << "== no mount namespace, unconfined filter, exact capabilities\n" << plan(bare);
    expect_golden("launch-plans", out.str());
}

}  // namespace
}  // namespace ct::linux_native
