// Capabilities of a container's process: names -> bit masks in the parent (libcap's name
// table), raw prctl/capset system calls in the child (libcap allocates there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ct/spec.hpp"

namespace ct::linux_native {

struct CapPlan {
    bool set = false;  // false: leave the caller's capabilities as they are (no plan made)
    int last_cap = 0;  // highest capability this kernel knows
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

// True when the container's root is entered by chroot: a root other than the host's and no
// mount namespace of the container's own to pivot in (none, or one joined by path).
bool root_by_chroot(const Spec &spec);

// The sets of a process of the container: effective_capabilities(), less CAP_SYS_CHROOT when
// the root is entered by chroot (root_by_chroot): with it, root leaves such a root in a few
// system calls (chroot into a subdirectory, then walk up past the old root). Asked for by the
// spec there, it is refused (Errc::invalid_spec naming `field`) unless CAP_SYS_ADMIN comes
// with it: that one leaves any root anyway, and the spec said so.
Capabilities container_capabilities(const Spec &spec, const ProcessSpec &process,
                                    const std::string &field);

// A process's sets (container_capabilities()) -> masks. Throws Errc::invalid_spec naming
// `field` and the set for an unknown name or a set the kernel's rules forbid,
// Errc::unsupported for a capability this kernel lacks.
CapPlan plan_capabilities(const Spec &spec, const ProcessSpec &process, const std::string &field);

// Throws Errc::permission naming `field` and the capabilities the plan gives that the calling
// process does not have in its permitted set (the kernel would refuse them: EPERM).
void check_caller_has(const CapPlan &p, const std::string &field);

// Child side. Both return 0 or an errno, with `*step` naming what failed.
// Before the uid changes: drops the bounding set and keeps the permitted set across setuid.
int caps_before_setuid(const CapPlan &p, const char **step);
// After the uid changed: sets effective, permitted, inheritable, then the ambient set.
int caps_after_setuid(const CapPlan &p, const char **step);

}  // namespace ct::linux_native
