// cgroup limits are applied and enforced by the kernel, on this host's layout (hybrid here:
// v1 controllers plus a cgroup2 tree).
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fixture.hpp"

namespace ct::test {
namespace {

using namespace std::chrono_literals;

class Cgroups : public LinuxTest {
  protected:
    // The directory of controller `ctrl` for a container, wherever the host keeps it.
    std::string dir(const std::string &name, const std::string &ctrl) {
        auto info = session().get(name).info();
        auto it = info.details.find("cgroup." + ctrl);
        if (it != info.details.end()) return it->second;
        it = info.details.find("cgroup.unified");
        return it == info.details.end() ? "" : it->second;
    }
    bool v1(const std::string &ctrl) {
        return std::filesystem::exists("/sys/fs/cgroup/" + ctrl + "/cgroup.procs") &&
               !std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers");
    }
};

TEST_F(Cgroups, LimitsAreWrittenToTheKernel) {
    auto s = spec({"/bin/true"});
    s.resources.memory = 64 << 20;
    s.resources.pids = 100;
    s.resources.cpu.shares = 512;
    s.resources.cpu.quota_us = 50000;
    s.resources.cpu.period_us = 100000;
    auto c = session().create(s);
    if (v1("memory")) {
        EXPECT_EQ(read_text(dir(s.name, "memory") + "/memory.limit_in_bytes"), "67108864\n");
    } else {
        EXPECT_EQ(read_text(dir(s.name, "memory") + "/memory.max"), "67108864\n");
    }
    EXPECT_EQ(read_text(dir(s.name, "pids") + "/pids.max"), "100\n");
    if (v1("cpu")) {
        EXPECT_EQ(read_text(dir(s.name, "cpu") + "/cpu.shares"), "512\n");
        EXPECT_EQ(read_text(dir(s.name, "cpu") + "/cpu.cfs_quota_us"), "50000\n");
        EXPECT_EQ(read_text(dir(s.name, "cpu") + "/cpu.cfs_period_us"), "100000\n");
    } else {
        EXPECT_EQ(read_text(dir(s.name, "cpu") + "/cpu.max"), "50000 100000\n");
    }
    c.destroy();
}

TEST_F(Cgroups, EveryProcessIsInTheContainersCgroupsAndSeesItsOwnRoot) {
    auto s = spec({"/bin/sh", "-c", "cat /proc/self/cgroup"});
    s.resources.memory = 64 << 20;
    auto c = session().create(s);
    auto info = c.info();
    auto r = run_captured(c);
    // cgroup namespace: the container sees its own cgroups as "/".
    std::istringstream in(r.out);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
        ++lines;
        EXPECT_EQ(line.substr(line.rfind(':')), ":/") << "not the namespace root: " << line;
    }
    EXPECT_GT(lines, 0);
    // Each directory libct made is named after the container.
    for (const auto &[k, v] : info.details) {
        if (k.rfind("cgroup.", 0) == 0) {
            EXPECT_EQ(v.substr(v.rfind('/') + 1), s.name) << k;
        }
    }
    c.destroy();
}

TEST_F(Cgroups, ProcessesJoinTheCgroupsOnTheHost) {
    auto s = spec({"/bin/sleep", "30"});
    auto c = session().create(s);
    int64_t pid = c.start(StartOptions{{-1, -1, -1}, false});
    std::string self = read_text("/proc/" + std::to_string(pid) + "/cgroup");
    for (const auto &d : cgroup_dirs_for(cgroup_parent_, s.name)) {
        std::string procs = read_text(d + "/cgroup.procs");
        EXPECT_NE(procs.find(std::to_string(pid) + "\n"), std::string::npos)
            << d << " lacks init: " << procs << "\n"
            << self;
    }
    c.destroy(true);
}

TEST_F(Cgroups, MemoryLimitOomKills) {
    auto s = spec({"tail", "/dev/zero"});  // buffers an endless "line" in memory
    s.resources.memory = 32 << 20;
    s.resources.memory_swap.reset();
    auto c = session().create(s);
    std::string d = dir(s.name, "memory");
    c.start(StartOptions{{-1, -1, -1}, false});
    auto st = c.wait(60s);
    EXPECT_EQ(st, (ExitStatus{true, SIGKILL}));
    if (v1("memory")) {
        std::string oom = read_text(d + "/memory.oom_control");
        EXPECT_NE(oom.find("oom_kill 1"), std::string::npos) << oom;
    } else {
        std::string ev = read_text(d + "/memory.events");
        EXPECT_NE(ev.find("oom_kill 1"), std::string::npos) << ev;
    }
    c.destroy();
}

TEST_F(Cgroups, PidsLimitStopsForks) {
    // busybox sh gives up at the first fork the kernel refuses; the sleeps die with init.
    auto s = spec({"/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; wait"});
    s.resources.pids = 4;
    auto c = session().create(s);
    std::string d = dir(s.name, "pids");
    auto r = run_captured(c);
    EXPECT_NE(r.err.find("can't fork: Resource temporarily unavailable"), std::string::npos)
        << r.err;
    std::string events = read_text(d + "/pids.events");
    EXPECT_EQ(events.find("max 0"), std::string::npos) << "no fork was refused: " << events;
    EXPECT_NE(events.find("max "), std::string::npos) << events;
    c.destroy();
}

TEST_F(Cgroups, AKernelRejectedLimitRollsEverythingBack) {
    auto s = spec({"/bin/true"});
    s.resources.cpu.cpus = "999";  // valid syntax, but this machine has no CPU 999
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("resources.cpu.cpus"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty());
    EXPECT_TRUE(session().list().empty());
}

}  // namespace
}  // namespace ct::test
