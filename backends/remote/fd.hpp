// File descriptor ownership and the few fd tricks both ends need: passing an fd over a unix
// socket (console sockets) and a raw pty pair.
#pragma once

#include "ct/backend/fd.hpp"

namespace ct::remote {

using backend::Fd;  // the support library's (backends/support)

// A close-on-exec duplicate; throws Error(invalid_argument) naming `what` when fd is bad.
Fd dup_fd(int fd, const char *what);
// Sends `fd` with SCM_RIGHTS over the unix socket `sock`. Throws Error(backend).
void send_fd(int sock, int fd);
// Receives one fd from `sock` within timeout_ms; an empty Fd if none came (or the peer closed).
Fd recv_fd(int sock, int timeout_ms);
// A new pty pair, both ends close-on-exec; the slave in raw mode (the far pty does the
// terminal processing; this one only carries bytes).
void open_pty(Fd &master, Fd &slave);
// Blocks SIGPIPE in the calling thread: writes to a closed pipe then fail with EPIPE instead
// of killing the host application.
void block_sigpipe();

}  // namespace ct::remote
