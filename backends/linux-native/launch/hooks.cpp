#include "launch/hooks.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

#include "criu/criu.hpp"
#include "ct/json.hpp"
#include "launch/plan.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

constexpr size_t kOutputKept = 2048;  // of a failing hook's output, in its error

Fd memfd_with(const std::string &text, const char *what) {
    Fd fd(static_cast<int>(::syscall(SYS_memfd_create, "ct-hook-state", MFD_CLOEXEC)));
    if (!fd) throw_sys(std::string("create the state file of ") + what, errno);
    if (::pwrite(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        throw_sys(std::string("write the state file of ") + what, errno);
    return fd;
}

// The hook's side of the fork: only system calls on data prepared before it.
[[noreturn]] void exec_hook(const char *path, char *const *argv, char *const *envp, int state,
                            int out, int errpipe, int enter_pidfd, int enter_flags) {
    auto die = [&](int e) {
        ssize_t n = ::write(errpipe, &e, sizeof e);
        (void)n;
        ::_exit(127);
    };
    if (enter_pidfd >= 0) {
        if (::setns(enter_pidfd, enter_flags) < 0) die(errno);
        // A pid namespace only applies to children: the hook is one, dying with us.
        pid_t pid = ::fork();
        if (pid < 0) die(errno);
        if (pid > 0) {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        }
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    }
    if (::dup2(state, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) die(errno);
    ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execve(path, argv, envp);
    die(errno);
    __builtin_unreachable();  // die() exits; a lambda cannot say so
}

// How a hook is named in errors: "hooks.poststart[0] (/bin/x)", "mounts[2].hooks.pre[0] (...)".
std::string field(const std::string &list, size_t i, const Hook &h) {
    return list + "[" + std::to_string(i) + "] (" + h.path + ")";
}

void run_one(const Spec &spec, const Hook &h, const std::string &shown, const std::string &state,
             pid_t enter_pid) {
    std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
    std::vector<std::string> env = h.env;
    std::vector<char *> argv, envp;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto &e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    Fd stdin_fd = memfd_with(state, shown.c_str());
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw_sys("create a pipe for " + shown, errno);
    Fd out_rd(p[0]), out_wr(p[1]);
    if (::pipe2(p, O_CLOEXEC) != 0) throw_sys("create a pipe for " + shown, errno);
    Fd err_rd(p[0]), err_wr(p[1]);
    Fd enter;
    int enter_flags = 0;
    if (enter_pid > 0) {
        enter.reset(static_cast<int>(::syscall(SYS_pidfd_open, enter_pid, 0)));
        if (!enter) throw_sys(shown + ": open the container's process", errno);
        for (const auto &n : spec.effective_namespaces()) enter_flags |= clone_flag(n.type);
    }

    pid_t pid = ::fork();
    if (pid < 0) throw_sys("fork for " + shown, errno);
    if (pid == 0)
        exec_hook(h.path.c_str(), argv.data(), envp.data(), stdin_fd.get(), out_wr.get(),
                  err_wr.get(), enter ? enter.get() : -1, enter_flags);
    out_wr.reset();
    err_wr.reset();
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    // Its output, while waiting for it to exit (a full pipe would stall it).
    std::string output;
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + std::chrono::seconds(h.timeout.value_or(0));
    bool timed_out = false, exited = false;
    while (!exited) {
        int wait_ms = -1;
        if (h.timeout) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) {
                timed_out = true;
                ::kill(pid, SIGKILL);
                break;
            }
            wait_ms = static_cast<int>(left.count());
        }
        struct pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {out_rd.get(), POLLIN, 0}};
        int n = ::poll(fds, out_rd ? 2 : 1, wait_ms);
        if (n < 0 && errno != EINTR) break;
        if (n > 0 && out_rd && (fds[1].revents & (POLLIN | POLLHUP))) {
            char buf[4096];
            ssize_t r = ::read(out_rd.get(), buf, sizeof buf);
            if (r > 0) {
                output.append(buf, static_cast<size_t>(r));
                if (output.size() > kOutputKept) output.erase(0, output.size() - kOutputKept);
            } else {
                out_rd.reset();  // EOF: the hook (and whatever it started) closed it
            }
        }
        exited = n > 0 && (fds[0].revents & POLLIN);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int exec_errno = 0;
    bool exec_failed = ::read(err_rd.get(), &exec_errno, sizeof exec_errno) ==
                       static_cast<ssize_t>(sizeof exec_errno);
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    std::string tail = output.empty() ? "" : ": " + output;
    if (timed_out)
        throw Error(Errc::backend,
                    shown + " timed out after " + std::to_string(*h.timeout) + " s" + tail);
    if (exec_failed)
        throw Error(Errc::backend, shown + " could not be executed: " + errstr(exec_errno),
                    exec_errno);
    if (WIFSIGNALED(status))
        throw Error(Errc::backend,
                    shown + " was killed by signal " + std::to_string(WTERMSIG(status)) + tail);
    if (WEXITSTATUS(status) != 0)
        throw Error(Errc::backend,
                    shown + " exited with status " + std::to_string(WEXITSTATUS(status)) + tail);
}

}  // namespace

std::string oci_state(const Spec &spec, const char *status, int64_t pid) {
    nlohmann::json j{{"ociVersion", "1.2.0"}, {"id", spec.name}, {"status", status}};
    if (pid > 0) j["pid"] = pid;
    j["bundle"] = spec.bundle;
    if (!spec.annotations.empty()) j["annotations"] = spec.annotations;
    return j.dump();
}

void run_hooks(const Spec &spec, const std::vector<Hook> &hooks, const char *kind,
               const std::string &state, pid_t enter_pid) {
    for (size_t i = 0; i < hooks.size(); ++i)
        run_one(spec, hooks[i], field(std::string("hooks.") + kind, i, hooks[i]), state, enter_pid);
}

void run_hooks_logged(const Spec &spec, const std::vector<Hook> &hooks, const char *kind,
                      const std::string &state) noexcept {
    for (size_t i = 0; i < hooks.size(); ++i) {
        try {
            run_one(spec, hooks[i], field(std::string("hooks.") + kind, i, hooks[i]), state, 0);
        } catch (const std::exception &e) {
            criu::log(CT_LOG_WARN, "container '" + spec.name + "': " + e.what());
        }
    }
}

std::vector<ChildHook> child_hooks(const std::vector<Hook> &hooks, const std::string &list) {
    std::vector<ChildHook> out;
    for (size_t i = 0; i < hooks.size(); ++i) {
        const Hook &k = hooks[i];
        ChildHook c;
        c.path = k.path;
        c.args = k.args.empty() ? std::vector<std::string>{k.path} : k.args;
        c.env = k.env;
        c.timeout_ms = k.timeout ? static_cast<int>(*k.timeout * 1000) : -1;
        c.shown = field(list, i, k);
        out.push_back(std::move(c));
    }
    return out;
}

void plan_hooks(LaunchPlan &plan, const Spec &spec) {
    const Hooks &h = spec.hooks;
    bool mount_hooks = std::any_of(plan.mounts.begin(), plan.mounts.end(), [](const MountOp &m) {
        return !m.pre.empty() || !m.post.empty();
    });
    bool lifecycle = !h.prestart.empty() || !h.create_runtime.empty() ||
                     !h.create_container.empty() || !h.start_container.empty();
    if (!lifecycle && !mount_hooks) return;
    plan.child_hooks = child_hooks(h.start_container, "hooks.start_container");
    // The mounts' hooks run before the host knows the container's pid: "creating", without one.
    if (!plan.child_hooks.empty() || mount_hooks)
        plan.hook_state = memfd_with(oci_state(spec, "creating", 0), "the container's hooks");
    if (!lifecycle) return;  // no stop before the root for the mounts' hooks alone
    // Runs in the launching process (or the monitor of a detached start) while the child
    // waits with its mounts made, before it enters its root.
    plan.before_root = [&spec, &plan](pid_t pid, int) {
        std::string state = oci_state(spec, "creating", pid);
        run_hooks(spec, spec.hooks.prestart, "prestart", state);
        run_hooks(spec, spec.hooks.create_runtime, "create_runtime", state);
        run_hooks(spec, spec.hooks.create_container, "create_container", state, pid);
        if (plan.hook_state) {
            std::string created = oci_state(spec, "created", pid);
            if (::ftruncate(plan.hook_state.get(), 0) < 0 ||
                ::pwrite(plan.hook_state.get(), created.data(), created.size(), 0) !=
                    static_cast<ssize_t>(created.size()))
                throw_sys("write the state of the start_container hooks", errno);
        }
    };
}

}  // namespace ct::linux_native
