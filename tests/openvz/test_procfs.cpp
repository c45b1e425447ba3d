// Parsers of /proc/vz/veinfo, /proc/vz/vestat, /proc/user_beancounters and /proc/<pid>/status,
// against fixtures in the formats of OpenVZ kernels (2.6.32 "042stab" and 3.10 "vz7").
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ct/error.hpp"
#include "host.hpp"
#include "procfs.hpp"

using namespace ct::openvz;

namespace {
std::string fixture(const std::string &rel) {
    std::ifstream in(std::string(CT_OPENVZ_FIXTURES) + "/" + rel);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

TEST(Procfs, Veinfo) {
    auto v = parse_veinfo(fixture("proc/vz/veinfo"));
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].ctid, "101");
    EXPECT_EQ(v[0].nproc, 31u);
    EXPECT_EQ(v[0].ips, (std::vector<std::string>{"10.0.1.101", "2001:db8::101"}));
    EXPECT_EQ(v[2].ctid, "0");
    EXPECT_TRUE(v[2].ips.empty());
    EXPECT_THROW(parse_veinfo("101 0\n"), ct::Error);
}

TEST(Procfs, Vestat) {
    auto v = parse_vestat(fixture("proc/vz/vestat"));
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v["101"].user, 4172u);
    EXPECT_EQ(v["101"].nice, 25u);
    EXPECT_EQ(v["101"].system, 2951u);
    EXPECT_EQ(v["101"].uptime, 61389733u);  // the first "uptime" column: ticks, not cycles
    EXPECT_EQ(v["101"].used_cycles, 24467630448u);
    EXPECT_EQ(v["102"].system, 407u);
    try {
        parse_vestat("Version: 3.0\n");
        FAIL();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported);
    }
}

TEST(Procfs, UserBeancounters) {
    auto b = parse_user_beancounters(fixture("proc/user_beancounters"));
    ASSERT_EQ(b.size(), 3u);
    const auto &c = b["101"];
    EXPECT_EQ(c.count("dummy"), 0u);
    EXPECT_EQ(c.size(), 21u);
    EXPECT_EQ(c.at("physpages").held, 20315u);
    EXPECT_EQ(c.at("physpages").maxheld, 27413u);
    EXPECT_EQ(c.at("physpages").barrier, 0);
    EXPECT_EQ(c.at("physpages").limit, 262144);
    EXPECT_EQ(c.at("physpages").failcnt, 3u);
    EXPECT_EQ(c.at("kmemsize").limit, -1);  // LONG_MAX
    const auto &old = b["102"];             // a pre-VSwap container: real barriers, failures
    EXPECT_EQ(old.at("privvmpages").barrier, 65536);
    EXPECT_EQ(old.at("privvmpages").limit, 69632);
    EXPECT_EQ(old.at("privvmpages").failcnt, 7u);
    EXPECT_EQ(old.at("kmemsize").failcnt, 17u);
    EXPECT_EQ(old.count("swappages"), 0u);
    EXPECT_EQ(b["0"].at("numproc").held, 187u);
    EXPECT_THROW(parse_user_beancounters("Version: 2.4\n"), ct::Error);
    EXPECT_THROW(parse_user_beancounters("Version: 2.5\n   101: kmemsize 1 2 3\n"), ct::Error);
}

TEST(Procfs, ProcStatusOfBothKernels) {
    auto legacy = parse_proc_status(fixture("proc/24571/status"));
    ASSERT_TRUE(legacy);
    EXPECT_EQ(legacy->envid, "101");
    EXPECT_EQ(legacy->vpid, 1);
    EXPECT_EQ(legacy->name, "init");
    auto vz7 = parse_proc_status(fixture("proc/24690/status"));
    ASSERT_TRUE(vz7);
    EXPECT_EQ(vz7->envid, "102");
    EXPECT_EQ(vz7->vpid, 1);                                    // from NSpid
    EXPECT_FALSE(parse_proc_status("Name:\tbash\nPid:\t5\n"));  // not an OpenVZ kernel
}

TEST(Procfs, HostScansProcessesUnderItsRoot) {
    SessionOptions o;
    o.root = CT_OPENVZ_FIXTURES;
    Host h(o);
    auto p = h.processes("101");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].pid, 24571);
    EXPECT_EQ(p[0].ns_pid, 1);
    EXPECT_EQ(p[1].command, "sshd");
    EXPECT_EQ(p[1].ns_pid, 212);
    auto init = h.init_pids();
    EXPECT_EQ(init.at("101"), 24571);
    EXPECT_EQ(init.at("102"), 24690);
    EXPECT_EQ(init.count("0"), 0u);
    EXPECT_NO_THROW(h.check_openvz());
}
