// Child side of the OCI life cycle: the stop before the root is entered (the parent runs the
// create hooks), the wait for a deferred start, the start_container hooks and the mounts'.
// Only system calls on the plan's prepared data, as everywhere between clone and exec.
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ct/backend/fd_passing.hpp"
#include "launch/child_util.hpp"

namespace ct::linux_native::child {
namespace {

// The waiting process is the pid 1 of its pid namespace, which the kernel spares every signal
// it has no handler for: a stop (SIGTERM, then the grace period) would only end with SIGKILL.
// It dies of them as runc's waiting init does; exec resets the handlers for the command.
void exit_on_signal(int sig) {
    ::_exit(128 + sig);
}

void die_of_terminating_signals() {
    struct sigaction sa {};
    sa.sa_handler = exit_on_signal;
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPWR})
        ::sigaction(sig, &sa, nullptr);
}

void report(int what) {
    ChildFailure f{};
    f.is_exec = what;
    ssize_t n;
    do n = ::write(g_errfd, &f, sizeof f);
    while (n < 0 && errno == EINTR);
}

// Waits up to timeout_ms (-1: forever) for the process of `pidfd` to exit and reaps it.
// Returns its wait status, or -1 when the time ran out (the process is then killed and
// reaped).
int wait_hook(pid_t pid, int pidfd, int timeout_ms) {
    struct pollfd pfd {
        pidfd, POLLIN, 0
    };
    struct timespec ts {
        timeout_ms / 1000, (timeout_ms % 1000) * 1000000L
    };
    int r;
    do
        r = static_cast<int>(::syscall(SYS_ppoll, &pfd, 1, timeout_ms < 0 ? nullptr : &ts, nullptr,
                                       sizeof(sigset_t)));
    while (r < 0 && errno == EINTR);
    bool timed_out = r == 0;
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::syscall(SYS_wait4, pid, &status, 0, nullptr) < 0 && errno == EINTR) {
    }
    ::close(pidfd);
    return timed_out ? -1 : status;
}

}  // namespace

void sync_before_root(const LaunchPlan &p) {
    if (!p.before_root) return;
    report(CT_CHILD_SYNC);
    char go = 0;
    ssize_t n;
    do n = ::read(g_gofd, &go, 1);
    while (n < 0 && errno == EINTR);
    // EOF without "g": a hook failed and the parent gave up (it reports why).
    if (n != 1 || go != 'g') ::_exit(126);
    ::close(g_gofd);
    g_gofd = -1;
}

void wait_for_start(const LaunchPlan &p) {
    if (!p.start_listener) return;
    find_command(p);
    die_of_terminating_signals();
    if (p.state_dirfd >= 0) ::close(p.state_dirfd);  // the parent's copy keeps its lock
    report(CT_CHILD_WAITING);
    // The launching process has returned: its pipe has no reader from now on.
    ::close(g_errfd);
    g_errfd = -1;
    for (;;) {
        int conn = ::accept4(p.start_listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            ::_exit(127);
        }
        char byte = 0;
        int fd = -1;
        int r = backend::recv_byte(conn, &byte, &fd);
        ::close(conn);
        // The starter's error pipe: failures from here on (and the command's exec) go there.
        if (r == 1 && fd >= 0) {
            g_errfd = fd;
            break;
        }
        if (fd >= 0) ::close(fd);
    }
    // One start only: a second one finds nobody listening.
    ::close(p.start_listener.get());
}

void run_child_hooks(const LaunchPlan &p, const std::vector<ChildHook> &hooks) {
    for (const auto &h : hooks) {
        // Each hook reads the state from its start: the memfd's offset is shared.
        if (::lseek(p.hook_state.get(), 0, SEEK_SET) < 0)
            fail(Msg() << h.shown << ": rewind its state", errno);
        int pidfd = -1;
        // clone, not fork: no glibc atfork handlers in this copy of the caller; a pidfd for
        // the timeout. (clone, not clone3: the default seccomp filter answers clone3 ENOSYS.)
        long pid = ::syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, nullptr, &pidfd, nullptr, nullptr);
        if (pid < 0) fail(Msg() << h.shown << ": fork", errno);
        if (pid == 0) {
            if (::dup2(p.hook_state.get(), 0) < 0) ::_exit(127);
            ::syscall(SYS_close_range, 3U, ~0U, 0U);
            ::execve(h.path.c_str(), h.argv.data(), h.envp.data());
            ::_exit(127);
        }
        int status = wait_hook(static_cast<pid_t>(pid), pidfd, h.timeout_ms);
        if (status == -1)
            fail(Msg() << h.shown << " timed out after " << static_cast<long>(h.timeout_ms / 1000)
                       << " s",
                 0);
        if (WIFSIGNALED(status))
            fail(
                Msg() << h.shown << " was killed by signal " << static_cast<long>(WTERMSIG(status)),
                0);
        if (WEXITSTATUS(status) != 0)
            fail(Msg() << h.shown << " exited with status "
                       << static_cast<long>(WEXITSTATUS(status))
                       << (WEXITSTATUS(status) == 127 ? " (not found or not executable?)" : ""),
                 0);
    }
}

void end_mount_hooks(const LaunchPlan &p) {
    // Pid 1 of a new namespace: -1 is every other process in it, and only those. (In a joined
    // or the host's pid namespace -1 would reach others: what a hook leaves there is its own.)
    if (!(p.clone_flags & CLONE_NEWPID)) return;
    if (::kill(-1, SIGKILL) < 0 && errno != ESRCH)
        fail(Msg() << "kill what the mounts' hooks left", errno);
    int status;
    while (::syscall(SYS_wait4, -1, &status, __WALL, nullptr) >= 0 || errno == EINTR) {
    }
}

}  // namespace ct::linux_native::child
