// The caller's fds that a container's process gets (stdio, the fds passed to it). A directory
// of the host among them is a way out: through it (openat, fchdir, /proc/self/fd/N) the
// process reaches every file below it, and by ".." the host's root, whatever its mount
// namespace and capabilities. `ct exec c cmd 0</` would hand over the host's root.
#pragma once

#include <string>

namespace ct::linux_native {

// Throws Error(invalid_argument) naming `what` ("stdin", "passed fd 4") when `fd` is a
// directory (O_PATH too). Negative fds (none given: /dev/null) pass.
void refuse_host_directory(int fd, const std::string &what);

// The same for a process's stdio[0..2], named stdin, stdout and stderr.
void refuse_host_directories(const int *stdio);

}  // namespace ct::linux_native
