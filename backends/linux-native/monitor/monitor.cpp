#include "monitor/monitor.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "monitor/process.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

// The monitor's report to the launching process.
struct MonitorReport {
    int32_t code;  // 0, or a ct::Errc
    int32_t err;
    int64_t pid;
    int64_t monitor;
    char msg[3800];  // room for the lines of CRIU's log a failed restore quotes
};

}  // namespace

std::string exit_file_name(bool per_pid, int64_t pid) {
    return per_pid ? "exec." + std::to_string(pid) + ".exit" : "exit";
}

Detached launch_detached(LaunchPlan &plan, const AfterClone &after_clone, const std::string &dir,
                         bool per_pid, const std::string &what) {
    return launch_detached([&] { return launch(plan, after_clone); }, dir, per_pid, what);
}

Detached launch_detached(const std::function<Launched()> &spawn, const std::string &dir,
                         bool per_pid, const std::string &what) {
    int sync[2];
    if (::pipe2(sync, O_CLOEXEC) != 0) throw_sys("create a pipe", errno);
    Fd rd(sync[0]), wr(sync[1]);
    // Double fork: the monitor is nobody's child we must reap, and it reaps the process.
    pid_t mid = ::fork();
    if (mid < 0) throw_sys("fork the monitor of " + what, errno);
    if (mid == 0) {
        rd.reset();
        pid_t m = ::fork();
        if (m != 0) ::_exit(m < 0 ? 1 : 0);
        ::setsid();
        ::prctl(PR_SET_NAME, "ct-monitor", 0, 0, 0);
        MonitorReport r{};
        Launched l;
        try {
            l = spawn();
        } catch (const Error &ex) {
            r.code = static_cast<int32_t>(ex.code());
            r.err = ex.sys_errno();
            std::strncpy(r.msg, ex.what(), sizeof r.msg - 1);
        } catch (const std::exception &ex) {
            r.code = static_cast<int32_t>(Errc::backend);
            std::strncpy(r.msg, ex.what(), sizeof r.msg - 1);
        }
        r.pid = l.pid;
        r.monitor = ::getpid();
        std::string exit_file = exit_file_name(per_pid, l.pid);
        std::string tmp = "." + exit_file + ".tmp";
        int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r.code != 0 || dfd < 0) {
            if (r.code == 0) {
                r.code = static_cast<int32_t>(Errc::backend);
                std::strncpy(r.msg, ("open state directory " + dir).c_str(), sizeof r.msg - 1);
            }
            ssize_t w = ::write(wr.get(), &r, sizeof r);
            (void)w;
            ::_exit(1);
        }
        // Keep only the pidfd (3) and the state dir (4), and drop everything else of the
        // caller's (its terminal, its pipes, the state lock) *before* reporting: once the
        // report arrives, the caller may expect its pipes to reach EOF (`$(ct start ...)`).
        int pfd = l.pidfd.release();
        int nul = ::open("/dev/null", O_RDWR);
        ::dup2(pfd, 100);
        ::dup2(dfd, 101);
        ::dup2(wr.get(), 102);
        ::dup2(100, 3);
        ::dup2(101, 4);
        ::dup2(102, 5);
        for (int i = 0; i < 3; ++i) ::dup2(nul, i);
        ::syscall(SYS_close_range, 6U, ~0U, 0U);
        ssize_t w = ::write(5, &r, sizeof r);
        (void)w;
        ::close(5);
        siginfo_t si{};
        while (::waitid(static_cast<idtype_t>(P_PIDFD), 3, &si, WEXITED) < 0 && errno == EINTR) {
        }
        std::string ws = std::to_string(wstatus_from(si));
        int f = ::openat(4, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (f >= 0) {
            ssize_t n = ::write(f, ws.data(), ws.size());
            ::close(f);
            if (n == static_cast<ssize_t>(ws.size()))
                ::renameat(4, tmp.c_str(), 4, exit_file.c_str());
        }
        ::_exit(0);
    }
    wr.reset();
    int status;
    while (::waitpid(mid, &status, 0) < 0 && errno == EINTR) {
    }
    MonitorReport r{};
    ssize_t n;
    do n = ::read(rd.get(), &r, sizeof r);
    while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof r))
        throw Error(Errc::backend, "the monitor process of " + what + " died before starting it");
    if (r.code != 0) {
        r.msg[sizeof r.msg - 1] = 0;
        throw Error(static_cast<Errc>(r.code), r.msg, r.err);
    }
    Detached d;
    d.pid = r.pid;
    d.monitor = r.monitor;
    d.monitor_start = process_start_time(static_cast<pid_t>(r.monitor));
    return d;
}

}  // namespace ct::linux_native
