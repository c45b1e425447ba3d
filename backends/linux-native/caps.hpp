// Capabilities of a container's process: names -> bit masks in the parent, raw prctl/capset
// system calls in the child (no libcap: it allocates).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ct/spec.hpp"

namespace ct::linux_native {

struct CapPlan {
    bool set = false;  // false: leave the caller's capabilities as they are
    int last_cap = 0;  // highest capability this kernel knows
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

// Names ("CAP_NET_ADMIN", "net_admin", "ALL") -> masks. Throws Errc::invalid_spec naming
// `field` and the set for an unknown name, Errc::unsupported for one this kernel lacks.
CapPlan plan_capabilities(const std::optional<Capabilities> &caps, const std::string &field);

// Child side. Both return 0 or an errno, with `*step` naming what failed.
// Before the uid changes: drops the bounding set and keeps the permitted set across setuid.
int caps_before_setuid(const CapPlan &p, const char **step);
// After the uid changed: sets effective, permitted, inheritable, then the ambient set.
int caps_after_setuid(const CapPlan &p, const char **step);

}  // namespace ct::linux_native
