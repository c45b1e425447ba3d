// Devices of a container: the nodes created inside it (spec `devices`) and the allow-list
// enforced by the devices cgroup (defaults, then the nodes, then `resources.devices`).
#pragma once

#include <sys/types.h>

#include <mutex>
#include <string>
#include <vector>

#include "cgroups/cgroups.hpp"
#include "ct/spec.hpp"
#include "launch/launch.hpp"
#include "support.hpp"

namespace ct::linux_native {

// One allow-list rule in kernel terms. major/minor -1: any. access: bits of kAccess*.
struct DeviceAccess {
    bool allow = true;
    char type = 'a';  // 'a', 'c', 'b'
    int64_t major = -1, minor = -1;
    unsigned access = 7;
};
constexpr unsigned kAccessMknod = 1, kAccessRead = 2, kAccessWrite = 4;

// The container's allow-list, in order; the last matching rule decides. Starts with "deny
// everything", then the devices every container needs (null, zero, full, random, urandom,
// tty, console, ptmx, pts, net/tun; mknod of any node), the spec's nodes, `resources.devices`.
std::vector<DeviceAccess> device_allow_list(const Spec &spec);

// The last device program a session loaded, for its next container with the same rules
// (most have the default list): loading runs the kernel's verifier (~70 us), attaching a
// loaded program to one more cgroup costs ~10 us. Holds one fd while it is set.
struct DeviceProgramCache {
    std::mutex mu;
    std::string code;  // the program's instructions
    Fd prog;
};

// Applies the allow-list to the container's cgroups: the v1 devices controller when the host
// has it (legacy and hybrid hosts), else an eBPF program on its cgroup2 directory (from
// `cache` when it holds the same program). A container with neither (no cgroups at all) gets
// no enforcement: Errc::unsupported if the spec asked for devices or rules, silently otherwise.
void apply_device_policy(const ContainerCgroups &cg, const Spec &spec,
                         DeviceProgramCache *cache = nullptr);

// Attaches `rules` to the cgroup2 directory `dirfd` as a BPF_PROG_TYPE_CGROUP_DEVICE program
// (what the kernel offers on cgroup v2 instead of devices.allow). Throws naming `dir`.
void attach_device_bpf(int dirfd, const std::string &dir, const std::vector<DeviceAccess> &rules,
                       DeviceProgramCache *cache = nullptr);

// The nodes the child creates. In a user namespace mknod is refused by the kernel, so the
// host's node at the same path is bind-mounted instead; it must exist with the same numbers
// (Errc::permission naming the field otherwise).
std::vector<DeviceOp> plan_device_nodes(const Spec &spec, bool userns);

}  // namespace ct::linux_native
