// A container's usage as libct reports it (Stats), from what the kernel shows of it: its
// beancounters, its vestat row and its veinfo row. Pure functions of the parsed files.
#pragma once

#include <optional>

#include "ct/info.hpp"
#include "procfs.hpp"

namespace ct::openvz {

// memory.* from the beancounters. VSwap kernels limit RAM with physpages; on a container
// without a physpages limit (pre-VSwap kernels, UBC-style confs) the limit that bites is
// privvmpages (allocated memory: its failcnt counts the refusals), so memory is reported from
// privvmpages then. Pages are 4 KiB (ubc::kPageSize).
void memory_usage(const Beancounters &bc, Stats::Memory &m);

// The privvmpages bound an ordinary allocation meets: the kernel charges mmap and brk against
// the barrier; only the mappings of an exec may go on to the limit. -1 when unlimited.
int64_t privvm_bound(const Stats::Beancounter &privvm);

// pids.* from numproc, else the process count of /proc/vz/veinfo.
void pids_usage(const Beancounters &bc, const std::optional<VeInfo> &veinfo, Stats::Pids &p);

// cpu.* from the container's vestat row: user+nice and system jiffies at the kernel's HZ.
void cpu_usage(const VeStat &v, uint64_t hz, Stats::Cpu &c);

}  // namespace ct::openvz
