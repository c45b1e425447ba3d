// Parsers of /proc/vz/veinfo, /proc/vz/vestat, /proc/user_beancounters and /proc/<pid>/status,
// and what libct reports from them, against real hosts' files (fixtures/README.md).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ct/error.hpp"
#include "host.hpp"
#include "procfs.hpp"
#include "usage.hpp"
#include "vestat.hpp"

using namespace ct::openvz;

namespace {
std::string fixture(const std::string &rel) {
    std::ifstream in(std::string(CT_OPENVZ_FIXTURES) + "/" + rel);
    EXPECT_TRUE(in) << rel;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Beancounters block(const std::string &sample, const std::string &uid) {
    auto all = parse_user_beancounters(fixture("samples/" + sample));
    EXPECT_EQ(all.size(), 1u) << sample;
    return all[uid];
}
}  // namespace

TEST(Procfs, Veinfo) {
    auto v = parse_veinfo(fixture("proc/vz/veinfo"));
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[0].ctid, "1");
    EXPECT_EQ(v[0].nproc, 57u);
    EXPECT_TRUE(v[0].ips.empty());
    EXPECT_EQ(v[1].ips, (std::vector<std::string>{"10.0.2.2"}));
    EXPECT_EQ(v[3].ctid, "0");
    EXPECT_THROW(parse_veinfo("101 0\n"), ct::Error);
}

TEST(Procfs, VestatOfARealHost) {
    auto v = parse_vestat(fixture("samples/vestat.hz1000"));
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v["301"].user, 63170u);
    EXPECT_EQ(v["301"].nice, 21u);
    EXPECT_EQ(v["301"].system, 131902u);
    EXPECT_EQ(v["301"].uptime, 99874120u);           // jiffies
    EXPECT_EQ(v["301"].uptime_ns, 99874120611943u);  // the second "uptime": nanoseconds
    EXPECT_EQ(v["301"].used_cycles, 260011552218u);
    EXPECT_EQ(v["303"].system, 280315u);
    // Another host's file, its columns left-aligned.
    auto w = parse_vestat(fixture("samples/vestat.unpadded"));
    EXPECT_EQ(w.at("1402").system, 1092338701u);
    for (const char *bad : {"Version: 3.0\n", "Version: 1.0\nVEID user\n"}) {
        try {
            parse_vestat(bad);
            ADD_FAILURE() << bad;
        } catch (const ct::Error &e) {
            EXPECT_EQ(e.code(), ct::Errc::unsupported);
        }
    }
    EXPECT_THROW(parse_vestat("Version: 2.2\nVEID user nice\n101 1\n"), ct::Error);
}

TEST(Procfs, KernelHzFromTheUptimeColumns) {
    // Both hosts run HZ=1000 kernels: 99874120 jiffies beside 99874120611943 ns.
    EXPECT_EQ(kernel_hz(parse_vestat(fixture("samples/vestat.hz1000"))), 1000u);
    EXPECT_EQ(kernel_hz(parse_vestat(fixture("samples/vestat.unpadded"))), 1000u);
    // What the kernel's nsecs_to_jiffies() gives at other HZ choices is recognised as such:
    // 250 and 300 tell apart once a container has run a while.
    auto one = [](uint64_t jiffies, uint64_t ns) {
        std::map<std::string, VeStat> m;
        m["5"].uptime = jiffies;
        m["5"].uptime_ns = ns;
        return kernel_hz(m);
    };
    EXPECT_EQ(one(26030852, 104123409048607), 250u);
    EXPECT_EQ(one(31237022, 104123409048607), 300u);
    EXPECT_EQ(one(10412340, 104123409048607), 100u);
    EXPECT_EQ(one(0, 0), std::nullopt);  // nothing has run
    EXPECT_EQ(kernel_hz({}), std::nullopt);
    // The longest-running container decides: a container started a moment ago cannot.
    auto m = parse_vestat(fixture("samples/vestat.hz1000"));
    m["9"].uptime = 3;
    m["9"].uptime_ns = 1000000;
    EXPECT_EQ(kernel_hz(m), 1000u);
    // A container whose two clocks were set apart (restored from a dump on another host) is
    // outvoted by the others, even when it has the longest uptime.
    m = parse_vestat(fixture("samples/vestat.hz1000"));
    m["8"].uptime = 1000;                   // jiffies since it was restored here
    m["8"].uptime_ns = 200000000000000000;  // nanoseconds since it first started elsewhere
    EXPECT_EQ(kernel_hz(m), 1000u);
    // Columns that fit no HZ (a kernel whose second uptime is in TSC cycles): an error naming
    // the container, never a guess.
    try {
        one(61389733, 1489081958004);
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::backend);
        EXPECT_NE(std::string(e.what()).find("container 5"), std::string::npos) << e.what();
    }
}

TEST(Procfs, KernelHzFromTscCyclesOf2618Kernels) {
    // 2.6.18 kernels print the second uptime column in TSC cycles: at 2400 MHz, a container up
    // 36000 s shows 8.64e13 cycles beside 9000000 jiffies of an HZ=250 kernel. Read as
    // nanoseconds it fits no HZ; read as cycles at the CPU's clock it fits 250.
    std::map<std::string, VeStat> m;
    m["101"].uptime = 9000000;
    m["101"].uptime_ns = 86400000000000;
    m["102"].uptime = 250000;  // 1000 s
    m["102"].uptime_ns = 2400000000000;
    EXPECT_THROW(kernel_hz(m), ct::Error);
    EXPECT_EQ(kernel_hz(m, 2400000000u), 250u);
    // A clock that fits neither: still an error, never a guess.
    EXPECT_THROW(kernel_hz(m, 1000000000u), ct::Error);
    // nanoseconds that fit are read as nanoseconds, whatever the CPU's clock.
    EXPECT_EQ(kernel_hz(parse_vestat(fixture("samples/vestat.hz1000")), 2400000000u), 1000u);

    EXPECT_EQ(cpuinfo_hz("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu MHz\t\t: 2400.000\n"
                         "cache size\t: 4096 KB\nprocessor\t: 1\ncpu MHz\t\t: 1200.000\n"),
              2400000000u);
    EXPECT_EQ(cpuinfo_hz("cpu MHz\t\t: 2793.438\n"), 2793438000u);
    EXPECT_EQ(cpuinfo_hz("processor\t: 0\n"), std::nullopt);
    EXPECT_EQ(cpuinfo_hz("cpu MHz\t\t: fast\n"), std::nullopt);
}

TEST(Procfs, CpuTimeInTheKernelsJiffies) {
    auto v = parse_vestat(fixture("proc/vz/vestat"));
    ct::Stats::Cpu c;
    cpu_usage(v.at("1"), *kernel_hz(v), c);
    // 63170 user + 21 nice and 131902 system jiffies at HZ=1000: 63.191 s and 131.902 s
    // (read at USER_HZ=100 they would be ten times as much).
    EXPECT_EQ(c.user_ns, 63191000000u);
    EXPECT_EQ(c.system_ns, 131902000000u);
    EXPECT_EQ(c.usage_ns, 195093000000u);
    EXPECT_EQ(jiffies_to_ns(UINT64_MAX, 100), UINT64_MAX);  // saturates
}

TEST(Procfs, UserBeancountersOfRealContainers) {
    // VSwap: RAM is physpages; LONG_MAX is unlimited.
    auto vswap = block("user_beancounters.vswap", "1201");
    EXPECT_EQ(vswap.count("dummy"), 0u);
    EXPECT_EQ(vswap.size(), 20u);  // no swappages row on that kernel
    EXPECT_EQ(vswap.at("physpages").held, 251234u);
    EXPECT_EQ(vswap.at("physpages").limit, 524288);
    EXPECT_EQ(vswap.at("kmemsize").limit, -1);
    EXPECT_EQ(vswap.at("tcpsndbuf").failcnt, 98231744u);
    // Pre-VSwap: real barriers on privvmpages, physpages only accounted.
    auto old = block("user_beancounters.pre-vswap", "3107");
    EXPECT_EQ(old.at("privvmpages").barrier, 262144);
    EXPECT_EQ(old.at("privvmpages").limit, 294912);
    EXPECT_EQ(old.at("physpages").limit, -1);
    // The 32-bit "unlimited", 2147483647, is unlimited too (vzubc reads it that way).
    auto intmax = block("user_beancounters.int-max", "123");
    EXPECT_EQ(intmax.at("physpages").limit, -1);
    EXPECT_EQ(intmax.at("vmguarpages").limit, -1);
    EXPECT_EQ(intmax.at("privvmpages").limit, 53575);
    auto big = block("user_beancounters.mixed", "5150");
    EXPECT_EQ(big.at("oomguarpages").limit, -1);
    EXPECT_EQ(big.at("physpages").limit, 4718592);
    EXPECT_EQ(block("user_beancounters.ct2-basic", "2").at("numothersock").failcnt, 9u);
    EXPECT_EQ(block("user_beancounters.host", "0").at("numproc").held, 163u);
    // The host fixture: the same blocks under one header.
    auto all = parse_user_beancounters(fixture("proc/user_beancounters"));
    EXPECT_EQ(all.size(), 4u);
    EXPECT_EQ(all.at("101").at("physpages").limit, -1);
    EXPECT_THROW(parse_user_beancounters("Version: 2.4\n"), ct::Error);
    EXPECT_THROW(parse_user_beancounters("Version: 2.5\n   101: kmemsize 1 2 3\n"), ct::Error);
}

TEST(Procfs, MemoryIsPrivvmpagesWithoutAPhyspagesLimit) {
    ct::Stats::Memory m;
    memory_usage(block("user_beancounters.vswap", "1201"), m);
    EXPECT_EQ(m.usage, 251234u * 4096);
    EXPECT_EQ(m.max_usage, 268004u * 4096);
    EXPECT_EQ(m.limit, int64_t{524288} * 4096);  // 2 GiB of RAM
    // Pre-VSwap, physpages unlimited at LONG_MAX: the limit that bites is privvmpages', at its
    // barrier (mmap and brk are charged against it; only an exec's mappings reach the limit).
    m = {};
    memory_usage(block("user_beancounters.ct2-basic", "2"), m);
    EXPECT_EQ(m.usage, 41877u * 4096);
    EXPECT_EQ(m.max_usage, 52212u * 4096);
    EXPECT_EQ(m.failcnt, 4u);  // privvmpages' failcnt: the refusals that bit
    EXPECT_EQ(m.limit, int64_t{65536} * 4096);
    // ... and at 2147483647, which is no 8 TiB limit.
    m = {};
    memory_usage(block("user_beancounters.int-max", "123"), m);
    EXPECT_EQ(m.limit, int64_t{49152} * 4096);
    EXPECT_EQ(m.usage, 4410u * 4096);
    // The host: nothing limited at all.
    m = {};
    memory_usage(block("user_beancounters.host", "0"), m);
    EXPECT_EQ(m.limit, -1);
    EXPECT_EQ(m.usage, 149870u * 4096);

    ct::Stats::Pids p;
    pids_usage(block("user_beancounters.ct2-basic", "2"), std::nullopt, p);
    EXPECT_EQ(p.current, 41u);
    EXPECT_EQ(p.limit, 240);
}

TEST(Procfs, ProcStatusOfBothKernels) {
    auto legacy = parse_proc_status(fixture("proc/3303/status"));  // 2.6.32: envID %d, VPid
    ASSERT_TRUE(legacy);
    EXPECT_EQ(legacy->envid, "1");
    EXPECT_EQ(legacy->vpid, 1);
    EXPECT_EQ(legacy->name, "init");
    auto vz7 = parse_proc_status(fixture("proc/24690/status"));  // 3.10 vz7: envID %s, VPid
    ASSERT_TRUE(vz7);
    EXPECT_EQ(vz7->envid, "101");
    EXPECT_EQ(vz7->vpid, 1);
    EXPECT_EQ(vz7->name, "systemd");
    // Without VPid, the last NSpid field.
    auto ns = parse_proc_status("Name:\tbash\nNSpid:\t5120\t7\nenvID:\t101\n");
    ASSERT_TRUE(ns);
    EXPECT_EQ(ns->vpid, 7);
    EXPECT_FALSE(parse_proc_status("Name:\tbash\nPid:\t5\n"));  // not an OpenVZ kernel
}

TEST(Procfs, HostScansProcessesUnderItsRoot) {
    SessionOptions o;
    o.root = CT_OPENVZ_FIXTURES;
    Host h(o);
    auto p = h.processes("1");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].pid, 3303);
    EXPECT_EQ(p[0].ns_pid, 1);
    EXPECT_EQ(p[1].command, "sshd");
    EXPECT_EQ(p[1].ns_pid, 230);
    auto init = h.init_pids();
    EXPECT_EQ(init.at("1"), 3303);
    EXPECT_EQ(init.at("2"), 24571);
    EXPECT_EQ(init.at("101"), 24690);
    EXPECT_EQ(init.count("0"), 0u);
    EXPECT_NO_THROW(h.check_openvz());
}
