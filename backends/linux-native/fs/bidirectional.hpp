// Bind mounts whose propagation goes both ways (option "bidirectional", what Kubernetes calls
// Bidirectional mount propagation and runc gives a "rshared" bind under a "rshared" root):
// what the container mounts under the target appears on the host under the source, and the
// host's mounts there reach the container.
//
// Every other bind is made inside the container's mount namespace from its copy of the host's
// tree, which the child first makes a recursive slave: nothing can go back. This one is cloned
// by the caller in the host's namespace instead (open_tree), where a clone of a shared mount is
// a peer of it, and the child moves it onto its target; it is never made a slave.
#pragma once

#include <string>

#include "ct/spec.hpp"
#include "support.hpp"

namespace ct::linux_native::fs {

// Refuses (Errc::invalid_spec, naming `field`) a source that is not on a shared mount of the
// caller's namespace: a peer group is what carries mounts back, and a private or slave mount
// has none to join. Says how to make it shared.
void check_bidirectional_source(const MountSpec &m, const std::string &field);

// The caller's clone of the source (with its submounts when `recursive`), a peer of it.
Fd bidirectional_tree(const MountSpec &m, bool recursive, const std::string &field);

}  // namespace ct::linux_native::fs
