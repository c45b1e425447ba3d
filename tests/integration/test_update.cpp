// update: cpu/memory/pids limits of a created or running container reach the kernel, are
// kept in the state (a later session and a restart see them), and a refused value changes
// nothing.
#include <fcntl.h>
#include <unistd.h>

#include "proc_util.hpp"

namespace ct::test {
namespace {

class Update : public LinuxTest {
  protected:
    std::string knob(const ContainerInfo &i, const std::string &ctrl, const std::string &file) {
        auto it = i.details.find("cgroup." + ctrl);
        if (it == i.details.end()) it = i.details.find("cgroup.unified");
        return read_text(it->second + "/" + file);
    }
    std::string memory_limit(const ContainerInfo &i) {
        return i.details.count("cgroup.memory") ? knob(i, "memory", "memory.limit_in_bytes")
                                                : knob(i, "memory", "memory.max");
    }
};

TEST_F(Update, LimitsOfARunningContainerReachTheKernelAndTheState) {
    auto s = spec({"/bin/sleep", "1000"});
    s.resources.memory = 64 << 20;
    s.resources.pids = 50;
    auto c = session().create(s);
    start_quiet(c);
    Resources r;
    r.memory = 32 << 20;
    r.pids = 3;
    r.cpu.shares = 512;
    r.cpu.quota_us = 20000;
    r.cpu.period_us = 100000;
    c.update(r);
    auto i = c.info();
    EXPECT_EQ(memory_limit(i), std::to_string(32 << 20) + "\n");
    EXPECT_EQ(knob(i, "pids", "pids.max"), "3\n");
    if (i.details.count("cgroup.cpu")) {
        EXPECT_EQ(knob(i, "cpu", "cpu.shares"), "512\n");
        EXPECT_EQ(knob(i, "cpu", "cpu.cfs_quota_us"), "20000\n");
        EXPECT_EQ(knob(i, "cpu", "cpu.cfs_period_us"), "100000\n");
    } else {
        EXPECT_EQ(knob(i, "cpu", "cpu.max"), "20000 100000\n");
    }
    // Only the fields given change; the spec says what is in force.
    EXPECT_EQ(i.spec.resources.memory, 32 << 20);
    EXPECT_EQ(i.spec.resources.pids, 3);
    EXPECT_EQ(i.spec.resources.cpu.shares, 512u);
    EXPECT_FALSE(i.spec.resources.memory_swap.has_value());

    // Enforced: the third task of the container cannot be forked (init, sh, then sleeps).
    ProcessSpec p;
    p.args = {"/bin/sh", "-c", "sleep 1 & sleep 1 & sleep 1 & wait"};
    auto res = exec_captured(c, p);
    EXPECT_NE(res.err.find("can't fork"), std::string::npos) << res.err;

    // A later session reads the new limits from the state.
    EXPECT_EQ(Session::open(uri()).get(c.name()).info().spec.resources.pids, 3);
    c.destroy(true);
}

TEST_F(Update, ACreatedContainerStartsWithTheNewLimitsAndARestartKeepsThem) {
    auto s = spec({"/bin/sh", "-c", "exit 0"});
    auto c = session().create(s);
    Resources r;
    r.memory = 48 << 20;
    r.pids = 7;
    c.update(r);
    EXPECT_EQ(run_captured(c).status, (ExitStatus{false, 0}));
    auto i = c.info();
    EXPECT_EQ(memory_limit(i), std::to_string(48 << 20) + "\n");
    Resources r2;
    r2.pids = 9;
    c.update(r2);  // stopped: still allowed
    EXPECT_EQ(run_captured(c).status, (ExitStatus{false, 0}));
    i = c.info();
    EXPECT_EQ(knob(i, "pids", "pids.max"), "9\n");
    EXPECT_EQ(memory_limit(i), std::to_string(48 << 20) + "\n");
    EXPECT_EQ(i.spec.resources.memory, 48 << 20);
    c.destroy();
}

TEST_F(Update, AMemoryLimitBelowUsageIsRefusedAndNothingChanges) {
    auto s = spec(
        {"/bin/sh", "-c",
         "dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; echo full; sleep 1000"});
    s.resources.memory = 64 << 20;
    s.resources.pids = 50;
    auto c = session().create(s);
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    c.start(StartOptions{{-1, out[1], -1}});
    close(out[1]);
    char buf[16] = {};
    ssize_t n = read(out[0], buf, sizeof buf - 1);
    close(out[0]);
    ASSERT_EQ(std::string(buf, n > 0 ? n : 0), "full\n");
    auto before = c.info();
    if (!before.details.count("cgroup.memory")) {
        c.destroy(true);
        GTEST_SKIP() << "cgroup v2 reclaims (or OOM-kills) instead of refusing a lower memory.max";
    }
    Resources r;
    r.pids = 20;         // written after memory: must not be applied either
    r.memory = 8 << 20;  // tmpfs pages cannot be reclaimed without swap
    try {
        c.update(r);
        ADD_FAILURE() << "the kernel took a limit below usage";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state) << e.what();
        std::string m = e.what();
        EXPECT_NE(m.find("resources.memory"), std::string::npos) << m;
        EXPECT_NE(m.find("more memory"), std::string::npos) << m;
        EXPECT_NE(m.find("nothing was changed"), std::string::npos) << m;
    }
    auto after = c.info();
    EXPECT_EQ(memory_limit(after), memory_limit(before));
    EXPECT_EQ(knob(after, "pids", "pids.max"), "50\n");
    EXPECT_EQ(after.spec.resources, before.spec.resources);
    EXPECT_EQ(c.state(), State::running);
    c.destroy(true);
}

TEST_F(Update, AFailureAfterAnAppliedKnobRollsItBack) {
    auto s = spec({"/bin/true"});
    s.resources.memory = 64 << 20;
    s.resources.cpu.cpus = "0";
    auto c = session().create(s);
    auto before = c.info();
    Resources r;
    r.memory = 128 << 20;   // accepted first...
    r.cpu.cpus = "0-1023";  // ...then refused: no such CPUs
    try {
        c.update(r);
        ADD_FAILURE() << "the kernel took CPUs 0-1023";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("cpuset.cpus"), std::string::npos) << e.what();
    }
    auto after = c.info();
    EXPECT_EQ(memory_limit(after), memory_limit(before));
    EXPECT_EQ(after.spec.resources, before.spec.resources);
    c.destroy();
}

TEST_F(Update, BadValuesAndMissingControllersChangeNothing) {
    auto c = session().create(spec({"/bin/true"}));
    Resources bad;
    bad.pids = 0;
    try {
        c.update(bad);
        ADD_FAILURE() << "pids 0 accepted";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("resources.pids"), std::string::npos) << e.what();
    }
    auto i = c.info();
    if (!i.details.count("cgroup.cpuset") && !i.details.count("cgroup.unified")) {
        Resources cpus;
        cpus.cpu.cpus = "0";
        try {
            c.update(cpus);
            ADD_FAILURE() << "cpus set without a cpuset cgroup";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::unsupported) << e.what();
        }
    }
    EXPECT_EQ(c.info().spec.resources, Resources{});
    c.destroy();
}

TEST_F(Update, Cli) {
    auto c = session().create(spec({"/bin/sleep", "1000"}));
    start_quiet(c);
    auto r = ct_cli(uri(), {"update", c.name(), "--memory", "40M", "--pids", "30"});
    EXPECT_EQ(r.code, 0) << r.err;
    auto i = c.info();
    EXPECT_EQ(i.spec.resources.memory, 40 << 20);
    EXPECT_EQ(knob(i, "pids", "pids.max"), "30\n");
    EXPECT_EQ(ct_cli(uri(), {"update", c.name()}).code, 2) << "nothing to update is a usage error";
    // Checked by the validator's rule for resources.pids, as a usage error naming the option.
    auto bad = ct_cli(uri(), {"update", c.name(), "--pids", "0"});
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("--pids '0': 0 is below the minimum 1"), std::string::npos) << bad.err;
    c.destroy(true);
}

}  // namespace
}  // namespace ct::test
