// kill, destroy, pause, resume, update: the commands that change running containers. Those that
// make sense for several containers take several names.
#include <iostream>

#include "cli.hpp"
#include "trace.hpp"

namespace ct::cli {
namespace {

int cmd_kill(Context &ctx) {
    std::string signal_opt, pid_text;
    bool all = false;
    po::options_description desc;
    // clang-format off
    desc.add_options()
        ("signal,s", po::value(&signal_opt)->value_name("SIGNAL"), "the signal (default TERM): a name with or without SIG, RTMIN+N, RTMAX-N, a number, or 0 to check that init runs")
        ("all,a", po::bool_switch(&all), "signal every process of the container, not only init")
        ("pid,p", po::value(&pid_text)->value_name("PID"), "signal this process of the container (host pid, as `ct exec -d` and `ct ps` print)");
    // clang-format on
    po::variables_map vm;
    if (!parse(ctx, desc, {1, -1}, vm)) return kOk;
    // `kill NAME... [SIGNAL]`: a last word that reads as a signal is one (-s says so plainly).
    std::string sig = signal_opt.empty() ? "TERM" : signal_opt;
    if (ctx.operands.size() > 1 && looks_like_signal(ctx.operands.back())) {
        if (!signal_opt.empty())
            throw UsageError("two signals: -s " + signal_opt + " and '" + ctx.operands.back() +
                             "'");
        sig = ctx.operands.back();
        ctx.operands.pop_back();
    }
    if (all && vm.count("pid")) throw UsageError("--all and --pid cannot be combined");
    std::optional<int64_t> pid;
    if (vm.count("pid")) pid = parse_pid_option(pid_text);
    if (pid && ctx.operands.size() > 1)
        throw UsageError("--pid names a process of one container, but " +
                         std::to_string(ctx.operands.size()) + " are given");
    int signo = parse_signal(sig, true);  // a bad signal is a usage error, before any backend
    std::string what = signo ? signal_name(signo) : "signal 0 (is it running?)";
    return for_each_name(ctx, [&](const std::string &name) {
        auto c = ctx.session().get(name);
        step("send " + what + " to container '" + name + "'", [&] {
            if (pid)
                c.kill_process(*pid, signo);
            else
                c.kill(signo, all);
        });
    });
}

int cmd_destroy(Context &ctx) {
    bool force = false;
    po::options_description desc;
    desc.add_options()("force,f", po::bool_switch(&force), "kill a running container first");
    po::variables_map vm;
    if (!parse(ctx, desc, {1, -1}, vm)) return kOk;
    return for_each_name(ctx, [&](const std::string &name) {
        auto c = ctx.session().get(name);
        step("destroy container '" + name + "'", [&] { c.destroy(force); });
    });
}

int cmd_pause(Context &ctx) {
    po::options_description desc;
    po::variables_map vm;
    if (!parse(ctx, desc, {1, -1}, vm)) return kOk;
    return for_each_name(ctx, [&](const std::string &name) {
        auto c = ctx.session().get(name);
        step("pause container '" + name + "'", [&] { c.pause(); });
    });
}

int cmd_resume(Context &ctx) {
    po::options_description desc;
    po::variables_map vm;
    if (!parse(ctx, desc, {1, -1}, vm)) return kOk;
    return for_each_name(ctx, [&](const std::string &name) {
        auto c = ctx.session().get(name);
        step("resume container '" + name + "'", [&] { c.resume(); });
    });
}

int cmd_update(Context &ctx) {
    LimitOptions limits;
    po::options_description desc;
    limits.add_to(desc);
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1}, vm)) return kOk;
    Resources r;
    limits.apply(r);
    if (r == Resources{})
        throw UsageError("nothing to update: give at least one limit, e.g. --memory 256M");
    const std::string &name = ctx.operands[0];
    auto c = ctx.session().get(name);
    step("update container '" + name + "'", [&] { c.update(r); });
    return kOk;
}

}  // namespace

const std::vector<Command> &control_commands() {
    static const std::vector<Command> kCmds = {
        {"kill", "kill [OPTIONS] NAME... [SIGNAL]", "send a signal to containers",
         "Sends SIGNAL (default TERM) to each container's init, to one of its processes (--pid)\n"
         "or to every process (--all). A last word that reads as a signal (TERM, SIGHUP, 9,\n"
         "RTMIN+3, 0) is the signal; -s gives it explicitly. Signal 0 checks that init runs.\n"
         "Init, as PID 1 of its pid namespace, only gets the signals it handles, and KILL.",
         "ct kill web1 0\n"
         "ct kill web1 HUP --all\n"
         "ct kill -s RTMIN+3 web1",
         cmd_kill},
        {"destroy", "destroy [OPTIONS] NAME...", "remove containers",
         "Removes each container: its cgroups, mounts, interfaces and state. A running container\n"
         "is refused unless --force, which kills it first.",
         "ct run -d --name job1 --rootfs /srv/rootfs/busybox sleep 60\n"
         "ct run -d --name job2 --rootfs /srv/rootfs/busybox sleep 60\n"
         "ct destroy --force job1 job2",
         cmd_destroy},
        {"pause", "pause NAME...", "freeze containers",
         "Freezes every process of each container (state paused) until `ct resume`.",
         "ct pause web1\n"
         "ct resume web1",
         cmd_pause},
        {"resume", "resume NAME...", "thaw paused containers", "Thaws each paused container.",
         "ct pause web1\n"
         "ct resume web1",
         cmd_resume},
        {"update", "update [OPTIONS] NAME", "change a container's limits",
         "Changes the limits of a created, running or stopped container. Limits not given keep\n"
         "their values; the new ones are kept for the next start and shown by `ct info`. A value\n"
         "the kernel refuses changes nothing.",
         "ct update web1 --memory 128M --pids 200\n"
         "ct update web1 --cpu-quota 50000 --cpu-period 100000",
         cmd_update},
    };
    return kCmds;
}

}  // namespace ct::cli
