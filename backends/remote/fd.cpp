#include "fd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ct/backend/fd_passing.hpp"
#include "ct/error.hpp"

namespace ct::remote {

Fd dup_fd(int fd, const char *what) {
    int d = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (d < 0)
        throw Error(Errc::invalid_argument,
                    std::string(what) + " fd " + std::to_string(fd) + ": " + std::strerror(errno),
                    errno);
    return Fd(d);
}

void send_fd(int sock, int fd) {
    if (int e = backend::send_fd(sock, fd))
        throw Error(Errc::backend,
                    std::string("send the terminal to the console socket: ") + std::strerror(e), e);
}

Fd recv_fd(int sock, int timeout_ms) {
    pollfd p{sock, POLLIN, 0};
    int r;
    do r = ::poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return Fd();
    char byte;
    int fd;
    if (backend::recv_byte(sock, &byte, &fd, MSG_DONTWAIT) <= 0) return Fd();
    return Fd(fd);
}

void open_pty(Fd &master, Fd &slave) {
    Fd m(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!m || ::grantpt(m.get()) != 0 || ::unlockpt(m.get()) != 0)
        throw Error(Errc::backend, std::string("allocate a pty: ") + std::strerror(errno), errno);
    Fd s(::ioctl(m.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!s)
        throw Error(Errc::backend, std::string("open a pty's slave: ") + std::strerror(errno),
                    errno);
    termios t{};
    if (::tcgetattr(s.get(), &t) == 0) {
        ::cfmakeraw(&t);
        ::tcsetattr(s.get(), TCSANOW, &t);
    }
    master = std::move(m);
    slave = std::move(s);
}

void block_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace ct::remote
