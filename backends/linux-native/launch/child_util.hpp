// What every child-side translation unit shares: a fixed-size message builder (the child must
// not allocate), the failure report to the parent, and the steps other files contribute to
// child_main (exec into a running container, the console, the process's fds).
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "launch/launch.hpp"

namespace ct::linux_native::child {

struct Msg {
    char buf[sizeof(ChildFailure::what)] = {};
    size_t n = 0;
    Msg &operator<<(const char *s) {
        while (s && *s && n + 1 < sizeof buf) buf[n++] = *s++;
        buf[n] = 0;
        return *this;
    }
    Msg &operator<<(const std::string &s) { return *this << s.c_str(); }
    Msg &operator<<(long v) {
        char tmp[24];
        int i = 0;
        bool neg = v < 0;
        unsigned long u = neg ? 0UL - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
        do tmp[i++] = static_cast<char>('0' + u % 10);
        while ((u /= 10) && i < 22);
        if (neg) tmp[i++] = '-';
        while (i && n + 1 < sizeof buf) buf[n++] = tmp[--i];
        buf[n] = 0;
        return *this;
    }
};

// The write end of the error pipe (moved out of the way when the process's fds are laid out).
// Per thread: a CLONE_VM child writes it in the memory it shares with the calling thread,
// which sleeps meanwhile, while other threads may be launching containers of their own.
inline thread_local int g_errfd = -1;

// The read end of the go pipe, kept while the parent has more to do (LaunchPlan::before_root).
inline thread_local int g_gofd = -1;

// Reports a failed step to the parent and exits.
[[noreturn]] inline void fail(const Msg &m, int err, bool is_exec = false) {
    ChildFailure f{};
    f.err = err;
    f.is_exec = is_exec ? 1 : 0;
    std::memcpy(f.what, m.buf, sizeof f.what);
    ssize_t r = ::write(g_errfd, &f, sizeof f);
    (void)r;
    ::_exit(127);
}

#define CHECK(expr, msg)            \
    do {                            \
        if ((expr) < 0) {           \
            int e_ = errno;         \
            fail(Msg() << msg, e_); \
        }                           \
    } while (0)

// "/proc/self/fd/<fd>": the way to name an O_PATH fd to mount(2).
struct FdPath {
    char buf[32];
    explicit FdPath(int fd);
    const char *c_str() const { return buf; }
};

// child.cpp: opens `rel` under `rootfd` as if rootfd were "/" (no escape through links).
int openat2_in_root(int rootfd, const char *rel, int flags);
// child_copyup.cpp: a tmpfs's "tmpcopyup". copy_up_source() opens the directory the mount will
// cover (-1: none there); copy_up() copies it into the tmpfs now mounted there, which takes its
// mode and owner, and closes `src`.
int copy_up_source(int rootfd, const char *rel);
void copy_up(int src, int rootfd, const char *rel, const char *shown);
// child.cpp: sets `want` and clears `clear` on the mount at fd, keeping its other flags.
void remount_bind(int fd, unsigned long want, unsigned long clear, const char *shown);

// security/child_confine.cpp: the sysctls; the masked and read-only paths (after pivot_root);
// the seccomp filter; the LSM label of the exec. Each a no-op when the plan has none.
void write_sysctls(const LaunchPlan &p);
void mask_paths(const LaunchPlan &p);
void load_seccomp(const LaunchPlan &p);
void set_lsm_label(const LaunchPlan &p);

// child_exec.cpp: after the namespaces of a running container are joined, fork so that the
// process is inside its pid (and time) namespace; the intermediate reports the pid and exits.
void fork_into_namespaces(const LaunchPlan &p);
// child_exec.cpp: chroot to the container's root (p.root_fd).
void enter_root(const LaunchPlan &p);
// A deferred start (OCI create) finds its command before it waits, as runc's create does: a
// command that is not there (or not executable) fails the create, where engines read the
// error (Podman: exit 127), not the start. Fails as the exec stub's search would.
void find_command(const LaunchPlan &p);
// console.cpp: allocate a pty in the container's devpts, make it the controlling terminal and
// stdio, and send the master over p.console_socket.
void setup_console(const LaunchPlan &p);
// child_fds.cpp: the first fd that is not the process's own (stdio, or fds[0..n-1]).
int first_free_fd(const LaunchPlan &p);
// child_fds.cpp: closes every fd from `first` (the error pipe too: the parent sees the process
// started) and exits with fn(fn_arg).
[[noreturn]] void run_fn(const LaunchPlan &p, int first);

// child_hooks.cpp: the OCI life cycle. sync_before_root() lets the parent run the create hooks
// (p.before_root) and waits for its "go"; wait_for_start() reports that the process waits, then
// waits for its deferred start (p.start_listener), whose error pipe replaces g_errfd;
// run_child_hooks() runs `hooks` (p.child_hooks, or a mount's MountOp::pre/post) with
// p.hook_state on stdin. Each a no-op when the plan has none.
void sync_before_root(const LaunchPlan &p);
void wait_for_start(const LaunchPlan &p);
void run_child_hooks(const LaunchPlan &p, const std::vector<ChildHook> &hooks);
// After the mounts' hooks, in a pid namespace of the container's own: kills and reaps what
// they left running there (host root, no confinement) before the container's code runs.
void end_mount_hooks(const LaunchPlan &p);

// child_net.cpp: a network set up beside the launch (p.net_channel). net_join() joins its
// namespace once it is made, net_wait() waits for its interfaces (joining first if need be);
// each does its work once. No-ops without a channel.
struct ChildNet {
    bool joined = false, ready = false;
};
void net_join(const LaunchPlan &p, ChildNet &net);
void net_wait(const LaunchPlan &p, ChildNet &net);

}  // namespace ct::linux_native::child
