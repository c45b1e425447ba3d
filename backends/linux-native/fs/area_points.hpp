// Mount points a start makes inside a private "dir" area. The child makes the targets it
// mounts on (proc/, dev/, sys/, each mount's target and its missing parents) in the root,
// which for a dir area is the area's host directory itself. Programs of the libct era rmdir
// their area once the container is destroyed, so the backend removes again what its starts
// made there: recorded in the container's state before the start (a crash cannot lose the
// record), removed by destroy whichever process or handle destroys it.
//
// Only dir areas: a plain rootfs may be shared by several containers, and removing a mount
// point on the host detaches the mounts other containers still have on it.
#pragma once

#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native::fs {

// The host paths a start of `spec` will make in its dir area (outermost first), those missing
// now; empty for any other area or without a mount namespace of the container's own.
std::vector<std::string> area_points_to_make(const Spec &spec);

// Adds `more` to `made`, keeping the order (outermost first) and no duplicates.
void note_area_points(std::vector<std::string> &made, const std::vector<std::string> &more);

// Removes them innermost first: a directory only while empty, a file target only while it is
// an empty regular file, so whatever the container left there stays with its parents.
void remove_area_points(const std::vector<std::string> &made);

}  // namespace ct::linux_native::fs
