// The limits beyond memory/cpu/pids (the soft memory limit, swappiness, the OOM killer,
// realtime, idle and burst CPU, per-device block I/O, huge pages, cgroup-v2 files by name):
// each reaches the kernel's file at create and through update, a limit the host cannot honour
// is refused naming the field and its file, and nothing is left behind. Each test probes the
// kernel's files first and skips where this host lacks them.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fixture.hpp"
#include "proc_util.hpp"

namespace ct::test {
namespace {

namespace fs = std::filesystem;

class CgroupLimits : public LinuxTest {
  protected:
    // The container's directory holding controller `ctrl`: its v1 one, else its cgroup2 one.
    std::string dir(const Container &c, const std::string &ctrl) {
        auto info = const_cast<Container &>(c).info();
        auto it = info.details.find("cgroup." + ctrl);
        if (it == info.details.end()) it = info.details.find("cgroup.unified");
        return it == info.details.end() ? "" : it->second;
    }
    // Where the host has controller `ctrl`: "v1", "v2" (the cgroup2 tree's), or "".
    static std::string where(const std::string &ctrl) {
        if (fs::exists("/sys/fs/cgroup/" + ctrl + "/cgroup.procs")) return "v1";
        for (const char *root : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
            std::string c = read_text(std::string(root) + "/cgroup.controllers");
            if (fs::exists(std::string(root) + "/cgroup.controllers") &&
                (" " + c).find(" " + ctrl) != std::string::npos)
                return "v2";
        }
        return "";
    }
    static std::string v2_root() {
        return fs::exists("/sys/fs/cgroup/unified/cgroup.controllers") ? "/sys/fs/cgroup/unified"
                                                                       : "/sys/fs/cgroup";
    }
    // A whole disk of this host (major:minor), for the block I/O limits: "" if none.
    static std::pair<uint32_t, uint32_t> a_disk() {
        for (const auto &e : fs::directory_iterator("/sys/block")) {
            std::string n = e.path().filename();
            if (n.rfind("loop", 0) == 0 || n.rfind("zram", 0) == 0 || n.rfind("ram", 0) == 0)
                continue;
            std::string dev = read_text(e.path().string() + "/dev");
            auto colon = dev.find(':');
            if (colon == std::string::npos) continue;
            return {static_cast<uint32_t>(std::stoul(dev.substr(0, colon))),
                    static_cast<uint32_t>(std::stoul(dev.substr(colon + 1)))};
        }
        return {0, 0};
    }
    template <class F>
    std::pair<Errc, std::string> error_of(F f) {
        try {
            f();
        } catch (const Error &e) {
            return {e.code(), e.what()};
        }
        return {Errc{}, "no error"};
    }
};

TEST_F(CgroupLimits, SoftLimitSwappinessAndTheOomKillerReachTheKernel) {
    if (where("memory") != "v1") GTEST_SKIP() << "the memory controller is not cgroup v1 here";
    auto s = spec({"/bin/sleep", "1000"});
    s.resources.memory_reservation = 32 << 20;
    s.resources.memory_swappiness = 10;
    s.resources.oom_kill_disable = true;
    auto c = session().create(s);
    std::string d = dir(c, "memory");
    EXPECT_EQ(read_text(d + "/memory.soft_limit_in_bytes"), std::to_string(32 << 20) + "\n");
    EXPECT_EQ(read_text(d + "/memory.swappiness"), "10\n");
    EXPECT_NE(read_text(d + "/memory.oom_control").find("oom_kill_disable 1"), std::string::npos);

    // update: the new values, then the ones it replaced come back when another update fails.
    start_quiet(c);
    Resources r;
    r.memory_reservation = 16 << 20;
    r.memory_swappiness = 60;
    r.oom_kill_disable = false;
    c.update(r);
    EXPECT_EQ(read_text(d + "/memory.soft_limit_in_bytes"), std::to_string(16 << 20) + "\n");
    EXPECT_EQ(read_text(d + "/memory.swappiness"), "60\n");
    EXPECT_NE(read_text(d + "/memory.oom_control").find("oom_kill_disable 0"), std::string::npos);
    EXPECT_EQ(c.info().spec.resources.memory_reservation, 16 << 20);
    EXPECT_EQ(c.info().spec.resources.oom_kill_disable, false);
    c.destroy(true);
}

TEST_F(CgroupLimits, IdleAndBurstReachTheKernel) {
    std::string w = where("cpu");
    std::string probe = w == "v1" ? "/sys/fs/cgroup/cpu/cpu.cfs_burst_us" : "";
    if (w != "v1" || !fs::exists(probe) || !fs::exists("/sys/fs/cgroup/cpu/cpu.idle"))
        GTEST_SKIP() << "no v1 cpu controller with cpu.idle and cpu.cfs_burst_us here";
    auto s = spec({"/bin/true"});
    s.resources.cpu.quota_us = 50000;
    s.resources.cpu.period_us = 100000;
    s.resources.cpu.burst_us = 20000;
    s.resources.cpu.idle = 1;
    auto c = session().create(s);
    std::string d = dir(c, "cpu");
    EXPECT_EQ(read_text(d + "/cpu.cfs_burst_us"), "20000\n");
    EXPECT_EQ(read_text(d + "/cpu.idle"), "1\n");
    Resources r;
    r.cpu.idle = 0;
    r.cpu.burst_us = 10000;
    c.update(r);
    EXPECT_EQ(read_text(d + "/cpu.cfs_burst_us"), "10000\n");
    EXPECT_EQ(read_text(d + "/cpu.idle"), "0\n");
    // The kernel's own rule (burst within the quota) is its error, naming the field; the
    // values in force stay.
    r = {};
    r.cpu.burst_us = 60000;
    auto [code, msg] = error_of([&] { c.update(r); });
    EXPECT_EQ(code, Errc::invalid_spec) << msg;
    EXPECT_NE(msg.find("resources.cpu.burst_us"), std::string::npos) << msg;
    EXPECT_EQ(read_text(d + "/cpu.cfs_burst_us"), "10000\n");
    c.destroy();
}

// The realtime budget comes from the parent: without one the kernel refuses, and the error
// says what the parent grants; with one (the test gives its parent some) it is honoured.
TEST_F(CgroupLimits, RealtimeNeedsTheParentsBudget) {
    std::string cpu = "/sys/fs/cgroup/cpu";
    if (where("cpu") != "v1" || !fs::exists(cpu + "/cpu.rt_runtime_us"))
        GTEST_SKIP() << "no realtime group scheduling (cpu.rt_runtime_us) on this host";
    // The kernel compares shares of time: 5 ms per second is within the parent's 20 below.
    auto s = spec({"/bin/true"});
    s.resources.cpu.rt_period_us = 1000000;
    s.resources.cpu.rt_runtime_us = 5000;
    auto [code, msg] = error_of([&] { session().create(s); });
    EXPECT_EQ(code, Errc::invalid_spec) << msg;
    EXPECT_NE(msg.find("resources.cpu.rt_runtime_us"), std::string::npos) << msg;
    EXPECT_NE(msg.find("grants 0 us"), std::string::npos) << msg;
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty());

    // The test's parent (TearDown removes it) with a budget of 20 ms per second.
    std::string parent = cpu + "/" + cgroup_parent_;
    ASSERT_EQ(::mkdir(parent.c_str(), 0755), 0) << parent;
    write_text(parent + "/cpu.rt_runtime_us", "20000");
    if (read_text(parent + "/cpu.rt_runtime_us") != "20000\n")
        GTEST_SKIP() << "the root cgroup has no 20 ms of realtime budget left to give";
    auto c = session().create(s);
    std::string d = dir(c, "cpu");
    EXPECT_EQ(read_text(d + "/cpu.rt_period_us"), "1000000\n");
    EXPECT_EQ(read_text(d + "/cpu.rt_runtime_us"), "5000\n");
    Resources r;
    r.cpu.rt_runtime_us = 8000;
    c.update(r);
    EXPECT_EQ(read_text(d + "/cpu.rt_runtime_us"), "8000\n");
    r.cpu.rt_runtime_us = 90000;  // 900 ms per second: more than the parent's 20
    std::tie(code, msg) = error_of([&] { c.update(r); });
    EXPECT_EQ(code, Errc::invalid_spec) << msg;
    EXPECT_NE(msg.find("grants 20000 us"), std::string::npos) << msg;
    EXPECT_EQ(read_text(d + "/cpu.rt_runtime_us"), "8000\n");
    EXPECT_EQ(c.info().spec.resources.cpu.rt_runtime_us, 8000);
    c.destroy();
}

TEST_F(CgroupLimits, BlockIoThrottlesReachTheKernel) {
    if (where("blkio") != "v1" && where("io") != "v2") GTEST_SKIP() << "no blkio/io controller";
    auto [major, minor] = a_disk();
    if (major == 0) GTEST_SKIP() << "no disk in /sys/block";
    std::string dev = std::to_string(major) + ":" + std::to_string(minor);
    auto s = spec({"/bin/true"});
    s.resources.io.read_bps = {{major, minor, 1048576}};
    s.resources.io.write_bps = {{major, minor, 2097152}};
    s.resources.io.read_iops = {{major, minor, 100}};
    s.resources.io.write_iops = {{major, minor, 200}};
    auto c = session().create(s);
    std::string d = dir(c, "blkio");
    if (where("blkio") == "v1") {
        EXPECT_EQ(read_text(d + "/blkio.throttle.read_bps_device"), dev + " 1048576\n");
        EXPECT_EQ(read_text(d + "/blkio.throttle.write_bps_device"), dev + " 2097152\n");
        EXPECT_EQ(read_text(d + "/blkio.throttle.read_iops_device"), dev + " 100\n");
        EXPECT_EQ(read_text(d + "/blkio.throttle.write_iops_device"), dev + " 200\n");
    } else {
        EXPECT_EQ(read_text(d + "/io.max"),
                  dev + " rbps=1048576 wbps=2097152 riops=100 wiops=200\n");
    }
    // update: one device's limit changes, a 0 removes one.
    Resources r;
    r.io.read_bps = {{major, minor, 4096}};
    r.io.write_iops = {{major, minor, 0}};
    c.update(r);
    auto spec_now = c.info().spec.resources.io;
    EXPECT_EQ(spec_now.read_bps, (std::vector<DeviceLimit>{{major, minor, 4096}}));
    EXPECT_TRUE(spec_now.write_iops.empty());
    if (where("blkio") == "v1") {
        EXPECT_EQ(read_text(d + "/blkio.throttle.read_bps_device"), dev + " 4096\n");
        EXPECT_EQ(read_text(d + "/blkio.throttle.write_iops_device"), "");
    }
    c.destroy();

    // A device the kernel does not know: refused naming the item, nothing left.
    auto bad = spec({"/bin/true"});
    bad.resources.io.read_bps = {{major, minor, 1}, {4095, 77, 1}};
    auto [code, msg] = error_of([&] { session().create(bad); });
    EXPECT_EQ(code, Errc::invalid_spec) << msg;
    EXPECT_NE(msg.find("resources.io.read_bps[1]"), std::string::npos) << msg;
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, bad.name).empty());
    EXPECT_TRUE(session().list().empty());
}

// Per-device weights are the BFQ scheduler's: where no device uses it the host has no file for
// them, and the field is refused naming it; where one does, the weight is written.
TEST_F(CgroupLimits, BlockIoWeightPerDeviceIsHonouredOrRefusedByProbe) {
    if (where("blkio") != "v1") GTEST_SKIP() << "no v1 blkio controller";
    auto [major, minor] = a_disk();
    if (major == 0) GTEST_SKIP() << "no disk in /sys/block";
    auto s = spec({"/bin/true"});
    s.resources.io.weight_device = {{major, minor, 500}};
    bool has = fs::exists("/sys/fs/cgroup/blkio/blkio.bfq.weight_device") ||
               fs::exists("/sys/fs/cgroup/blkio/blkio.weight_device");
    if (!has) {
        auto [code, msg] = error_of([&] { session().create(s); });
        EXPECT_EQ(code, Errc::unsupported) << msg;
        EXPECT_NE(msg.find("resources.io.weight_device"), std::string::npos) << msg;
        EXPECT_NE(msg.find("weight_device is missing on this host"), std::string::npos) << msg;
        EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty());
        return;
    }
    auto c = session().create(s);
    std::string d = dir(c, "blkio");
    std::string file = fs::exists(d + "/blkio.bfq.weight_device") ? "/blkio.bfq.weight_device"
                                                                  : "/blkio.weight_device";
    EXPECT_NE(read_text(d + file).find(std::to_string(major) + ":" + std::to_string(minor)),
              std::string::npos);
    c.destroy();
}

// Huge page limits, wherever the host keeps hugetlb (here: the cgroup2 tree of a hybrid host,
// where libct enables the controller above the container).
TEST_F(CgroupLimits, HugepageLimitsReachTheKernel) {
    std::string w = where("hugetlb");
    if (w.empty()) GTEST_SKIP() << "no hugetlb controller on this host";
    if (!fs::exists("/sys/kernel/mm/hugepages/hugepages-2048kB"))
        GTEST_SKIP() << "no 2MB huge pages on this host";
    auto s = spec({"/bin/true"});
    s.resources.hugepages = {{"2MB", 4 << 20}};
    bool gb = fs::exists("/sys/kernel/mm/hugepages/hugepages-1048576kB");
    if (gb) s.resources.hugepages.push_back({"1GB", -1});
    auto c = session().create(s);
    std::string d = dir(c, "hugetlb");
    std::string suffix = w == "v1" ? ".limit_in_bytes" : ".max";
    EXPECT_EQ(read_text(d + "/hugetlb.2MB" + suffix), std::to_string(4 << 20) + "\n");
    if (gb) {
        EXPECT_EQ(read_text(d + "/hugetlb.1GB" + suffix),
                  w == "v1" ? std::string("9223372036854775807\n") : std::string("max\n"));
    }
    Resources r;
    r.hugepages = {{"2MB", 8 << 20}};
    c.update(r);
    EXPECT_EQ(read_text(d + "/hugetlb.2MB" + suffix), std::to_string(8 << 20) + "\n");
    ASSERT_EQ(c.info().spec.resources.hugepages.size(), gb ? 2u : 1u);
    if (w == "v2") {
        // Enabled from the root down to the container's parent, and left enabled (docs/spec.md).
        EXPECT_NE(read_text(v2_root() + "/cgroup.subtree_control").find("hugetlb"),
                  std::string::npos);
        EXPECT_NE(
            read_text(v2_root() + "/" + cgroup_parent_ + "/cgroup.subtree_control").find("hugetlb"),
            std::string::npos);
    }
    c.destroy();

    // A size the host does not have: refused naming the item and the file; nothing left.
    auto bad = spec({"/bin/true"});
    bad.resources.hugepages = {{"2MB", 1 << 21}, {"64KB", 1 << 20}};
    auto [code, msg] = error_of([&] { session().create(bad); });
    EXPECT_EQ(code, Errc::unsupported) << msg;
    EXPECT_NE(msg.find("resources.hugepages[1]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no 64KB huge pages"), std::string::npos) << msg;
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, bad.name).empty());
}

// cgroup-v2 files by name go to the container's cgroup2 directory; a file of a controller the
// tree does not have there is refused naming it.
TEST_F(CgroupLimits, UnifiedFilesAreWrittenInTheContainersCgroup2Directory) {
    if (!fs::exists(v2_root() + "/cgroup.controllers")) GTEST_SKIP() << "no cgroup2 tree";
    auto s = spec({"/bin/true"});
    s.resources.unified = {{"cgroup.max.descendants", "3"}};
    bool hugetlb =
        where("hugetlb") == "v2" && fs::exists("/sys/kernel/mm/hugepages/hugepages-2048kB");
    if (hugetlb) s.resources.unified["hugetlb.2MB.max"] = "2097152";
    auto c = session().create(s);
    std::string d = c.info().details.at("cgroup.unified");
    EXPECT_EQ(read_text(d + "/cgroup.max.descendants"), "3\n");
    if (hugetlb) {
        EXPECT_EQ(read_text(d + "/hugetlb.2MB.max"), "2097152\n");
    }
    Resources r;
    r.unified = {{"cgroup.max.descendants", "5"}};
    c.update(r);
    EXPECT_EQ(read_text(d + "/cgroup.max.descendants"), "5\n");
    c.destroy();

    if (where("pids") == "v2") return;  // pids.max exists there: nothing to refuse
    auto bad = spec({"/bin/true"});
    bad.resources.unified = {{"pids.max", "5"}};
    auto [code, msg] = error_of([&] { session().create(bad); });
    EXPECT_EQ(code, Errc::unsupported) << msg;
    EXPECT_NE(msg.find("resources.unified.pids.max"), std::string::npos) << msg;
    EXPECT_NE(msg.find("has no such file"), std::string::npos) << msg;
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, bad.name).empty());
}

// Escape: a `unified` key is a file name in the container's own cgroup2 directory, never a
// path out of it, nor a core file that moves processes, changes the tree or kills. A host
// process stays where it is, and the parent's files keep their values.
TEST_F(CgroupLimits, UnifiedKeysCannotLeaveTheContainersCgroupNorMoveProcesses) {
    if (!fs::exists(v2_root() + "/cgroup.controllers")) GTEST_SKIP() << "no cgroup2 tree";
    pid_t victim = ::fork();
    ASSERT_GE(victim, 0);
    if (victim == 0) {
        ::pause();
        ::_exit(0);
    }
    std::string before = read_text("/proc/" + std::to_string(victim) + "/cgroup");
    std::string root_max = read_text(v2_root() + "/cgroup.max.descendants");
    std::string pid = std::to_string(victim);
    const std::vector<std::pair<std::string, std::string>> keys = {
        {"cgroup.procs", pid},
        {"cgroup.threads", pid},
        {"../cgroup.procs", pid},
        {"../../cgroup.max.descendants", "1"},
        {"..", "x"},
        {"/sys/fs/cgroup/unified/cgroup.procs", pid},
        {"cgroup.subtree_control", "+hugetlb"},
        {"cgroup.type", "threaded"},
        {"cgroup.kill", "1"},
        {"cgroup.freeze", "1"},
        {"tasks", pid},
    };
    auto s = spec({"/bin/sleep", "1000"});
    auto c = session().create(s);
    start_quiet(c);
    for (const auto &[key, value] : keys) {
        // At create ...
        auto bad = spec({"/bin/true"});
        bad.resources.unified = {{key, value}};
        auto [code, msg] = error_of([&] { session().create(bad); });
        EXPECT_EQ(code, Errc::invalid_spec) << key << ": " << msg;
        EXPECT_NE(msg.find("resources.unified." + key), std::string::npos) << msg;
        EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, bad.name).empty()) << key;
        // ... and through update of a running container.
        Resources r;
        r.unified = {{key, value}};
        std::tie(code, msg) = error_of([&] { c.update(r); });
        EXPECT_EQ(code, Errc::invalid_spec) << key << ": " << msg;
    }
    EXPECT_EQ(c.info().state, State::running) << "a refused key froze or killed the container";
    EXPECT_TRUE(c.info().spec.resources.unified.empty());
    EXPECT_EQ(read_text("/proc/" + pid + "/cgroup"), before) << "a host process was moved";
    EXPECT_EQ(read_text(v2_root() + "/cgroup.max.descendants"), root_max);
    ::kill(victim, SIGKILL);
    ::waitpid(victim, nullptr, 0);
    c.destroy(true);
}

}  // namespace
}  // namespace ct::test
