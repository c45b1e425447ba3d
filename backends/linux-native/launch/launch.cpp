// Parent side of a launch: clone3 with the namespaces, a pidfd and the cgroup2 target in one
// call (sharing our memory, vfork-style, when it can), then wait for the child's verdict on an
// O_CLOEXEC pipe (EOF = the command is running).
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "launch/child_util.hpp"
#include "launch/launch.hpp"
#include "security/exec_stub.hpp"
#include "security/handed_fds.hpp"
#include "support.hpp"

namespace ct::linux_native {

void LaunchPlan::finalize() {
    argv.clear();
    envp.clear();
    stub_argv.clear();
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto &e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    // The child hands the stub its error pipe as the first fd that is not the process's own.
    if (!args.empty()) {
        stub_args = exec_stub_args(child::first_free_fd(*this), path_env, args);
        for (auto &a : stub_args) stub_argv.push_back(a.data());
        stub_argv.push_back(nullptr);
    }
    auto point = [](std::vector<ChildHook> &hooks) {
        for (auto &h : hooks) {
            h.argv.clear();
            h.envp.clear();
            for (auto &a : h.args) h.argv.push_back(a.data());
            h.argv.push_back(nullptr);
            for (auto &e : h.env) h.envp.push_back(e.data());
            h.envp.push_back(nullptr);
        }
    };
    point(child_hooks);
    for (auto &m : mounts) {
        point(m.pre);
        point(m.post);
    }
}

namespace {

// What the process keeps of the caller's fds: a pty replaces 0..2 when it has one. A function
// run instead of a command (the C API's callbacks) is the caller's own code, a fork that keeps
// the caller's fds as the historical library's did: what it hands on is its own choice.
void refuse_handed_directories(const LaunchPlan &plan) {
    if (plan.fn) return;
    if (plan.fds.empty()) {
        if (!plan.terminal) refuse_host_directories(plan.stdio);
        return;
    }
    for (size_t i = 0; i < plan.fds.size(); ++i)
        if (!(plan.terminal && i < 3))
            refuse_host_directory(plan.fds[i], "passed fd " + std::to_string(i));
}

long clone3(struct clone_args *args) {
    return ::syscall(SYS_clone3, args, sizeof *args);
}

#if defined(__x86_64__)
// clone3 with CLONE_VM | CLONE_VFORK, as posix_spawn does: no copy of the caller's page tables
// (with a big caller, the copy and its teardown at exec were a tenth of a container's start),
// and the calling thread sleeps until the child has exec'd or exited. The child shares our
// memory, so it runs on a stack of its own and calls fn(arg) straight from the system call,
// never returning into the C code that called clone3 (whose frame is the parent's).
constexpr bool kCanCloneVm = true;

long clone3_vm(struct clone_args *args, int (*fn)(void *), void *arg) {
    long ret;
    register int (*r12)(void *) asm("r12") = fn;
    register void *r13 asm("r13") = arg;
    asm volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "xor %%ebp, %%ebp\n\t"  // the child: no frame to unwind into
        "mov %%r13, %%rdi\n\t"
        "call *%%r12\n\t"
        "mov %%eax, %%edi\n\t"
        "mov %[sys_exit], %%eax\n\t"
        "syscall\n\t"
        "hlt\n\t"
        "1:\n\t"
        : "=a"(ret)
        : "a"(static_cast<long>(SYS_clone3)), "D"(args), "S"(sizeof *args), "r"(r12),
          "r"(r13), [sys_exit] "i"(SYS_exit)
        : "rcx", "r11", "cc", "memory");
    if (ret < 0) {  // the raw system call's -errno
        errno = static_cast<int>(-ret);
        return -1;
    }
    return ret;
}
#else
constexpr bool kCanCloneVm = false;
long clone3_vm(struct clone_args *, int (*)(void *), void *) {
    errno = ENOSYS;
    return -1;
}
#endif

// The stack of a CLONE_VM child, one per thread and reused: the child is done with it (exec'd
// or exited) when clone3 returns in the parent. Never touched pages cost nothing.
class ChildStack {
  public:
    static constexpr size_t kSize = 256 << 10, kGuard = 4096;
    // The top of the stack, or nullptr when it cannot be mapped.
    void *top() {
        if (!base_) {
            void *p = ::mmap(nullptr, kSize + kGuard, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
            if (p == MAP_FAILED) return nullptr;
            ::mprotect(p, kGuard, PROT_NONE);  // an overflow faults instead of corrupting
            base_ = p;
        }
        return static_cast<char *>(base_) + kSize + kGuard;
    }
    ~ChildStack() {
        if (base_) ::munmap(base_, kSize + kGuard);
    }

  private:
    void *base_ = nullptr;
};

struct VmChild {
    const LaunchPlan *plan;
    int errfd;
};

int vm_child_entry(void *arg) {
    auto *c = static_cast<VmChild *>(arg);
    child_main(*c->plan, c->errfd, -1);
}

// Blocks every signal of the calling thread for the life of the object: a CLONE_VM child
// must not run one of our handlers on our memory before it has reset them (child_main).
class SignalsBlocked {
  public:
    SignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        ::pthread_sigmask(SIG_SETMASK, &all, &old_);
    }
    ~SignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

  private:
    sigset_t old_;
};

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
    refuse_handed_directories(plan);
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
    if (after_clone || plan.before_root) {
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
    // The child shares our memory only when nothing of ours runs in it (a ct_proc_args
    // function) and we have nothing to do between clone and its setup (a vfork parent sleeps
    // until the exec).
    // Nor when it stops on the way for us (hooks) or waits for a later start.
    bool vm = kCanCloneVm && !after_clone && !plan.fork_after_join && !plan.fn &&
              !plan.before_root && !plan.start_listener && plan.time_offsets.empty();
    // Dumpability belongs to the memory: in ours, it would be the caller's. A child sharing
    // it has a new pid namespace to itself or the host's: no container process can see it.
    if (vm) plan.nondumpable = false;
    thread_local ChildStack stack;
    void *top = vm ? stack.top() : nullptr;
    VmChild vm_child{&plan, wr.get()};
    auto do_clone = [&] {
        if (!top) return clone3(&args);
        struct clone_args vargs = args;
        vargs.flags |= CLONE_VM | CLONE_VFORK;
        vargs.stack = reinterpret_cast<uint64_t>(static_cast<char *>(top) - ChildStack::kSize);
        vargs.stack_size = ChildStack::kSize;
        SignalsBlocked blocked;
        return clone3_vm(&vargs, vm_child_entry, &vm_child);
    };
    long pid = do_clone();
    if (pid < 0 && plan.cgroup2_dir && (errno == EINVAL || errno == E2BIG)) {
        // Kernel without CLONE_INTO_CGROUP (< 5.7): the child joins by writing cgroup.procs.
        Fd procs(::openat(plan.cgroup2_dir.get(), "cgroup.procs", O_WRONLY | O_CLOEXEC));
        if (!procs) throw_sys("open cgroup.procs of the container's cgroup2 directory", errno);
        plan.cgroup_procs.push_back(std::move(procs));
        args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
        pid = do_clone();
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
                                               "maps defaulting to its own ids and subordinate "
                                               "ranges, or leave namespaces unset)")),
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

    // Closing "go" without a byte makes the child exit; reap it before reporting.
    auto give_up = [&] {
        go_wr.reset();
        int status;
        ::kill(l.pid, SIGKILL);
        while (::waitpid(l.pid, &status, 0) < 0 && errno == EINTR) {
        }
    };
    if (go_wr) {
        try {
            if (after_clone) after_clone(l.pid, l.pidfd.get());
        } catch (...) {
            give_up();
            throw;
        }
        if (::write(go_wr.get(), "g", 1) != 1) throw_sys("release the container's process", errno);
        if (!plan.before_root) go_wr.reset();
    }
    // The fork after the joins happens once the child is released: from here on, the
    // container's process (hooks, networking, the caller) is that fork.
    if (report_rd) adopt_forked(l, report_rd.get());

    ChildFailure f{};
    ssize_t n;
    for (;;) {
        do n = ::read(rd.get(), &f, sizeof f);
        while (n < 0 && errno == EINTR);
        if (n == 0) return l;  // exec closed the pipe: the command runs
        if (n != static_cast<ssize_t>(sizeof f)) break;
        if (f.is_exec == CT_CHILD_WAITING) return l;  // set up; its command waits for start
        if (f.is_exec != CT_CHILD_SYNC || !go_wr) break;
        try {
            plan.before_root(l.pid, l.pidfd.get());
        } catch (...) {
            give_up();
            throw;
        }
        if (::write(go_wr.get(), "g", 1) != 1) throw_sys("release the container's process", errno);
        go_wr.reset();
    }

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
    if (f.err == 0) throw Error(Errc::backend, what);  // no system call failed (a hook did)
    throw_sys(what, f.err);
}

}  // namespace ct::linux_native
