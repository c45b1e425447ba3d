// Handing a file descriptor over a unix socket (SCM_RIGHTS): how every backend gives a
// terminal's master to the caller's console socket, and how the linux backend hands a
// container's network namespace to its child. No allocation and no exception, so the linux
// backend's container-side code can use it too.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace ct::backend {

// Sends one byte, with `fd` attached when it is >= 0. Returns 0, or the errno of the failed
// sendmsg(). Never raises SIGPIPE.
inline int send_byte(int sock, char byte, int fd) noexcept {
    struct iovec iov {
        &byte, 1
    };
    alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        msg.msg_control = ctl;
        msg.msg_controllen = sizeof ctl;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? errno : 0;
}

inline int send_fd(int sock, int fd) noexcept {
    return send_byte(sock, 0, fd);
}

// Receives one byte into *byte, and the fd attached to it (close-on-exec) into *fd, -1 when
// none. Returns 1, 0 at end of file, or -1 with errno. `flags`: more recvmsg() flags.
inline int recv_byte(int sock, char *byte, int *fd, int flags = 0) noexcept {
    struct iovec iov {
        byte, 1
    };
    alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    *fd = -1;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return static_cast<int>(n);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            std::memcpy(fd, CMSG_DATA(c), sizeof *fd);
    return 1;
}

}  // namespace ct::backend
