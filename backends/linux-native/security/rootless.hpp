// What a caller without root gets when its spec leaves it out, as rootless Podman gives it: a
// user namespace in which it is root, mapping its subordinate ids so that images with several
// owners work. Resolved at create, before validation, so the stored spec (and `info`) shows
// the namespaces and maps in effect.
#pragma once

#include <sys/types.h>

#include <vector>

#include "ct/spec.hpp"
#include "security/subid.hpp"

namespace ct::linux_native {

// The ids rootless Podman maps by default beside the caller's own (container 1..65536).
constexpr uint32_t kRootlessIds = 65536;

// Container id 0 -> `own`, then container ids 1.. -> the subordinate ranges in order, at most
// kRootlessIds of them.
std::vector<IdMap> rootless_id_map(uint32_t own, const std::vector<SubidRange> &sub);

// For a caller whose euid is not 0: unset namespaces become the unprivileged default
// (ct::unprivileged_default_namespaces()); a new user namespace without uid_map and gid_map
// gets rootless_id_map() of the caller's ids and /etc/subuid, /etc/subgid ranges. For root,
// a new user namespace without maps is refused (it has no default). Network interfaces
// without CAP_NET_ADMIN are refused here, naming them: their host side needs it.
void resolve_caller_defaults(Spec &spec);

}  // namespace ct::linux_native
