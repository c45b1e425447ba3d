// The spec's hooks (the OCI runtime spec's): programs run at points of a container's life with
// its state, in the OCI form, on their stdin. The create hooks run in the parent while the
// child waits before entering its root (LaunchPlan::before_root); start_container hooks in the
// child (launch/child_hooks.cpp); poststart and poststop in the caller of start and destroy.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ct/spec.hpp"
#include "launch/launch.hpp"

namespace ct::linux_native {

// {"ociVersion", "id", "status", "pid", "bundle", "annotations"}: what a hook reads on stdin.
std::string oci_state(const Spec &spec, const char *status, int64_t pid);

// Runs `hooks` one after the other, each with `state` on its stdin, its output captured. With
// enter_pid > 0, in the namespaces of that process (those `spec` makes or joins). Throws
// Errc::backend naming the first hook that fails, times out or cannot be executed
// ("create_runtime hook #1 (/usr/bin/x) exited with status 3: <its output>").
void run_hooks(const Spec &spec, const std::vector<Hook> &hooks, const char *kind,
               const std::string &state, pid_t enter_pid = 0);

// The same, but a failure is only logged (poststart, poststop: the OCI spec's rule).
void run_hooks_logged(const Spec &spec, const std::vector<Hook> &hooks, const char *kind,
                      const std::string &state) noexcept;

// `hooks` as the child runs them, each shown as list[i] ("mounts[2].hooks.pre[0] (/bin/x)").
std::vector<ChildHook> child_hooks(const std::vector<Hook> &hooks, const std::string &list);

// Sets up the plan of a container's init for the spec's hooks: before_root runs prestart,
// create_runtime and create_container; start_container hooks go to the child, and it gets
// the state the mounts' hooks (planned with the mounts) and they read. Nothing when the spec
// has none of these (the launch keeps its fast path).
void plan_hooks(LaunchPlan &plan, const Spec &spec);

}  // namespace ct::linux_native
