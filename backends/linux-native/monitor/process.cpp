#include "monitor/process.hpp"
#include "support.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace ct::linux_native {

Fd open_pidfd(pid_t pid, unsigned long long start_time, bool exited_too) {
    if (pid <= 0 || start_time == 0) return Fd();
    Fd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    // Checked after opening: if the start time still matches now, the pidfd is the right
    // process and stays so even if the pid is recycled later (a zombie keeps both).
    if (fd && process_start_time(pid, exited_too) != start_time) fd.reset();
    return fd;
}

bool wait_exit(int pidfd, long long timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        int left = -1;
        if (timeout_ms >= 0) {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
            left = ms < 0 ? 0 : static_cast<int>(ms > INT32_MAX ? INT32_MAX : ms);
        }
        struct pollfd p {
            pidfd, POLLIN, 0
        };
        int r = ::poll(&p, 1, left);
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) throw_sys("poll a pidfd", errno);
    }
}

int wstatus_from(const siginfo_t &si) {
    switch (si.si_code) {
        case CLD_EXITED:
            return (si.si_status & 0xff) << 8;
        case CLD_KILLED:
            return si.si_status & 0x7f;
        case CLD_DUMPED:
            return (si.si_status & 0x7f) | 0x80;
        default:
            return 0;
    }
}

int reap(int pidfd) {
    siginfo_t si{};
    while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si, WEXITED) < 0) {
        if (errno == EINTR) continue;
        if (errno == ECHILD) return -1;
        throw_sys("wait for a container process", errno);
    }
    return wstatus_from(si);
}

int send_signal(int pidfd, int sig) {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

}  // namespace ct::linux_native
