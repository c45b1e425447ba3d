// Mount points seen from the host side, before anything of the container runs. A restore
// makes them: CRIU mounts the images' mounts on their targets in the root it is given and
// fails on one that is missing; a start makes them in its child (launch/child.cpp), but a
// restore into another root (an engine's restore --import, a new copy of the rootfs) has not
// had one. Create checks them: what the start's mounts would fail on, refused beforehand.
#pragma once

#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native::fs {

struct MountPoint {
    std::string target;  // absolute inside the container
    bool is_file = false;
    int mount = -1;  // its index in spec.mounts; -1: one of libct's own (/proc, /dev, /sys)
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

// What a start would fail on, refused at create naming the field: a mount point that exists
// in the root filesystem as a directory where a file is mounted, or as anything else where a
// directory or a filesystem is, or that is under a file of the root. Only for a root that
// exists as one directory before the start (a plain rootfs, a dir area) and a container with
// a mount namespace of its own; a missing mount point is fine (the start makes it).
void check_mount_points(const Spec &spec);

}  // namespace ct::linux_native::fs
