// What ct-oci reads of the host's mounts itself (the backend checks the rest).
#pragma once

#include <string>

namespace ct::oci {

// True if `path` is on a mount with a peer group ("shared:N" in /proc/self/mountinfo). False
// when it is not, or cannot be found out.
bool on_shared_mount(const std::string &path);

}  // namespace ct::oci
