// Parent side of a launch: clone3 with the namespaces, a pidfd and the cgroup2 target in one
// call, then wait for the child's verdict on an O_CLOEXEC pipe (EOF = the command is running).
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "launch.hpp"
#include "sys.hpp"

namespace ct::linux_native {

void LaunchPlan::finalize() {
    argv.clear();
    envp.clear();
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto &e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
}

namespace {

long clone3(struct clone_args *args) {
    return ::syscall(SYS_clone3, args, sizeof *args);
}

// The clone forked the real process into the pid namespace (CLONE_PARENT: it is our child
// too), reported its pid and exited. Reap the intermediate and follow the real one; if there
// is none, the error pipe says why.
void adopt_forked(Launched &l, int report_fd) {
    pid_t real = -1;
    ssize_t n;
    do n = ::read(report_fd, &real, sizeof real);
    while (n < 0 && errno == EINTR);
    int status;
    while (::waitpid(l.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof real)) {
        l.pid = -1;  // already reaped: the failure is on the error pipe
        l.pidfd.reset();
        return;
    }
    l.pid = real;
    // Our child until we reap it: its pid cannot be reused meanwhile.
    l.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, real, 0)));
    if (!l.pidfd) {
        int e = errno;
        ::kill(real, SIGKILL);
        while (::waitpid(real, &status, 0) < 0 && errno == EINTR) {
        }
        throw_sys("open a pidfd for the container's process", e);
    }
}

}  // namespace

Launched launch(LaunchPlan &plan, const AfterClone &after_clone) {
    plan.finalize();
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) throw_sys("create a pipe", errno);
    Fd rd(pipefd[0]), wr(pipefd[1]);
    Fd go_rd, go_wr, report_rd, report_wr;
    if (plan.fork_after_join) {
        if (::pipe2(pipefd, O_CLOEXEC) != 0) throw_sys("create a pipe", errno);
        report_rd.reset(pipefd[0]);
        report_wr.reset(pipefd[1]);
        plan.report_fd = report_wr.get();
    }
    if (after_clone) {
        if (::pipe2(pipefd, O_CLOEXEC) != 0) throw_sys("create a pipe", errno);
        go_rd.reset(pipefd[0]);
        go_wr.reset(pipefd[1]);
    }

    int pidfd = -1;
    struct clone_args args {};
    args.flags = plan.clone_flags | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    if (plan.cgroup2_dir) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(plan.cgroup2_dir.get());
    }
    long pid = clone3(&args);
    if (pid < 0 && plan.cgroup2_dir && (errno == EINVAL || errno == E2BIG)) {
        // Kernel without CLONE_INTO_CGROUP (< 5.7): the child joins by writing cgroup.procs.
        Fd procs(::openat(plan.cgroup2_dir.get(), "cgroup.procs", O_WRONLY | O_CLOEXEC));
        if (!procs) throw_sys("open cgroup.procs of the container's cgroup2 directory", errno);
        plan.cgroup_procs.push_back(std::move(procs));
        args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
        pid = clone3(&args);
    }
    if (pid < 0) {
        int e = errno;
        if (e == EPERM)
            throw Error(Errc::permission,
                        "create the container's namespaces (clone3): " + errstr(e) +
                            ((plan.clone_flags & CLONE_NEWUSER)
                                 ? std::string(" (the kernel refused a new user namespace)")
                                 : std::string(" (namespaces need root or CAP_SYS_ADMIN; an "
                                               "unprivileged user can have them inside a new user "
                                               "namespace: add 'user' to namespaces, with "
                                               "uid_map/gid_map of its own ids)")),
                        e);
        throw_sys("create the container's process (clone3)", e);
    }
    if (pid == 0) {
        rd.reset();
        go_wr.reset();
        report_rd.reset();
        child_main(plan, wr.get(), go_rd ? go_rd.get() : -1);
    }
    wr.reset();
    go_rd.reset();
    report_wr.reset();
    Launched l;
    l.pid = static_cast<pid_t>(pid);
    l.pidfd.reset(pidfd);
    if (report_rd) adopt_forked(l, report_rd.get());

    if (after_clone) {
        try {
            after_clone(l.pid, l.pidfd.get());
        } catch (...) {
            // Closing "go" without a byte makes the child exit; reap it before reporting.
            go_wr.reset();
            int status;
            ::kill(l.pid, SIGKILL);
            while (::waitpid(l.pid, &status, 0) < 0 && errno == EINTR) {
            }
            throw;
        }
        if (::write(go_wr.get(), "g", 1) != 1) throw_sys("release the container's process", errno);
        go_wr.reset();
    }

    ChildFailure f{};
    ssize_t n;
    do n = ::read(rd.get(), &f, sizeof f);
    while (n < 0 && errno == EINTR);
    if (n == 0) return l;  // exec closed the pipe: the command runs

    // The child failed: reap it, then report what it said.
    int status = 0;
    while (l.pid > 0 && ::waitpid(l.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof f))
        throw Error(Errc::backend, "the container's process died during setup (status " +
                                       std::to_string(status) + ") without saying why");
    f.what[sizeof f.what - 1] = 0;
    std::string what = f.what;
    if (f.is_exec) throw Error(Errc::exec, what + ": " + errstr(f.err), f.err);
    throw_sys(what, f.err);
}

}  // namespace ct::linux_native
