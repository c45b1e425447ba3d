// File descriptor ownership and the few fd tricks both ends need: passing an fd over a unix
// socket (console sockets) and a raw pty pair.
#pragma once

#include <unistd.h>

#include <utility>

namespace ct::remote {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd &operator=(Fd &&o) noexcept {
        if (this != &o) reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

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
