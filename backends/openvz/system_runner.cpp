#include "system_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ct/backend/fd.hpp"
#include "ct/error.hpp"
#include "enter_filter.hpp"
#include "relay.hpp"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace ct::openvz {
namespace {

// Everything a forked child touches is prepared here, before fork(): after fork() in a
// multi-threaded caller only async-signal-safe calls are allowed (no allocation, no locks).
struct Argv {
    std::vector<std::string> store;
    std::vector<char *> ptrs;
    explicit Argv(const std::vector<std::string> &a) : store(a) {
        for (auto &s : store) ptrs.push_back(s.data());
        ptrs.push_back(nullptr);
    }
    bool empty() const { return store.empty(); }
    const char *path() const { return store[0].c_str(); }
    char *const *argv() { return ptrs.data(); }
};

using backend::Fd;

// A pty for a relayed process, the size of the caller's terminal `like`, which is made raw:
// the process's own terminal (in the container) does the echoing and line editing.
void open_pty(Fd &master, Fd &slave, int like) {
    master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    char name[128];
    if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0 ||
        ::ptsname_r(master.get(), name, sizeof name) != 0)
        throw Error(Errc::backend, std::string("allocate a terminal: ") + std::strerror(errno),
                    errno);
    slave.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) throw Error(Errc::backend, std::string(name) + ": " + std::strerror(errno), errno);
    winsize ws{};
    if (::ioctl(like, TIOCGWINSZ, &ws) == 0) ::ioctl(slave.get(), TIOCSWINSZ, &ws);
    termios t{};
    if (::tcgetattr(like, &t) == 0) {
        ::cfmakeraw(&t);
        ::tcsetattr(like, TCSANOW, &t);
    }
}

void make_pipe(Fd &r, Fd &w) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0)
        throw Error(Errc::backend, std::string("pipe: ") + std::strerror(errno), errno);
    r.reset(p[0]);
    w.reset(p[1]);
}

int max_fd() {
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
        return static_cast<int>(rl.rlim_cur);
    return 65536;
}

// --- async-signal-safe helpers for forked children -------------------------------------------

void write_all(int fd, const void *buf, size_t len) {
    const char *p = static_cast<const char *>(buf);
    while (len > 0) {
        ssize_t n = ::write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        len -= static_cast<size_t>(n);
    }
}

// Every fd >= `from` is closed on exec (close_range where the kernel has it, else a loop:
// OpenVZ hosts run 2.6.32 and 3.10 kernels).
void cloexec_from(int from, int limit) {
    if (::syscall(SYS_close_range, from, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    for (int fd = from; fd < limit; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void close_from(int from, int limit) {
    if (::syscall(SYS_close_range, from, ~0U, 0) == 0) return;
    for (int fd = from; fd < limit; ++fd) ::close(fd);
}

void default_signals() {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &sa, nullptr);  // fails harmlessly for some
}

pid_t wait_for(pid_t pid, int *status) {
    pid_t r;
    do r = ::waitpid(pid, status, 0);
    while (r < 0 && errno == EINTR);
    return r;
}

// fds[i] of this process become fd i (i < n); -1 means /dev/null. `keep` (the exec-error pipe)
// is moved above the targets and stays open, close-on-exec. Returns the new `keep` or -1.
int place_fds(const int *fds, int n, int keep, int limit) {
    int base = n < 3 ? 3 : n;
    int moved[256];
    if (n > 256) return -1;
    int k = keep >= 0 ? ::fcntl(keep, F_DUPFD_CLOEXEC, base + n) : -1;
    for (int i = 0; i < n; ++i)
        moved[i] = fds[i] >= 0 ? ::fcntl(fds[i], F_DUPFD_CLOEXEC, base) : -1;
    for (int i = 0; i < n; ++i) {
        int src = moved[i];
        if (src < 0) src = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        if (src < 0 || ::dup2(src, i) < 0) return -1;
    }
    cloexec_from(n < 3 ? 3 : n, limit);
    return k;
}

// Writes v in decimal to out (no terminator); returns the number of characters.
size_t put_decimal(char *out, uint64_t v) {
    char rev[24];
    size_t n = 0;
    do rev[n++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    for (size_t i = 0; i < n; ++i) out[i] = rev[n - 1 - i];
    return n;
}

[[noreturn]] void exec_or_report(char *const *argv, int errfd) {
    ::execv(argv[0], argv);
    int e = errno;
    write_all(errfd, &e, sizeof e);
    ::_exit(127);
}

// What the monitor of a spawned process needs, all of it made before fork().
struct MonitorPlan {
    Argv argv, after;
    // <exit_dir>/<pid>.exit and its temporary name: the monitor writes the pid in after the
    // directory (at dir_len), into room reserved here.
    std::string exit_path, tmp_path;
    size_t dir_len = 0;
    // A relayed terminal: the process gets a pty of its own (its master stays with the
    // monitor), the caller's terminal passes bytes through unchanged (raw).
    Fd relay_master, relay_slave;
    bool relay = false;
    EnterFilter filter;
    std::string typed;
    std::vector<int> fds;  // the process's fds 0..n-1
    int tty = -1, caller_tty = -1, limit = 0;

    explicit MonitorPlan(const SpawnRequest &req)
        : argv(req.argv),
          after(req.after),
          exit_path(req.exit_dir.size() + 64, '\0'),
          tmp_path(req.exit_dir.size() + 64, '\0'),
          dir_len(req.exit_dir.size() + 1),
          relay(req.tty >= 0 && req.relay.on),
          filter(req.relay.begin, req.relay.end),
          typed(req.relay.typed),
          fds(req.fds),
          caller_tty(req.tty),
          limit(max_fd()) {
        std::memcpy(exit_path.data(), (req.exit_dir + "/").data(), dir_len);
        std::memcpy(tmp_path.data(), (req.exit_dir + "/").data(), dir_len);
        if (relay) open_pty(relay_master, relay_slave, req.tty);
        tty = relay ? relay_slave.get() : req.tty;
        if (req.tty >= 0)
            fds = {tty, tty, tty};
        else if (fds.empty())
            fds = {req.in, req.out, req.err};
        if (fds.size() > 256)
            throw Error(Errc::invalid_argument, "more than 256 fds for one process");
    }
};

// In the monitor: the process itself, on its fds and terminal. Never returns.
[[noreturn]] void exec_process(MonitorPlan &m, int x_w) {
    if (m.tty >= 0) {
        ::setsid();
        ::ioctl(m.tty, TIOCSCTTY, 0);
    }
    int k = place_fds(m.fds.data(), static_cast<int>(m.fds.size()), x_w, m.limit);
    if (k < 0) {
        int e = errno ? errno : EBADF;
        write_all(x_w, &e, sizeof e);
        ::_exit(127);
    }
    exec_or_report(m.argv.argv(), k);
}

// In the monitor, once the process runs: none of the caller's fds stay (a pipe the caller
// reads to its end must end when the process does, not when the monitor does), but for a
// relayed terminal the two sides it relays between, as fds 0 and 1. Returns how many it kept.
int keep_only_relay(const MonitorPlan &m) {
    int keep = 0;
    if (m.relay) {
        int master = ::fcntl(m.relay_master.get(), F_DUPFD, 3);
        int caller = ::fcntl(m.caller_tty, F_DUPFD, 3);
        ::dup2(master, 0);
        ::dup2(caller, 1);
        keep = 2;
    }
    close_from(keep, m.limit);
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        for (int fd = keep; fd <= 2; ++fd) ::dup2(null, fd);
        if (null > 2) ::close(null);
    }
    return keep;
}

// In the monitor: relays the terminal (if kept) until the process ends, reaps it, runs the
// `after` command. Returns the process's wait status (the filter's, when relayed).
int supervise(MonitorPlan &m, pid_t child, bool relayed) {
    int status = -1;
    if (relayed) {
        // The caller's terminal becomes the monitor's, for its window size changes.
        ::setsid();
        ::ioctl(1, TIOCSCTTY, 0);
        status = relay_terminal(0, 1, child, m.typed.data(), m.typed.size(), m.filter);
        ::close(0);
        ::close(1);
    }
    if (status < 0) wait_for(child, &status);
    if (relayed) status = m.filter.wait_status(status);
    if (!m.after.empty()) {
        pid_t a = ::fork();
        if (a == 0) {
            ::execv(m.after.path(), m.after.argv());
            ::_exit(127);
        }
        if (a > 0) {
            int ignored;
            wait_for(a, &ignored);
        }
    }
    return status;
}

// In the monitor: "<status>\n" into <exit_dir>/<child>.exit, atomically (write, rename).
void record_exit(MonitorPlan &m, pid_t child, int status) {
    char text[24];
    size_t len = put_decimal(text, static_cast<uint64_t>(static_cast<unsigned>(status)));
    text[len++] = '\n';
    size_t p = m.dir_len + put_decimal(&m.exit_path[m.dir_len], static_cast<uint64_t>(child));
    std::memcpy(&m.tmp_path[m.dir_len], &m.exit_path[m.dir_len], p - m.dir_len);
    std::memcpy(&m.exit_path[p], ".exit", 6);
    std::memcpy(&m.tmp_path[p], ".tmp", 5);
    int fd = ::open(m.tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        write_all(fd, text, len);
        ::close(fd);
        ::rename(m.tmp_path.c_str(), m.exit_path.c_str());
    }
}

// The monitor (async-signal-safe calls only): starts the process, reports its pid and its
// own on `pid_w`, and stays to reap it and record its status. Never returns.
[[noreturn]] void monitor_main(MonitorPlan &m, int pid_w, int x_w) {
    default_signals();
    int64_t msg[2] = {0, static_cast<int64_t>(::getpid())};
    pid_t child = ::fork();
    if (child == 0) exec_process(m, x_w);
    msg[0] = child > 0 ? child : -static_cast<int64_t>(errno);
    write_all(pid_w, msg, sizeof msg);
    int kept = keep_only_relay(m);
    if (child < 0) ::_exit(1);
    record_exit(m, child, supervise(m, child, kept > 0));
    ::_exit(0);
}

// The caller's side: the monitor's report, then whether the exec failed.
Spawned await_monitor(int pid_r, int x_r, const std::string &what) {
    int64_t msg[2] = {0, 0};
    ssize_t got = 0;
    while (got < static_cast<ssize_t>(sizeof msg)) {
        ssize_t n = ::read(pid_r, reinterpret_cast<char *>(msg) + got,
                           sizeof msg - static_cast<size_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += n;
    }
    if (got != static_cast<ssize_t>(sizeof msg))
        throw Error(Errc::backend, "the process monitor for " + what + " failed to start");
    if (msg[0] < 0)
        throw Error(Errc::backend, "fork: " + std::string(std::strerror(static_cast<int>(-msg[0]))),
                    static_cast<int>(-msg[0]));
    int e = 0;
    ssize_t n;
    do n = ::read(x_r, &e, sizeof e);
    while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof e))
        throw Error(Errc::exec, "cannot execute " + what + ": " + std::strerror(e), e);
    return Spawned{msg[0], msg[1]};
}

class SystemRunner final : public Runner {
  public:
    RunResult run(const std::vector<std::string> &argv_in) override {
        Argv argv(argv_in);
        Fd out_r, out_w, err_r, err_w, x_r, x_w;
        make_pipe(out_r, out_w);
        make_pipe(err_r, err_w);
        make_pipe(x_r, x_w);
        int limit = max_fd();
        int fds[3] = {-1, out_w.get(), err_w.get()};
        pid_t pid = ::fork();
        if (pid < 0)
            throw Error(Errc::backend, std::string("fork: ") + std::strerror(errno), errno);
        if (pid == 0) {
            default_signals();
            int k = place_fds(fds, 3, x_w.get(), limit);
            exec_or_report(argv.argv(), k);
        }
        out_w.reset();
        err_w.reset();
        x_w.reset();
        RunResult r;
        pollfd p[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
        std::string *dst[2] = {&r.out, &r.err};
        int open_fds = 2;
        char buf[4096];
        while (open_fds > 0) {
            if (::poll(p, 2, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            for (int i = 0; i < 2; ++i) {
                if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                ssize_t n = ::read(p[i].fd, buf, sizeof buf);
                if (n > 0) {
                    dst[i]->append(buf, static_cast<size_t>(n));
                } else if (n == 0 || errno != EINTR) {
                    p[i].fd = -1;
                    --open_fds;
                }
            }
        }
        int e = 0;
        ssize_t got = ::read(x_r.get(), &e, sizeof e);
        wait_for(pid, &r.wstatus);
        if (got == static_cast<ssize_t>(sizeof e))
            throw Error(Errc::backend, "cannot execute " + argv_in[0] + ": " + std::strerror(e), e);
        return r;
    }

    Spawned spawn(const SpawnRequest &req) override {
        MonitorPlan m(req);
        Fd pid_r, pid_w, x_r, x_w;
        make_pipe(pid_r, pid_w);
        make_pipe(x_r, x_w);
        pid_t first = ::fork();
        if (first < 0)
            throw Error(Errc::backend, std::string("fork: ") + std::strerror(errno), errno);
        if (first == 0) {
            // The intermediate: a new session, so that the monitor survives the caller's
            // terminal, then exit at once so that the monitor is reparented away from the caller.
            ::setsid();
            pid_t mon = ::fork();
            if (mon != 0) ::_exit(mon < 0 ? 1 : 0);
            monitor_main(m, pid_w.get(), x_w.get());
        }
        pid_w.reset();
        x_w.reset();
        int st = 0;
        wait_for(first, &st);
        return await_monitor(pid_r.get(), x_r.get(), req.argv[0]);
    }
};

}  // namespace

std::unique_ptr<Runner> make_system_runner() {
    return std::make_unique<SystemRunner>();
}

}  // namespace ct::openvz
