#include "io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace ct::cli {
namespace {

const int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

bool write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

}  // namespace

struct SignalForwarder::Impl {
    sigset_t set, old;
    int sfd = -1, stop = -1;
    std::thread thread;
};

SignalForwarder::SignalForwarder(std::function<void(int)> forward) : impl_(new Impl) {
    sigemptyset(&impl_->set);
    for (int s : kForwarded) sigaddset(&impl_->set, s);
    pthread_sigmask(SIG_BLOCK, &impl_->set, &impl_->old);
    impl_->sfd = ::signalfd(-1, &impl_->set, SFD_CLOEXEC);
    impl_->stop = ::eventfd(0, EFD_CLOEXEC);
    int sfd = impl_->sfd, stop = impl_->stop;
    impl_->thread = std::thread([sfd, stop, forward = std::move(forward)] {
        // Signals stay blocked in this thread too (inherited): they are read from the fd.
        for (;;) {
            struct pollfd p[2] = {{sfd, POLLIN, 0}, {stop, POLLIN, 0}};
            if (::poll(p, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (p[1].revents) return;
            struct signalfd_siginfo si;
            if (::read(sfd, &si, sizeof si) != sizeof si) continue;
            try {
                forward(static_cast<int>(si.ssi_signo));
            } catch (...) {
                // The process may be gone already; wait() reports how it ended.
            }
        }
    });
}

SignalForwarder::~SignalForwarder() {
    uint64_t one = 1;
    ssize_t w = ::write(impl_->stop, &one, sizeof one);
    (void)w;
    impl_->thread.join();
    ::close(impl_->sfd);
    ::close(impl_->stop);
    pthread_sigmask(SIG_SETMASK, &impl_->old, nullptr);
}

struct Console::Impl {
    int ours = -1, theirs = -1, master = -1, stop = -1;
    bool raw = false;
    struct termios saved {};
    std::thread relay;
};

Console::Console() : impl_(new Impl) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw Error(Errc::backend, std::string("console socket: ") + std::strerror(errno), errno);
    impl_->ours = sv[0];
    impl_->theirs = sv[1];
    impl_->stop = ::eventfd(0, EFD_CLOEXEC);
}

Console::~Console() {
    finish();
    for (int fd : {impl_->ours, impl_->theirs, impl_->master, impl_->stop})
        if (fd >= 0) ::close(fd);
}

int Console::socket_for_backend() const {
    return impl_->theirs;
}

void Console::attach() {
    char byte;
    struct iovec iov {
        &byte, 1
    };
    alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    ssize_t n = ::recvmsg(impl_->ours, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
    if (!c || c->cmsg_type != SCM_RIGHTS)
        throw Error(Errc::backend, "the backend sent no terminal for the container's process");
    std::memcpy(&impl_->master, CMSG_DATA(c), sizeof(int));
    ::close(impl_->theirs);
    impl_->theirs = -1;

    if (::isatty(0) && ::tcgetattr(0, &impl_->saved) == 0) {
        struct termios raw = impl_->saved;
        // Output too: the container's pty has made its "\r\n" already, and a second
        // translation here would turn it into "\r\r\n". ct prints nothing of its own while
        // the terminal is raw (finish() restores it first).
        ::cfmakeraw(&raw);
        if (::tcsetattr(0, TCSANOW, &raw) == 0) impl_->raw = true;
    }
    resize();
    int master = impl_->master, stop = impl_->stop;
    impl_->relay = std::thread([master, stop] {
        char buf[8192];
        bool in_open = true;
        for (;;) {
            struct pollfd p[3] = {{master, POLLIN, 0}, {stop, POLLIN, 0}, {0, POLLIN, 0}};
            if (::poll(p, in_open ? 3 : 2, -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (p[0].revents) {
                ssize_t n = ::read(master, buf, sizeof buf);
                if (n <= 0) return;  // EIO: every slave end closed
                if (!write_all(1, buf, static_cast<size_t>(n))) return;
                continue;  // output first, then look at the stop request
            }
            if (p[1].revents) return;
            if (in_open && p[2].revents) {
                ssize_t n = ::read(0, buf, sizeof buf);
                if (n <= 0) {
                    in_open = false;
                    char eot = 4;  // end of input for the program on the other side
                    write_all(master, &eot, 1);
                } else {
                    write_all(master, buf, static_cast<size_t>(n));
                }
            }
        }
    });
}

void take_terminal_size(ProcessSpec &p) {
    struct winsize ws {};
    if (!p.terminal || p.console_size || ::ioctl(0, TIOCGWINSZ, &ws) != 0 || !ws.ws_row ||
        !ws.ws_col)
        return;
    p.console_size = ConsoleSize{ws.ws_row, ws.ws_col};
}

void Console::resize() {
    struct winsize ws;
    if (impl_->master >= 0 && ::ioctl(0, TIOCGWINSZ, &ws) == 0)
        ::ioctl(impl_->master, TIOCSWINSZ, &ws);
}

void Console::finish() {
    if (impl_->relay.joinable()) {
        // The process has exited: what it wrote is in the pty already. Give the relay a moment
        // to copy it, then stop it (a background process may hold the slave open forever).
        int master = impl_->master;
        for (int i = 0; i < 50; ++i) {
            struct pollfd p {
                master, POLLIN, 0
            };
            if (::poll(&p, 1, 0) <= 0 || (p.revents & (POLLHUP | POLLERR))) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        uint64_t one = 1;
        ssize_t w = ::write(impl_->stop, &one, sizeof one);
        (void)w;
        impl_->relay.join();
    }
    if (impl_->raw) {
        ::tcsetattr(0, TCSANOW, &impl_->saved);
        impl_->raw = false;
    }
}

}  // namespace ct::cli
