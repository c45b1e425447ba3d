// The limits of a spec as cgroup files: for each controller, how cgroup v1 and cgroup v2
// write it (the cgroupfs managers pick one per container directory).
#pragma once

#include <string>
#include <vector>

#include "cgroups/layout.hpp"
#include "ct/spec.hpp"

namespace ct::linux_native {

struct LimitWriter {
    const char *field;   // spec field, for messages
    const char *v1_key;  // the container's v1 directory it goes to ("memory", "blkio", ...)
    bool (*set)(const Resources &);                         // does `r` set this limit?
    void (*v1)(const std::string &dir, const Resources &);  // write it there
    void (*v2)(const std::string &dir, const Resources &);
};

// memory (swap, soft limit, swappiness, OOM killer), pids, cpu (shares, quota, period,
// realtime, idle, burst), cpuset (cpus, mems), io weight, per-device block I/O, huge pages, and
// last the cgroup-v2 files by name (`unified`).
const std::vector<LimitWriter> &limit_writers();

// Which groups of limits `r` sets (the planner's and update's questions).
// A weight of the spec (io.weight's 1..10000) as blkio.weight's (10..1000): the exact inverse
// of the conversion OCI runtimes make the other way (runc: 1 + (w - 10) * 9999 / 990), so a
// blkio weight an engine asked for through ct-oci is written as it was asked.
uint64_t blkio_weight(uint64_t io_weight);

bool has_memory_more(const Resources &r);  // reservation, swappiness, OOM killer
bool has_cpu_limit(const CpuSpec &c);      // everything of the cpu controller (not cpuset)
bool has_device_limits(const BlockIoSpec &io);

// On a pure cgroup-v2 host, creates `parent` and enables the controllers in the
// subtree_control of the root and of every level down to it (cgroupfs.cpp).
void enable_v2_controllers(const CgroupLayout &layout, const std::string &parent);

}  // namespace ct::linux_native
