// Changing the limits of an existing container (created, running or stopped).
#pragma once

#include <string>

#include "cgroups/cgroups.hpp"
#include "cgroups/manager.hpp"
#include "ct/spec.hpp"

namespace ct::linux_native {

// `delta`'s set fields over `base`: what the container's resources become.
Resources merge_resources(const Resources &base, const Resources &delta);

// `delta` as an update means it: memory made unlimited without a word on memory+swap takes the
// memory+swap limit away too (runc's rule; a finite memory+swap under no memory limit means
// nothing, and cgroup v1 refuses memory above memory+swap).
Resources complete_delta(const Resources &base, Resources delta);

// Writes `delta` into the container's cgroups. If the kernel refuses a value (a memory limit
// below current usage, ...) every knob already written goes back to `base` (or the kernel's
// default where `base` has none), and the error names the field, the value and the reason.
void update_cgroups(const CgroupManager &manager, const ContainerCgroups &cgroups,
                    const Resources &base, const Resources &delta);

}  // namespace ct::linux_native
