// Opening a path of the container's root from the host side, before anything of the container
// runs, as the container itself would resolve it.
#pragma once

#include <string>

#include "support.hpp"

namespace ct::linux_native::fs {

// openat2 of `rel` under `rootfd` with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS (and
// O_CLOEXEC): a symlink of the rootfs resolves as if `rootfd` were "/", so no link of a
// hostile rootfs leads to the host. An invalid Fd with errno set when it fails.
Fd open_in_root(int rootfd, const std::string &rel, int flags);

}  // namespace ct::linux_native::fs
