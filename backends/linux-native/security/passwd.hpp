// Users and groups by name, from the container's own /etc/passwd and /etc/group. Read by the
// parent before clone, from the host side of the container's root, without ever following a
// link out of it: the rootfs is not trusted.
#pragma once

#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native {

// `user` with its names resolved: uid, gid and the groups listing the user in /etc/group
// (after any additional_gids given). `layers`: host directories of the root, topmost first
// (an overlay's upper dir, then its lower dirs); a file is read from the first that has it.
// Throws Errc::not_found naming `field` for an unknown name or a missing file.
UserSpec resolve_user(const UserSpec &user, const std::vector<std::string> &layers,
                      const std::string &field);

// Reads `rel` (e.g. "etc/passwd") inside `root` with openat2(RESOLVE_IN_ROOT): links resolve
// as if `root` were "/". Regular files only, at most `max` bytes. False if it does not exist.
bool read_in_root(const std::string &root, const std::string &rel, std::string &out,
                  size_t max = 4 << 20);

}  // namespace ct::linux_native
