// The configuration a restore runs under when the caller gives one (RestoreOptions::spec, an
// OCI engine's bundle): CRIU's images hold the processes and most of what they see, the given
// spec what the runtime builds around them again.
#pragma once

#include "ct/spec.hpp"

namespace ct::linux_native::criu {

// The spec the restored container records: `saved` (the images') with, from `given`, what the
// restore makes anew — the rootfs and private area, the sources of bind mounts, the network
// namespace (a new one or one joined by path), its interfaces and net.* sysctls, resources,
// cgroups, hooks, annotations and bundle. The rest (the process, credentials, hostname, mount
// options, device nodes, masked paths, seccomp) is in the images and stays the saved one.
// Throws invalid_spec naming the field when `given` cannot describe the images' container:
// other namespaces, a namespace other than the network one joined by path, or mounts that
// differ in number, type, target, options or id maps (CRIU finds each by its target).
Spec restore_spec(const Spec &saved, const Spec &given);

}  // namespace ct::linux_native::criu
