// Planning a process exec'd into a running container.
#pragma once

#include "cgroups/cgroups.hpp"
#include "ct/driver.h"
#include "ct/spec.hpp"
#include "launch/launch.hpp"

namespace ct::linux_native {

// A plan that joins the namespaces, cgroups and root of the container whose init is `init`
// (host pid, started at `init_start`) and runs `process` there. Throws Errc::bad_state when
// init is gone (checked after its namespaces are opened, so they are the container's).
LaunchPlan plan_exec(const Spec &spec, long init, unsigned long long init_start,
                     const ProcessSpec &process, const ContainerCgroups &cgroups);

// The caller's side of a process (start or exec): stdio, fds, console socket, fn. Throws
// Errc::invalid_argument for a terminal without a console socket or too many fds.
void plan_proc_args(LaunchPlan &plan, const ct_proc_args &args);

}  // namespace ct::linux_native
