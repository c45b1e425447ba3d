// Handing a file descriptor over a unix socket (SCM_RIGHTS): how every backend gives a
// terminal's master to the caller's console socket. No allocation and no exception, so the
// linux backend's container-side code can use it too.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace ct::backend {

// Returns 0, or the errno of the failed sendmsg().
inline int send_fd(int sock, int fd) noexcept {
    char byte = 0;
    struct iovec iov {
        &byte, 1
    };
    alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? errno : 0;
}

}  // namespace ct::backend
