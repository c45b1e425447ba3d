// Resource usage and the process list of a container, read from its cgroups and /proc.
#pragma once

#include <vector>

#include "cgroups/cgroups.hpp"
#include "ct/info.hpp"

namespace ct::linux_native {

// The container's processes (host pids): its cgroup's; for a container without cgroups (made
// by a caller who cannot create any), the processes of init's pid namespace when it has its
// own (`own_pidns`), else init alone. `init` 0: not running.
std::vector<long> container_pids(const ContainerCgroups &cgroups, long init, bool own_pidns);

// cpu, memory, pids and io from the container's cgroups (v1, v2 or hybrid: each from where
// the host keeps it); network counters of init's network namespace when `own_netns`.
Stats collect_stats(const ContainerCgroups &cgroups, long init, bool own_pidns, bool own_netns);

// Every process of the container's cgroup: host pid, pid in the container's pid namespace
// (init's level of NSpid; the host pid when `own_pidns` is false; 0 when init, 0, is not
// running), command line.
std::vector<ProcessInfo> list_processes(const ContainerCgroups &cgroups, long init, bool own_pidns);

}  // namespace ct::linux_native
