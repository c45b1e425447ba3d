// Child side of the process's own fds (ct_proc_args.fds) and of running a function instead of
// a command (ct_proc_args.fn). Only system calls: no allocation between clone and exec.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child_util.hpp"

namespace ct::linux_native::child {

int first_free_fd(const LaunchPlan &p) {
    int n = static_cast<int>(p.fds.size());
    // With a terminal, 0..2 are the pty whatever fds says; without fds, stdio is 0..2.
    if (p.fds.empty() || p.terminal) return n > 3 ? n : 3;
    return n;
}

void map_fds(const LaunchPlan &p) {
    int n = static_cast<int>(p.fds.size());
    // First every source and the error pipe above n, so that no dup2 below overwrites one
    // that is still to be copied.
    if (g_errfd < n) {
        int e = ::fcntl(g_errfd, F_DUPFD_CLOEXEC, n);
        if (e < 0) fail(Msg() << "move the error pipe", errno);
        g_errfd = e;
    }
    for (int i = 0; i < n; ++i) {
        int from = p.fds[i] < 0 ? p.devnull.get() : p.fds[i];
        p.fd_scratch[i] = ::fcntl(from, F_DUPFD_CLOEXEC, n);
        if (p.fd_scratch[i] < 0)
            fail(Msg() << "fds[" << static_cast<long>(i) << "] (fd " << static_cast<long>(from)
                       << ")",
                 errno);
    }
    for (int i = 0; i < n; ++i) {
        if (p.terminal && i < 3) continue;
        // dup2 clears close-on-exec on the target: exactly the fds the process gets.
        if (::dup2(p.fd_scratch[i], i) < 0)
            fail(Msg() << "set up fd " << static_cast<long>(i), errno);
    }
}

void run_fn(const LaunchPlan &p, int first) {
    // Closing the error pipe tells the parent the process runs; fn gets nothing but its fds.
    ::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U);
    ::_exit(p.fn(p.fn_arg));
}

}  // namespace ct::linux_native::child
