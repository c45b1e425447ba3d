// stats (cpu, memory, pids, io, network) and processes (host pid, pid inside, command), from
// the API and from `ct stats/ps --json`.
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "proc_util.hpp"

namespace ct::test {
namespace {

class StatsTest : public LinuxTest {
  protected:
    ProcessSpec proc(std::vector<std::string> args) {
        ProcessSpec p;
        p.args = std::move(args);
        p.env = {"PATH=/bin:/sbin"};
        return p;
    }
};

TEST_F(StatsTest, CpuMemoryPidsIoAndNetworkAreMeasured) {
    auto s = spec({"/bin/sleep", "1000"});
    s.rootfs = private_rootfs("stats");  // written to below: an ext4 directory, not tmpfs
    temp_dirs_.push_back(s.rootfs);
    s.resources.memory = 64 << 20;
    s.resources.pids = 50;
    auto c = session().create(s);
    start_quiet(c);
    Stats before = c.stats();

    // Burn CPU, write 8 MiB to disk, send traffic over lo; then stay (exec sleep keeps the
    // shell's accounting, which includes the children it reaped).
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    int64_t worker =
        c.exec(proc({"/bin/sh", "-c",
                     "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; "
                     "dd if=/dev/zero of=/tmp/blob bs=1M count=8 conv=fsync 2>/dev/null; "
                     "ping -c 3 -i 0.2 -q 127.0.0.1 >/dev/null; echo ok; exec sleep 1000"}),
               StartOptions{{-1, out[1], -1}});
    close(out[1]);
    char buf[16] = {};
    ssize_t n = read(out[0], buf, sizeof buf - 1);
    close(out[0]);
    ASSERT_EQ(std::string(buf, n > 0 ? n : 0), "ok\n");
    Stats st = c.stats();
    EXPECT_GT(st.cpu.usage_ns, before.cpu.usage_ns + 50'000'000) << "200k shell iterations";
    EXPECT_GT(st.cpu.user_ns, 0u);
    EXPECT_LE(st.cpu.user_ns + st.cpu.system_ns, st.cpu.usage_ns + 20'000'000);
    EXPECT_EQ(st.memory.limit, 64 << 20);
    EXPECT_GT(st.memory.usage, 0u);
    EXPECT_GE(st.memory.max_usage, st.memory.usage);
    EXPECT_EQ(st.memory.oom_kills, 0u);
    EXPECT_EQ(st.pids.current, 2u);  // init and the worker
    EXPECT_EQ(st.pids.limit, 50);
    EXPECT_GE(st.io.write_bytes, 8u << 20);
    ASSERT_EQ(st.network.count("lo"), 1u);
    EXPECT_GE(st.network["lo"].rx_packets, 6u);  // 3 echo requests + 3 replies, both ways on lo
    EXPECT_GE(st.network["lo"].tx_packets, 6u);
    EXPECT_GT(st.network["lo"].rx_bytes, 0u);
    EXPECT_EQ(st.network.size(), 1u) << "only the container's own interfaces";

    // The same from `ct stats --json`.
    auto j = ct_cli(uri(), {"stats", c.name(), "--json"});
    ASSERT_EQ(j.code, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["memory"]["limit"].get<int64_t>(), 64 << 20);
    EXPECT_EQ(doc["pids"]["limit"].get<int64_t>(), 50);
    EXPECT_GE(doc["io"]["write_bytes"].get<uint64_t>(), 8u << 20);
    EXPECT_GE(doc["cpu"]["usage_ns"].get<uint64_t>(), st.cpu.usage_ns);
    EXPECT_TRUE(doc["network"].contains("lo"));
    c.kill_process(worker, SIGKILL);
    EXPECT_EQ(c.wait_process(worker), (ExitStatus{true, SIGKILL}));
    c.destroy(true);
}

TEST_F(StatsTest, MemoryFailuresAndOomKillsAreCounted) {
    auto s = spec({"/bin/sleep", "1000"});
    s.resources.memory = 16 << 20;
    auto c = session().create(s);
    start_quiet(c);
    // dd's 32 MiB buffer cannot fit: the OOM killer takes dd (the biggest), not init.
    auto r =
        exec_captured(c, proc({"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=32M", "count=1"}));
    EXPECT_EQ(r.status, (ExitStatus{true, SIGKILL})) << r.err;
    Stats st = c.stats();
    EXPECT_GE(st.memory.oom_kills, 1u);
    EXPECT_GE(st.memory.failcnt, 1u);
    EXPECT_GE(st.memory.max_usage, 15u << 20);
    EXPECT_EQ(c.state(), State::running);
    c.destroy(true);
}

TEST_F(StatsTest, ProcessesShowHostAndNamespacePids) {
    auto c = session().create(spec({"/bin/sh", "-c", "sleep 1000 & sleep 1001 & wait"}));
    int64_t init = start_quiet(c);
    int64_t exec_pid = c.exec(proc({"/bin/sleep", "1002"}), StartOptions{{-1, -1, -1}});
    std::vector<ProcessInfo> ps;
    // Until both sleeps have been executed (a fork of sh shows sh's command line before).
    auto ready = [&] {
        ps = c.processes();
        int sleeps = 0;
        for (const auto &p : ps) sleeps += p.command.rfind("sleep 100", 0) == 0;
        return ps.size() == 4 && sleeps == 2;
    };
    ASSERT_TRUE(eventually(ready)) << ps.size();
    std::map<std::string, ProcessInfo> by_cmd;
    for (const auto &p : ps) by_cmd[p.command] = p;
    ASSERT_EQ(by_cmd.count("/bin/sh -c sleep 1000 & sleep 1001 & wait"), 1u);
    EXPECT_EQ(by_cmd["/bin/sh -c sleep 1000 & sleep 1001 & wait"].pid, init);
    EXPECT_EQ(by_cmd["/bin/sh -c sleep 1000 & sleep 1001 & wait"].ns_pid, 1);
    ASSERT_EQ(by_cmd.count("/bin/sleep 1002"), 1u);
    EXPECT_EQ(by_cmd["/bin/sleep 1002"].pid, exec_pid);
    for (const auto &p : ps) {
        // The host's view agrees: the last NSpid field is the pid inside.
        std::string nspid = proc_status(p.pid, "NSpid");
        EXPECT_EQ(nspid.substr(nspid.rfind('\t') + 1), std::to_string(p.ns_pid)) << p.command;
        EXPECT_GT(p.ns_pid, 0);
    }
    auto j = ct_cli(uri(), {"ps", c.name(), "--json"});
    ASSERT_EQ(j.code, 0) << j.err;
    auto doc = nlohmann::json::parse(j.out);
    ASSERT_EQ(doc.size(), 4u);
    bool found = false;
    for (const auto &e : doc)
        if (e["pid"].get<int64_t>() == init) {
            found = true;
            EXPECT_EQ(e["ns_pid"].get<int64_t>(), 1);
        }
    EXPECT_TRUE(found) << j.out;
    c.destroy(true);
}

TEST_F(StatsTest, StatsNeedARunningContainer) {
    auto c = session().create(spec({"/bin/true"}));
    try {
        c.stats();
        ADD_FAILURE() << "stats of a created container";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state);
    }
    EXPECT_TRUE(c.processes().empty());
    c.destroy();
}

}  // namespace
}  // namespace ct::test
