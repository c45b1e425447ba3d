// Parsers of the OpenVZ kernel's files. Pure functions of the text, so that they are checked
// against fixtures of real hosts' formats (tests/openvz/fixtures).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ct/info.hpp"
#include "vestat.hpp"

namespace ct::openvz {

// /proc/vz/veinfo: one line per running container: CTID, class, process count, venet IPs.
// (CTID 0 is the host itself.)
struct VeInfo {
    std::string ctid;
    uint64_t nproc = 0;
    std::vector<std::string> ips;
};
std::vector<VeInfo> parse_veinfo(std::string_view text);

// /proc/user_beancounters, "Version: 2.5": for each container ("uid", 0 is the host), its
// resources with held, maxheld, barrier, limit and failcnt (LONG_MAX or INT_MAX: unlimited,
// reported as -1; limits.hpp). The "dummy" rows are dropped.
using Beancounters = std::map<std::string, Stats::Beancounter>;
// Throws Errc::unsupported on a version other than 2.5, Errc::backend on a malformed file.
std::map<std::string, Beancounters> parse_user_beancounters(std::string_view text);

// /proc/<pid>/status of an OpenVZ kernel: the container a process belongs to ("envID:") and its
// pid inside it ("VPid:" on 2.6.32 kernels; the last "NSpid:" field on newer ones).
struct ProcStatus {
    std::string name;
    std::string envid;  // "0" on the host
    int64_t vpid = 0;
};
std::optional<ProcStatus> parse_proc_status(std::string_view text);

}  // namespace ct::openvz
