#include "relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace ct::openvz {
namespace {

volatile sig_atomic_t g_winch = 0;

void on_winch(int) {
    g_winch = 1;
}

// Returns false once fd can take no more (the other side is gone).
bool write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = ::write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd w{fd, POLLOUT, 0};
            ::poll(&w, 1, 100);
            continue;
        }
        if (n <= 0) return false;
        p += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

void copy_winsize(int from, int to) {
    winsize ws{};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

}  // namespace

int relay_terminal(int master, int caller, pid_t child, const char *typed, size_t typed_len,
                   EnterFilter &filter) {
    struct sigaction sa {};
    sa.sa_handler = on_winch;
    ::sigaction(SIGWINCH, &sa, nullptr);
    copy_winsize(caller, master);
    if (typed_len) write_all(master, typed, typed_len);
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);

    char in[4096];
    char out[sizeof in + EnterFilter::kKeep + EnterFilter::kMaxMarker];
    bool to_caller = true;  // false once the caller's terminal is gone
    int status = -1;
    pollfd p[2] = {{master, POLLIN, 0}, {caller, POLLIN, 0}};
    for (;;) {
        if (g_winch) {
            g_winch = 0;
            copy_winsize(caller, master);
        }
        int r = ::poll(p, 2, 200);
        if (r < 0 && errno != EINTR) break;
        bool closed = false;
        if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = ::read(master, in, sizeof in);
            if (n > 0) {
                size_t m = filter.feed(in, static_cast<size_t>(n), out);
                if (to_caller && m) to_caller = write_all(caller, out, m);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                closed = true;  // EIO: every slave side is closed
            }
        }
        if (r > 0 && p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = ::read(caller, in, sizeof in);
            if (n > 0) {
                write_all(master, in, static_cast<size_t>(n));
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                // The caller hung up its terminal: so does the process's.
                p[1].fd = -1;
                to_caller = false;
                ::close(master);
                break;
            }
        }
        if (closed) break;
        // The process ended while something it started still holds its terminal: show what
        // is there, then stop.
        int st = 0;
        if (status < 0 && ::waitpid(child, &st, WNOHANG) == child) {
            status = st;
            for (ssize_t n; (n = ::read(master, in, sizeof in)) > 0;) {
                size_t m = filter.feed(in, static_cast<size_t>(n), out);
                if (to_caller && m) to_caller = write_all(caller, out, m);
            }
            break;
        }
    }
    size_t m = filter.finish(out);
    if (to_caller && m) write_all(caller, out, m);
    return status;
}

}  // namespace ct::openvz
