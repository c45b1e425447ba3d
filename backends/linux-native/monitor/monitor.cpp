#include "monitor/monitor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "ct/backend/fault.hpp"
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

std::string run_file_name(int64_t pid) {
    return "exec." + std::to_string(pid) + ".run";
}

std::optional<int> parse_exit_record(const std::string &text, int64_t pid) {
    // Complete only with its newline: a reader racing the one write sees all or nothing of it.
    if (text.empty() || text.back() != '\n') return std::nullopt;
    char *end = nullptr;
    long ws = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str()) return std::nullopt;
    long long of = std::strtoll(end, nullptr, 10);
    if (pid && of && of != pid) return std::nullopt;  // a record of another run
    return static_cast<int>(ws);
}

namespace {

constexpr size_t kRecordRoom = 64;

// The record's file, empty, with room for the record reserved (tmpfs and ext4 keep what
// fallocate gives). Returns the fd, or -1 with errno (ENOSPC: the disk is full now).
int reserve_record(int dfd, const std::string &name) {
    ::unlinkat(dfd, name.c_str(), 0);  // a previous run's record (its monitor has its own fd)
    int f = ::openat(dfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (f < 0) return -1;
    if (::fallocate(f, FALLOC_FL_KEEP_SIZE, 0, kRecordRoom) != 0 && errno != EOPNOTSUPP) {
        int err = errno;
        ::close(f);
        ::unlinkat(dfd, name.c_str(), 0);
        errno = err;
        return -1;
    }
    return f;
}

// Writes the record in place; retried while the monitor lives (a full disk may drain), with
// the reason in the monitor's name meanwhile (`ps` shows ct-mon:<errno>).
void write_record(int f, int ws, int64_t pid) {
    char buf[kRecordRoom];
    int n = std::snprintf(buf, sizeof buf, "%d %lld\n", ws, static_cast<long long>(pid));
    for (int attempt = 0; attempt < 600; ++attempt) {
        if (::pwrite(f, buf, static_cast<size_t>(n), 0) == n) return;
        char comm[16];
        std::snprintf(comm, sizeof comm, "ct-mon:%d", errno);
        ::prctl(PR_SET_NAME, comm, 0, 0, 0);
        ::usleep(100 * 1000);
    }
}

}  // namespace

Detached launch_detached(LaunchPlan &plan, const AfterClone &after_clone, const std::string &dir,
                         bool per_pid, const std::string &what) {
    return launch_detached(
        [&] {
            // In the monitor (a fork: its number may be reused by the launch's own fds, so the
            // child must not close it again).
            if (plan.net_channel_peer >= 0) ::close(plan.net_channel_peer);
            plan.net_channel_peer = -1;
            return launch(plan, after_clone);
        },
        dir, per_pid, what);
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
        auto fail = [&](Errc code, const std::string &msg, int err) {
            r.code = static_cast<int32_t>(code);
            r.err = err;
            std::strncpy(r.msg, msg.c_str(), sizeof r.msg - 1);
            ssize_t w = ::write(wr.get(), &r, sizeof r);
            (void)w;
            ::_exit(1);
        };
        int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            fail(Errc::backend, "open state directory " + dir + ": " + errstr(errno), errno);
        // Reserved before the launch; a per-process record gets its name once the pid is known.
        std::string reserved = per_pid ? ".exit." + std::to_string(::getpid()) : "exit";
        int rec = reserve_record(dfd, reserved);
        if (rec < 0)
            fail(Errc::backend,
                 "reserve the exit record " + dir + "/" + reserved + ": " + errstr(errno), errno);
        Launched l;
        try {
            l = spawn();
        } catch (const Error &ex) {
            ::unlinkat(dfd, reserved.c_str(), 0);
            fail(ex.code(), ex.what(), ex.sys_errno());
        } catch (const std::exception &ex) {
            ::unlinkat(dfd, reserved.c_str(), 0);
            fail(Errc::backend, ex.what(), 0);
        }
        r.pid = l.pid;
        r.monitor = ::getpid();
        if (per_pid &&
            ::renameat(dfd, reserved.c_str(), dfd, exit_file_name(true, l.pid).c_str()) != 0) {
            ::kill(static_cast<pid_t>(l.pid), SIGKILL);
            fail(Errc::backend,
                 "name the exit record of process " + std::to_string(l.pid) + " in " + dir + ": " +
                     errstr(errno),
                 errno);
        }
        // The exec's record, before the report: a caller killed right after it must not leave
        // a monitored process that `wait --pid` does not know.
        if (per_pid) {
            char run[96];
            std::snprintf(run, sizeof run, "%llu %lld %llu\n", process_start_time(l.pid),
                          static_cast<long long>(::getpid()), process_start_time(::getpid()));
            try {
                write_file_atomic(dfd, dir, run_file_name(l.pid), run);
            } catch (const std::exception &ex) {
                ::kill(static_cast<pid_t>(l.pid), SIGKILL);
                ::unlinkat(dfd, exit_file_name(true, l.pid).c_str(), 0);
                fail(Errc::backend, ex.what(), 0);
            }
        }
        // Keep only the pidfd (3), the state dir (4) and the record (6), and drop everything
        // else of the caller's (its terminal, its pipes, the state lock) *before* reporting:
        // once the report arrives, the caller may expect its pipes to reach EOF
        // (`$(ct start ...)`).
        int pfd = l.pidfd.release();
        int nul = ::open("/dev/null", O_RDWR);
        ::dup2(pfd, 100);
        ::dup2(dfd, 101);
        ::dup2(wr.get(), 102);
        ::dup2(rec, 103);
        ::dup2(100, 3);
        ::dup2(101, 4);
        ::dup2(102, 5);
        ::dup2(103, 6);
        for (int i = 0; i < 3; ++i) ::dup2(nul, i);
        ::syscall(SYS_close_range, 7U, ~0U, 0U);
        // A caller killed meanwhile has closed the pipe's other end: the write fails with
        // EPIPE, and the monitor stays to reap the process and record its status.
        ::signal(SIGPIPE, SIG_IGN);
        ssize_t w = ::write(5, &r, sizeof r);
        (void)w;
        ::close(5);
        siginfo_t si{};
        while (::waitid(static_cast<idtype_t>(P_PIDFD), 3, &si, WEXITED) < 0 && errno == EINTR) {
        }
        write_record(6, wstatus_from(si), l.pid);
        ::_exit(0);
    }
    wr.reset();
    // The monitor is on its own from here: a caller killed now must not leave its process
    // unrecorded (test_faults.cpp).
    if (per_pid) fault_point("exec: monitor forked");
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
