// Starting a container's process. The parent builds a LaunchPlan holding every string and fd
// the child will need; the child (a clone3 copy of the caller) only reads it and makes system
// calls: no allocation, no locks, no stdio. That keeps it safe in a multi-threaded caller and
// keeps the hot path short.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "ct/spec.hpp"
#include "security/caps.hpp"
#include "security/child_failure.h"
#include "security/seccomp.hpp"
#include "support.hpp"

namespace ct::linux_native {

// A hook run by the container's process itself (launch/child_hooks.cpp): a start_container
// hook, or one of a mount's (MountOp::pre/post, before the root is entered).
struct ChildHook {
    std::string path;  // resolved where the process is: in the container, or on the host's root
    std::vector<std::string> args, env;
    int timeout_ms = -1;             // -1: none
    std::vector<char *> argv, envp;  // filled by LaunchPlan::finalize()
    std::string shown;               // "hooks.start_container[0] (/bin/x)"
};

struct MountOp {
    std::string source;
    std::string target;  // relative to the rootfs, no leading '/'
    std::string fstype;  // "" for bind mounts
    unsigned long flags = 0;
    unsigned long clear_flags = 0;  // bind mounts: flags the options turn off ("rw", "suid", ...)
    unsigned long propagation = 0;  // MS_PRIVATE/MS_SLAVE/MS_SHARED (| MS_REC), applied after
    std::string data;
    bool bind = false;
    bool readonly = false;  // bind mounts: remount read-only afterwards
    bool target_is_file = false;
    // Not a new mount: sets `flags` on the mount already at target (e.g. the tmpfs of a
    // cgroup mount, read-only once its binds are made under it).
    bool remount_only = false;
    // An idmapped or bidirectional bind mount: its tree, made detached by the caller
    // (fs/idmap.hpp, fs/bidirectional.hpp), which the child moves onto the target instead of
    // binding the source.
    Fd tree;
    // tmpfs option "tmpcopyup": what the target directory held is copied into the new tmpfs,
    // which also takes the directory's mode and owner (child_copyup.cpp).
    bool copy_up = false;
    // The spec mount's hooks (MountSpec::hooks), run right before and right after this op (of
    // a spec mount made by several ops: pre before the first, post after the last).
    std::vector<ChildHook> pre, post;
};

// A device node made inside the container.
struct DeviceOp {
    std::string path;  // relative to the rootfs, no leading '/'
    mode_t mode = 0;   // S_IFCHR or S_IFBLK | permissions
    dev_t dev = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string host_path;  // set: bind-mount this host node instead (no mknod in a user ns)
};

constexpr size_t kMaxPassedFds = 1024;

struct LaunchPlan {
    // Process stdio: fds of the caller (already open), or -1 for /dev/null.
    int stdio[3] = {0, 1, 2};
    Fd devnull;
    // When not empty: fds[i] of the caller becomes fd i (-1: /dev/null), replacing stdio;
    // at most kMaxPassedFds.
    std::vector<int> fds;

    // cgroups: the files the child writes "0" into to join them (open_join_files); the
    // cgroup2 directory goes to clone3(CLONE_INTO_CGROUP).
    std::vector<Fd> cgroup_procs;
    Fd cgroup2_dir;

    // Namespaces: created at clone time (not the cgroup one: it must be unshared after the
    // child has joined its cgroups, so its root is the container's cgroup).
    unsigned long long clone_flags = 0;
    bool new_cgroupns = false;
    std::vector<std::pair<Fd, int>> join_ns;  // (fd, CLONE_NEW*) joined with setns()
    // Set: the time namespace is not made at clone time (a process in it freezes its offsets)
    // but unshared by the child, which writes these lines to /proc/self/timens_offsets and
    // then enters it (so no CLONE_VM child: entering one needs a memory of its own).
    std::string time_offsets;

    // Filesystem.
    bool new_mountns = false;
    std::string rootfs;       // host path of the root (mount point)
    std::string root_source;  // what gets bind-mounted there ("" : rootfs itself)
    std::string root_fstype;  // set: mount this filesystem there instead (private area overlay)
    std::string root_data;    // its options
    bool readonly_rootfs = false;
    unsigned long root_propagation = 0;  // MS_SHARED etc. (| MS_REC) of the root, after pivot
    bool mount_proc = true, mount_dev = true;
    bool mount_sys = true;  // the read-only default sysfs (not when a spec's sysfs goes there)
    bool dev_shm = true;  // with mount_dev: a tmpfs on /dev/shm (not when a spec mount goes there)
    // With mount_dev: /dev/null stays the node the setup made (no spec mount over /dev, no spec
    // device in its place), so masks may bind it by path.
    bool own_dev_null = false;
    std::vector<MountOp> mounts;
    std::vector<DeviceOp> devices;
    bool userns = false;  // a new user namespace
    // /dev nodes are bind-mounted from the host, not made: mknod is refused in a new user
    // namespace, and to the root of any but the initial one (rootless Podman's runtime).
    bool bind_dev_nodes = false;
    bool devpts_gid = true;  // gid 5 (tty) exists in the container: devpts gives it the ptys

    // Identity and environment.
    std::string hostname;
    // Set: the network namespace is made and equipped beside the launch (net/beside.hpp),
    // and comes over this socket: joined before sysfs is mounted, its interfaces waited for
    // before the first step that needs them.
    Fd net_channel;
    // The thread's end of that socket, open in the launching process too: the child (and a
    // monitor process launching it) closes its copy first, so that the launcher dying (kill -9)
    // is EOF to a child waiting for the network, not a wait for ever.
    int net_channel_peer = -1;
    bool lo_up = false;
    std::vector<std::pair<std::string, std::string>> sysctls;  // /proc/sys path, value
    struct Rlimit {
        int resource;
        struct rlimit limit;
        std::string name;  // the spec's ("nofile"), for the child's error
    };
    std::vector<Rlimit> rlimits;
    bool no_new_privs = false;
    bool new_session = true;  // setsid()
    int pdeathsig = 0;        // PR_SET_PDEATHSIG, set after the credentials change
    int personality = -1;     // set (PER_LINUX, PER_LINUX32): personality(2), kept by exec
    bool new_keyring = true;  // a session keyring of its own (not the caller's)
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    bool set_groups = true;    // false: setgroups is denied in the container's user namespace
    bool become_root = false;  // right after the id maps: become the user namespace's root
    CapPlan caps;
    std::string cwd = "/";
    mode_t umask = 022;
    std::string oom_score_adj;  // set: written to /proc/self/oom_score_adj, first thing
    unsigned short console_rows = 0, console_cols = 0;  // the terminal's size when set

    std::vector<std::string> args, env;
    std::string path_env;  // PATH used to find args[0]
    // NULL-terminated arrays pointing into args/env/stub_args; filled by finalize().
    std::vector<char *> argv, envp;

    // The process's terminal, or a function to run instead of args (ct_proc_args;
    // console.cpp, child_fds.cpp).
    bool terminal = false;        // a pty from the container's devpts as stdio
    bool stdin_ctty = false;      // stdin (a terminal of the caller) becomes the controlling one
    int ctty_fd = -1;             // or this terminal fd of the caller (ct_proc_args.ctty_fd)
    int console_socket = -1;      // where the pty master goes (SCM_RIGHTS)
    int (*fn)(void *) = nullptr;  // run fn(fn_arg) and exit with it, instead of exec
    void *fn_arg = nullptr;

    // Confinement (security/). Masked and read-only paths, absolute in the container, are
    // applied once its sysctls are written; the seccomp filter is loaded just before the
    // credentials change (after them with no_new_privs); the LSM label is written to
    // lsm_attr for the exec. The command is executed through the sealed exec stub.
    std::vector<std::string> masked_paths, readonly_paths;
    std::shared_ptr<const SeccompProgram> seccomp;
    // Stacked before it, for a process in its caller's session (security/tty_guard.hpp).
    std::shared_ptr<const SeccompProgram> seccomp_guard;
    std::string lsm_attr;  // "attr/exec" or "attr/apparmor/exec" under /proc/thread-self
    std::string lsm_value;
    Fd exec_stub;
    std::vector<std::string> stub_args;  // filled by finalize()
    std::vector<char *> stub_argv;
    // The process cannot be ptraced, nor its /proc files opened, by the container's other
    // processes until it has executed the command (own memory only: a CLONE_VM child would
    // change the caller's).
    bool nondumpable = false;

    // Exec into a running container (child_exec.cpp): join_ns holds its namespaces.
    Fd root_fd;                    // its root: fchdir + chroot once the namespaces are joined
    bool fork_after_join = false;  // pid and time namespaces only apply to children: fork
    int report_fd = -1;            // set by launch(): where the fork's pid is reported

    // The OCI life cycle (launch/hooks.cpp, launch/deferred.cpp). before_root: the child stops
    // right before it enters its root (pivot_root, chroot) and the parent runs this (the
    // create hooks); a throw fails the launch. start_listener: a listening socket on which the
    // child, fully set up, waits before its command for the fd of a new error pipe
    // (deferred exec); launch() then returns as soon as it waits. child_hooks run in the
    // child right before its command, reading hook_state (a memfd) as stdin; so do the mounts'
    // hooks (MountOp::pre/post), while it still holds the "creating" state.
    std::function<void(pid_t pid, int pidfd)> before_root;
    Fd start_listener;
    // With start_listener: the caller's fd of the container's state directory, whose flock is
    // the container's lock; the waiting child closes its copy, or no start could take the lock.
    int state_dirfd = -1;
    std::vector<ChildHook> child_hooks;
    Fd hook_state;

    void finalize();
};

struct Launched {
    pid_t pid = -1;
    Fd pidfd;
};

// Work the parent must do between clone and the child's setup: write uid/gid maps, create and
// move network interfaces into the child's namespaces. When set, the child waits for it (right
// after joining its cgroups) and gives up if it throws.
using AfterClone = std::function<void(pid_t pid, int pidfd)>;

// Clones the container's init (or, later, an exec'd process) and returns once the command has
// been executed. A failure in the child comes back as Error(exec) for the command itself and
// Error(backend/permission/...) for a setup step, with the step, the object and errno.
Launched launch(LaunchPlan &plan, const AfterClone &after_clone = {});

// Child side; never returns. `errfd` is the write end of the error pipe; `gofd`, when >= 0,
// the read end of the pipe on which the parent says "go" after its AfterClone work.
[[noreturn]] void child_main(const LaunchPlan &plan, int errfd, int gofd) noexcept;

// What the child (or the exec stub) sends back on failure.
using ChildFailure = ct_child_failure;

}  // namespace ct::linux_native
