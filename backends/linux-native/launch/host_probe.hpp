// Create-time checks that ask the kernel instead of waiting for start to find out: a
// filesystem's mount options, and that a namespace path is a namespace of the right type.
#pragma once

#include <string>

#include "ct/spec.hpp"
#include "launch/launch.hpp"

namespace ct::linux_native {

// Offers the filesystem-specific options of `op` (op.data) to a filesystem context of
// op.fstype (fsopen + fsconfig: parsed, nothing mounted) and throws Errc::invalid_spec naming
// `field` with the kernel's reason when the filesystem refuses one, Errc::unsupported when
// this kernel has no such filesystem. Quiet when the kernel cannot be asked (a caller without
// CAP_SYS_ADMIN, a kernel without fsopen): start then reports what mount(2) says.
void probe_mount_options(const MountOp &op, const std::string &field);

// Throws Errc::invalid_spec naming `field` unless `path` opens as a namespace file (nsfs) of
// type `type`: joining a regular file or another type's namespace otherwise fails only at
// start, in setns(), with EINVAL.
void check_namespace_file(const std::string &path, Namespace type, const std::string &field);
// Refuses a sysctl or the hostname of the spec's that would be set in a joined namespace which
// is the host's (the caller's own, or PID 1's): it would change the host.
void check_joined_host_namespaces(const Spec &spec);

// Refuses a sysctl of the spec's that this kernel does not have (no /proc/sys entry), which
// the start would fail to set. One of an interface (net.ipv4.conf.<if>.<knob>, neigh) is
// checked by its "default" entry: the container's interfaces do not exist yet.
void check_sysctls_exist(const Spec &spec);

// Makes the tree of every idmapped mount of `spec` (fs/idmap.hpp) and drops it: what start
// would refuse (this kernel, the caller's rights, a source whose filesystem cannot be
// idmapped) is refused at create, naming the mount and the cause.
void probe_idmapped_mounts(const Spec &spec);

// Checks that the source of every bidirectional mount of `spec` is on a shared mount
// (fs/bidirectional.hpp), so that create refuses one that start could not make.
void probe_bidirectional_mounts(const Spec &spec);

}  // namespace ct::linux_native
