// Idmapped bind mounts (MountSpec::idmapped). The tree is made by the caller, not by the
// container's child: giving a mount of a host filesystem an idmapping takes CAP_SYS_ADMIN in
// the filesystem's user namespace (the host's), which the container's user namespace never
// has. The caller clones the source's tree detached (open_tree), idmaps it (mount_setattr) and
// the child moves it onto its target (move_mount) inside the container's mount namespace.
#pragma once

#include <string>
#include <vector>

#include "ct/spec.hpp"
#include "support.hpp"

namespace ct::linux_native::fs {

// A user namespace with exactly these maps, as an fd of its nsfs file. It is made by a
// short-lived child, killed and reaped before this returns: the fd keeps the namespace alive.
Fd userns_with_maps(const std::vector<IdMap> &uid_map, const std::vector<IdMap> &gid_map,
                    const std::string &field);

// The detached, idmapped tree of mount `m` of `spec` (named `field` in errors): the source
// alone or with its submounts (`recursive_bind`), the top mount or the whole tree idmapped
// ("idmap", "ridmap"), through the mount's own maps or else the container's. Throws
// Errc::unsupported naming the field, the source and the cause when the kernel, the caller or
// the source's filesystem cannot.
Fd idmapped_tree(const Spec &spec, const MountSpec &m, bool recursive_bind,
                 const std::string &field);

}  // namespace ct::linux_native::fs
