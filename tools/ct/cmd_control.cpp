// kill, destroy, pause, resume, update, checkpoint, restore, migrate: the commands that change
// a container.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli.hpp"

namespace ct::cli {
namespace {

// NAME as the only positional; `more` adds options. Returns false after --help.
bool parse_named(Context &ctx, std::string &name, po::options_description &desc, const char *syn,
                 const char *sum, int extra_positional = 0, const char *extra_name = nullptr) {
    desc.add_options()("name", po::value(&name)->required(), "container");
    po::positional_options_description pos;
    pos.add("name", 1);
    if (extra_positional) pos.add(extra_name, extra_positional);
    po::variables_map vm;
    return parse(ctx, desc, pos, vm, syn, sum);
}

int cmd_kill(Context &ctx) {
    std::string name, sig = "TERM";
    bool all = false;
    std::optional<int64_t> pid;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("signal", po::value(&sig), "signal name or number (default TERM)")
        ("all,a", po::bool_switch(&all), "signal every process of the container, not only init")
        ("pid,p", po::value<int64_t>()->notifier([&](int64_t v) { pid = v; }), "signal this process of the container (host pid, as `ct exec -d` and `ct ps` print)");
    // clang-format on
    if (!parse_named(ctx, name, desc, "kill NAME [SIGNAL] [--all | --pid PID]",
                     "Sends a signal to the container's init, one of its processes (--pid) or\n"
                     "every process (--all).",
                     1, "signal"))
        return kOk;
    if (all && pid) throw UsageError("--all and --pid cannot be combined");
    if (pid) check_pid_option(*pid);
    int signo = parse_signal(sig);  // a bad signal is a usage error, found before any backend
    auto c = ctx.session().get(name);
    if (pid)
        c.kill_process(*pid, signo);
    else
        c.kill(signo, all);
    return kOk;
}

int cmd_destroy(Context &ctx) {
    std::string name;
    bool force = false;
    po::options_description desc("Options");
    desc.add_options()("force,f", po::bool_switch(&force), "kill a running container first");
    if (!parse_named(ctx, name, desc, "destroy NAME [--force]",
                     "Removes a container: its cgroups, mounts, interfaces and state. A running\n"
                     "container is refused unless --force."))
        return kOk;
    ctx.session().get(name).destroy(force);
    return kOk;
}

int cmd_pause(Context &ctx) {
    std::string name;
    po::options_description desc("Options");
    if (!parse_named(ctx, name, desc, "pause NAME", "Freezes every process of the container."))
        return kOk;
    ctx.session().get(name).pause();
    return kOk;
}

int cmd_resume(Context &ctx) {
    std::string name;
    po::options_description desc("Options");
    if (!parse_named(ctx, name, desc, "resume NAME", "Thaws a paused container.")) return kOk;
    ctx.session().get(name).resume();
    return kOk;
}

int cmd_update(Context &ctx) {
    std::string name, memory, memory_swap, cpus;
    std::optional<int64_t> pids, shares, quota, period;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("memory,m", po::value(&memory), "memory limit: 64M, 1G, ... (-1: unlimited)")
        ("memory-swap", po::value(&memory_swap), "memory + swap limit")
        ("pids", po::value<int64_t>()->notifier([&](int64_t v) { pids = v; }), "maximum number of tasks (-1: unlimited)")
        ("cpu-shares", po::value<int64_t>()->notifier([&](int64_t v) { shares = v; }), "relative CPU weight")
        ("cpu-quota", po::value<int64_t>()->notifier([&](int64_t v) { quota = v; }), "CFS quota in us (-1: unlimited)")
        ("cpu-period", po::value<int64_t>()->notifier([&](int64_t v) { period = v; }), "CFS period in us")
        ("cpuset-cpus", po::value(&cpus), "CPUs allowed, e.g. 0-1");
    // clang-format on
    if (!parse_named(ctx, name, desc, "update NAME [--memory SIZE] [--pids N] [--cpu-...]",
                     "Changes the limits of a created or running container. Limits not given\n"
                     "keep their values."))
        return kOk;
    Resources r;
    apply_limit_options(r, memory, memory_swap, pids, shares, quota, period, cpus);
    if (r == Resources{}) throw UsageError("nothing to update: give at least one limit");
    ctx.session().get(name).update(r);
    return kOk;
}

int cmd_checkpoint(Context &ctx) {
    std::string name;
    CheckpointOptions o;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("dir,D", po::value(&o.dir)->required(), "image directory (on the backend's host)")
        ("leave-running", po::bool_switch(&o.leave_running), "keep the container running")
        ("tcp-established", po::bool_switch(&o.tcp_established), "save established TCP connections")
        ("file-locks", po::bool_switch(&o.file_locks), "save file locks");
    // clang-format on
    if (!parse_named(ctx, name, desc, "checkpoint NAME --dir DIR [--leave-running]",
                     "Saves a running container's processes and state to DIR with CRIU."))
        return kOk;
    ctx.session().get(name).checkpoint(o);
    return kOk;
}

int cmd_restore(Context &ctx) {
    std::string name;
    RestoreOptions o;
    o.stdio = {-1, -1, -1};
    po::options_description desc("Options");
    desc.add_options()("dir,D", po::value(&o.dir)->required(),
                       "image directory made by checkpoint");
    if (!parse_named(ctx, name, desc, "restore NAME --dir DIR",
                     "Recreates a container from a checkpoint (its spec travels with the images)\n"
                     "and resumes it, under NAME."))
        return kOk;
    ctx.session().restore(name, o);
    return kOk;
}

int cmd_migrate(Context &ctx) {
    std::string name, to;
    MigrateOptions o;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("to", po::value(&to)->required(), "destination URI, e.g. linux+ssh://root@host/")
        ("leave-running", po::bool_switch(&o.leave_running), "copy: keep the source running too")
        ("tcp-established", po::bool_switch(&o.tcp_established), "move established TCP connections");
    // clang-format on
    if (!parse_named(ctx, name, desc, "migrate NAME --to URI",
                     "Moves a running container to another session: checkpoint here, images\n"
                     "copied, restore there; it keeps running here if any step fails."))
        return kOk;
    bool tty = ::isatty(2);
    if (tty)
        set_progress_handler([](const std::string &what, uint64_t done, uint64_t total) {
            if (total)
                std::fprintf(stderr, "\r%s: %llu/%llu KiB (%3llu%%)", what.c_str(),
                             static_cast<unsigned long long>(done >> 10),
                             static_cast<unsigned long long>(total >> 10),
                             static_cast<unsigned long long>(done * 100 / total));
            else
                std::fprintf(stderr, "\r%s: %llu KiB", what.c_str(),
                             static_cast<unsigned long long>(done >> 10));
        });
    ctx.session().get(name).migrate(to, o);
    if (tty) std::fprintf(stderr, "\n");
    return kOk;
}

}  // namespace

const std::vector<Command> &control_commands() {
    static const std::vector<Command> kCmds = {
        {"kill", "kill NAME [SIGNAL] [--all | --pid PID]", "send a signal to a container",
         cmd_kill},
        {"destroy", "destroy NAME [--force]", "remove a container", cmd_destroy},
        {"pause", "pause NAME", "freeze a container", cmd_pause},
        {"resume", "resume NAME", "thaw a container", cmd_resume},
        {"update", "update NAME [--memory SIZE] ...", "change a container's limits", cmd_update},
        {"checkpoint", "checkpoint NAME --dir DIR", "save a running container (CRIU)",
         cmd_checkpoint},
        {"restore", "restore NAME --dir DIR", "restore a container from a checkpoint", cmd_restore},
        {"migrate", "migrate NAME --to URI", "move a running container to another host",
         cmd_migrate},
    };
    return kCmds;
}

}  // namespace ct::cli
