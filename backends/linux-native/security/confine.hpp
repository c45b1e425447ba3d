// A container's confinement (docs/security.md), planned in the parent: what the child applies
// (security/child_confine.cpp) and what the cgroup layout must hold for it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ct/spec.hpp"
#include "launch/launch.hpp"
#include "security/seccomp.hpp"

namespace ct::linux_native {

// Adds to `p` the process's confinement: its seccomp filter (compiled through `cache`), its LSM
// label, the exec stub, and for a container's init (`init`) with a mount namespace of its own,
// the masked and read-only paths. An exec'd process (`init` false) may not hold a capability
// outside the container's own bounding set. Throws naming the field.
void plan_confinement(LaunchPlan &p, const Spec &spec, const ProcessSpec &process,
                      SeccompCache &cache, bool init);

// The spec's masked and read-only paths in effect, with those under /proc and /sys repeated
// below every other procfs and sysfs the spec mounts (a second procfs is the same kernel).
std::vector<std::string> effective_masked_paths(const Spec &spec);
std::vector<std::string> effective_readonly_paths(const Spec &spec);

// What create checks against the host: the LSM the spec names is enabled here; the seccomp
// profile compiles (through `cache`, which keeps it for the start).
void check_confinement(const Spec &spec, SeccompCache &cache);

// True when a process of the container could mount a cgroup hierarchy: a user namespace of its
// own, CAP_SYS_ADMIN in its bounding set, or a seccomp profile other than the default (which
// keeps mount and new namespaces from everyone without CAP_SYS_ADMIN). Such a container must
// not sit in the host's root cgroup of any hierarchy it could mount, or the mount would show
// the host's tree (and, on cgroup v1, the root's release_agent).
bool may_mount_cgroups(const Spec &spec);

// What `info` shows of the confinement in effect (details "security.*").
std::map<std::string, std::string> confinement_details(const Spec &spec);

}  // namespace ct::linux_native
