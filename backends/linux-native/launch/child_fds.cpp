// Child side of where the process's own fds end (ct_proc_args.fds, terminal) and of running a
// function instead of a command (ct_proc_args.fn). Only system calls between clone and exec.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch/child_util.hpp"

namespace ct::linux_native::child {

int first_free_fd(const LaunchPlan &p) {
    int n = static_cast<int>(p.fds.size());
    // With a terminal, 0..2 are the pty whatever fds says; without fds, stdio is 0..2.
    if (p.fds.empty() || p.terminal) return n > 3 ? n : 3;
    return n;
}

void run_fn(const LaunchPlan &p, int first) {
    // Closing the error pipe tells the parent the process runs; fn gets nothing but its fds.
    ::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U);
    ::_exit(p.fn(p.fn_arg));
}

}  // namespace ct::linux_native::child
