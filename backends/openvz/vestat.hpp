// /proc/vz/vestat, "Version: 2.x": each container's CPU times.
//
// Its user, nice, system and first uptime columns count the kernel's jiffies (CONFIG_HZ, 1000
// on OpenVZ kernels), not the USER_HZ clock ticks of /proc/stat: the kernel prints
// nsecs_to_jiffies() of the container's cputime. The second uptime column is the container's
// uptime in nanoseconds (ktime; TSC cycles on 2.6.18 kernels). So HZ is found the way the
// kernel converts: jiffies = ns * HZ / 10^9, from the two uptimes of the same container.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ct::openvz {

struct VeStat {
    uint64_t user = 0, nice = 0, system = 0, uptime = 0;  // jiffies
    uint64_t uptime_ns = 0;                               // the second "uptime" column
    uint64_t idle_cycles = 0, used_cycles = 0;
};

// Throws Errc::unsupported on a version other than 2.x, Errc::backend on a malformed file.
std::map<std::string, VeStat> parse_vestat(std::string_view text);

// The kernel's HZ: the CONFIG_HZ value (100, 250, 300 or 1000) that the jiffies and
// nanoseconds of the containers' two uptime columns agree with (within two jiffies and 1%),
// by a vote of the containers that have run a second or more (the columns of one restored from
// a dump may disagree; a container that has just started cannot tell 250 from 300). When none
// fits and the CPU's cycle rate is known (`cycles_per_second`, /proc/cpuinfo's "cpu MHz"), the
// second column is read as TSC cycles, as 2.6.18 kernels print it, and the vote is taken again.
// nullopt when no container is listed or none has run at all; Errc::backend when containers
// have run long enough and none fits any HZ either way.
std::optional<uint64_t> kernel_hz(const std::map<std::string, VeStat> &vestat,
                                  std::optional<uint64_t> cycles_per_second = std::nullopt);

// The CPU's clock in Hz from /proc/cpuinfo's first "cpu MHz" line; nullopt without one.
std::optional<uint64_t> cpuinfo_hz(std::string_view cpuinfo);

// jiffies -> nanoseconds at `hz`.
uint64_t jiffies_to_ns(uint64_t jiffies, uint64_t hz);

}  // namespace ct::openvz
