// Mount points made from the host side, before anything of the container runs: a restore's.
// CRIU mounts the images' mounts on their targets in the root it is given and fails on one
// that is missing; a start makes them in its child (launch/child.cpp), but a restore into
// another root (an engine's restore --import, a new copy of the rootfs) has not had one.
#pragma once

#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native::fs {

struct MountPoint {
    std::string target;  // absolute inside the container
    bool is_file = false;
};

// `target` as the kernel resolves it: "/" and the components between single slashes, without
// "." ("/data/" and "/data" name one mount point).
std::string normal_target(const std::string &target);

// The mount points a start of `spec` makes in the root filesystem itself: /proc, /dev, /sys
// and the targets of the spec's mounts, but not those under another mount (a tmpfs's come
// with its contents; a bind's are in its source; /proc and /sys are the kernel's). A bind of
// a source that is not a directory needs a file.
std::vector<MountPoint> root_mount_points(const Spec &spec);

// Makes each missing one under `rootfd`: its missing directories, then a directory or an empty
// file. Every path is resolved inside the root (RESOLVE_IN_ROOT), so that no link of the
// rootfs leads outside it; a dangling link in the way is refused, naming it, rather than
// followed. Throws naming the mount point.
void make_mount_points(int rootfd, const std::vector<MountPoint> &points);

}  // namespace ct::linux_native::fs
