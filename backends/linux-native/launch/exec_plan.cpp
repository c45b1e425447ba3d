#include "launch/exec_plan.hpp"

#include <fcntl.h>
#include <sched.h>

#include <cstddef>

#include "launch/plan.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

struct NsFile {
    Namespace type;
    const char *proc_name;  // under /proc/<pid>/ns/
    int flag;
};

// Joined in this order: the user namespace first, so that the others (owned by it) can be.
constexpr NsFile kNsFiles[] = {
    {Namespace::user, "user", CLONE_NEWUSER}, {Namespace::mount, "mnt", CLONE_NEWNS},
    {Namespace::uts, "uts", CLONE_NEWUTS},    {Namespace::ipc, "ipc", CLONE_NEWIPC},
    {Namespace::net, "net", CLONE_NEWNET},    {Namespace::cgroup, "cgroup", CLONE_NEWCGROUP},
    {Namespace::pid, "pid", CLONE_NEWPID},    {Namespace::time, "time", CLONE_NEWTIME},
};

}  // namespace

LaunchPlan plan_exec(const Spec &spec, long init, unsigned long long init_start,
                     const ProcessSpec &proc, const ContainerCgroups &cg) {
    LaunchPlan p;
    p.devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!p.devnull) throw_sys("open /dev/null", errno);
    p.cgroup2_dir = cg.open_v2_dir();
    p.cgroup_procs = cg.open_join_files(false);

    std::string proc_dir = "/proc/" + std::to_string(init);
    auto gone = [&] {
        return Error(Errc::bad_state, "container '" + spec.name + "' is not running (its init " +
                                          std::to_string(init) + " has exited)");
    };
    // Every namespace the container has, new or joined by path: init is in it either way.
    for (const auto &f : kNsFiles) {
        if (!spec.has_namespace(f.type)) continue;
        std::string path = proc_dir + "/ns/" + f.proc_name;
        Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT || errno == ESRCH) throw gone();
            throw_sys("open " + path, errno);
        }
        p.join_ns.emplace_back(std::move(fd), f.flag);
        if (f.type == Namespace::pid || f.type == Namespace::time) p.fork_after_join = true;
    }
    p.root_fd.reset(::open((proc_dir + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!p.root_fd) {
        if (errno == ENOENT || errno == ESRCH) throw gone();
        throw_sys("open the root of container '" + spec.name + "' (" + proc_dir + "/root)", errno);
    }
    // Opened by pid: if init died and its pid was reused meanwhile, they are someone else's.
    if (!process_alive(init, init_start)) throw gone();

    p.rootfs = spec.rootfs;
    p.new_mountns = false;
    p.mount_proc = p.mount_dev = p.mount_sys = false;
    // Users by name from the container's own /etc/passwd, as it is now.
    plan_process(p, spec, proc, {proc_dir + "/root"});
    // Already the right user namespace's: joined, not made (no maps to become root through).
    p.become_root = false;
    return p;
}

void plan_proc_args(LaunchPlan &plan, const ct_proc_args &args) {
    plan.stdio[0] = args.stdin_fd;
    plan.stdio[1] = args.stdout_fd;
    plan.stdio[2] = args.stderr_fd;
    if (args.nfds > kMaxPassedFds)
        throw Error(Errc::invalid_argument, std::to_string(args.nfds) + " fds passed (at most " +
                                                std::to_string(kMaxPassedFds) + ")");
    if (args.nfds) plan.fds.assign(args.fds, args.fds + args.nfds);
    if (plan.terminal) {
        if (args.console_socket < 0)
            throw Error(Errc::invalid_argument,
                        "process.terminal needs a console socket to send the terminal "
                        "to (StartOptions::console_socket)");
        plan.console_socket = args.console_socket;
    }
    plan.fn = args.fn;
    plan.fn_arg = args.fn_arg;
    if (args.flags & CT_PROC_CONTROLLING_TTY) {
        if (!plan.new_session || plan.terminal)
            throw Error(Errc::invalid_argument,
                        "a controlling terminal from stdin needs a process that leads a session "
                        "of its own (process.new_session) and has no terminal allocated "
                        "(process.terminal)");
        bool knows_ctty_fd = args.size >= offsetof(ct_proc_args, ctty_fd) + sizeof args.ctty_fd;
        if (knows_ctty_fd && args.ctty_fd > 0)
            plan.ctty_fd = args.ctty_fd;
        else
            plan.stdin_ctty = true;
    }
}

}  // namespace ct::linux_native
