// run, create, start, exec, wait: the commands that start processes in containers.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <mutex>

#include "cli.hpp"
#include "foreground.hpp"
#include "io.hpp"
#include "spec_options.hpp"
#include "trace.hpp"

namespace ct::cli {
namespace {

int cmd_run(Context &ctx) {
    SpecOptions so;
    std::string file;
    bool detach = false, keep = false;
    po::options_description desc;
    so.add_to(desc);
    // clang-format off
    desc.add_options()
        ("spec", po::value(&file)->value_name("FILE"), "YAML spec file (docs/spec.md), when its name does not end in .yaml")
        ("detach,d", po::bool_switch(&detach), "start in the background and print the name")
        ("keep", po::bool_switch(&keep), "keep the container after it exits (default: destroy it)");
    // clang-format on
    po::variables_map vm;
    if (!parse(ctx, desc, {0, 1, true, false, true}, vm)) return kOk;
    if (!ctx.operands.empty()) {
        if (!file.empty())
            throw UsageError("two spec files: '" + file + "' and '" + ctx.operands[0] + "'");
        file = ctx.operands[0];
    }
    if (detach && so.process.tty)
        throw UsageError("--detach and --tty cannot be combined: nobody would read the terminal");
    if (so.process.tty) check_terminal(true, "");
    so.unprivileged = unprivileged_here(ctx.uri().value);
    Spec spec = so.build(file, ctx.trailing, ctx.config().defaults);
    if (!detach && spec.process.terminal && !so.process.tty)
        check_terminal(false, "run container '" + spec.name + "'");

    if (detach) {
        auto c = create(ctx, spec);
        try {
            StartOptions o;
            o.stdio = {-1, -1, -1};
            o.detach = true;
            step("start container '" + c.name() + "' in the background",
                 [&] { return c.start(o); });
        } catch (...) {
            c.destroy(true);
            throw;
        }
        std::cout << c.name() << "\n";
        return kOk;
    }

    take_terminal_size(spec.process);
    Foreground fg(spec.process.terminal);
    std::optional<Container> c;
    try {
        c = create(ctx, spec);
    } catch (const Error &e) {
        report(e);
        return kRunFailed;
    }
    int code = fg.run(
        *c,
        [&] {
            return step("start container '" + c->name() + "'",
                        [&] { return c->start(fg.options()); });
        },
        [&](int64_t) { return c->wait(); });
    trace(1, "container '" + c->name() + "' exited: " + std::to_string(code));
    if (!keep) {
        try {
            step("destroy container '" + c->name() + "'", [&] { c->destroy(true); });
        } catch (const Error &e) {
            report(e);
            if (code == 0) code = kRunFailed;
        }
    }
    return code;
}

int cmd_create(Context &ctx) {
    SpecOptions so;
    std::string file;
    po::options_description desc;
    so.add_to(desc);
    desc.add_options()("spec", po::value(&file)->value_name("FILE"),
                       "YAML spec file (docs/spec.md), when its name does not end in .yaml");
    po::variables_map vm;
    if (!parse(ctx, desc, {0, 1, true, false, true}, vm)) return kOk;
    if (!ctx.operands.empty()) {
        if (!file.empty())
            throw UsageError("two spec files: '" + file + "' and '" + ctx.operands[0] + "'");
        file = ctx.operands[0];
    }
    if (so.process.tty) check_terminal(true, "");
    so.unprivileged = unprivileged_here(ctx.uri().value);
    Spec spec = so.build(file, ctx.trailing, ctx.config().defaults);
    auto c = create(ctx, spec);
    std::cout << c.name() << "\n";
    return kOk;
}

int cmd_start(Context &ctx) {
    std::string log;
    bool attach = false;
    po::options_description desc;
    // clang-format off
    desc.add_options()
        ("attach,a", po::bool_switch(&attach), "run in the foreground with ct's stdio; exit with its code")
        ("log", po::value(&log)->value_name("FILE"), "append the command's stdout and stderr to FILE");
    // clang-format on
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1}, vm)) return kOk;
    const std::string &name = ctx.operands[0];
    if (attach && !log.empty()) throw UsageError("--attach and --log cannot be combined");
    auto c = step("get container '" + name + "'", [&] { return ctx.session().get(name); });
    if (attach) {
        bool tty = c.info().spec.process.terminal;
        if (tty) check_terminal(false, "start container '" + name + "'");
        Foreground fg(tty);
        return fg.run(
            c,
            [&] {
                return step("start container '" + name + "'",
                            [&] { return c.start(fg.options()); });
            },
            [&](int64_t) { return c.wait(); });
    }
    StartOptions o;
    o.detach = true;
    o.stdio = {-1, -1, -1};
    int fd = -1;
    if (!log.empty()) {
        fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0)
            throw Error(
                Errc::not_found,
                "start container '" + name + "': log file " + log + ": " + std::strerror(errno),
                errno);
        o.stdio.out = o.stdio.err = fd;
    }
    try {
        step("start container '" + name + "' in the background", [&] { return c.start(o); });
    } catch (...) {
        if (fd >= 0) ::close(fd);
        throw;
    }
    if (fd >= 0) ::close(fd);
    return kOk;
}

int cmd_exec(Context &ctx) {
    ProcessOptions popts;
    bool detach = false;
    po::options_description desc;
    desc.add_options()("detach,d", po::bool_switch(&detach), "do not wait; print the process id");
    popts.add_to(desc);
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1, true, true}, vm)) return kOk;
    const std::string &name = ctx.operands[0];
    if (detach && popts.tty) throw UsageError("--detach and --tty cannot be combined");
    if (popts.tty) check_terminal(true, "");
    // A bad -u or -e is a usage error before any backend is asked; the process itself is
    // built on the container's below.
    ProcessSpec checked;
    popts.apply(checked);
    auto c = step("get container '" + name + "'", [&] { return ctx.session().get(name); });
    ProcessSpec p = c.info().spec.process;
    p.args = ctx.trailing;
    p.terminal = false;
    popts.apply(p);
    if (detach) {
        StartOptions o;
        o.stdio = {-1, -1, -1};
        o.detach = true;
        std::cout << step("exec in container '" + name + "' in the background", [&] {
            return c.exec(p, o);
        }) << "\n";
        return kOk;
    }
    take_terminal_size(p);
    Foreground fg(p.terminal);
    fg.pid_is_init_ = false;
    return fg.run(
        c,
        [&] {
            return step("exec in container '" + name + "'",
                        [&] { return c.exec(p, fg.options()); });
        },
        [&](int64_t pid) { return c.wait_process(pid); });
}

int cmd_wait(Context &ctx) {
    std::string timeout, pid_text;
    po::options_description desc;
    // clang-format off
    desc.add_options()
        ("pid,p", po::value(&pid_text)->value_name("PID"), "wait for this process of the container (from `ct exec -d`) instead")
        ("timeout", po::value(&timeout)->value_name("SECONDS"), "give up after SECONDS (exit 1)");
    // clang-format on
    po::variables_map vm;
    if (!parse(ctx, desc, {1, -1}, vm)) return kOk;
    std::optional<std::chrono::milliseconds> t;
    if (vm.count("timeout")) t = parse_timeout(timeout, "--timeout");
    std::optional<int64_t> pid;
    if (vm.count("pid")) pid = parse_pid_option(pid_text);
    if (pid && ctx.operands.size() > 1)
        throw UsageError("--pid names a process of one container, but " +
                         std::to_string(ctx.operands.size()) + " are given");
    return for_each_name(ctx, [&](const std::string &name) {
        auto c = ctx.session().get(name);
        auto st = step("wait for container '" + name + "'",
                       [&] { return pid ? c.wait_process(*pid, t) : c.wait(t); });
        std::cout << st.shell_code() << std::endl;
    });
}

}  // namespace

const std::vector<Command> &run_commands() {
    static const std::vector<Command> kCmds = {
        {"run", "run [OPTIONS] [SPEC.yaml] [--] COMMAND [ARG...]",
         "run a command in a new container",
         "Creates a container, runs COMMAND in it with ct's stdin, stdout and stderr, waits for\n"
         "it, destroys the container and exits with COMMAND's exit code (128+N when killed by\n"
         "signal N; 125, 126, 127 when ct could not run it). Options override the spec file's\n"
         "fields. COMMAND starts at the first word that is not an option (or after '--'); a\n"
         "first word ending in .yaml or .yml is the spec file. The hostname defaults to the\n"
         "container's name.",
         "ct run --rootfs /srv/rootfs/busybox -- sh -c 'echo hello from $(hostname)'\n"
         "ct run --rootfs /srv/rootfs/busybox --memory 64M --pids 64 -e GREETING=hi env\n"
         "ct run examples/hello.yaml\n"
         "ct run -d --name job1 --rootfs /srv/rootfs/busybox sleep 60\n"
         "ct destroy --force job1",
         cmd_run},
        {"create", "create [OPTIONS] [SPEC.yaml] [[--] COMMAND [ARG...]]",
         "create a container without starting it",
         "Creates a container (its cgroups and state) without starting it, and prints its\n"
         "name. Takes the options of `ct run`.",
         "ct create --name job1 --rootfs /srv/rootfs/busybox -- sh -c 'echo hi; exit 3'\n"
         "ct start --attach job1     # exit 3: the command's code\n"
         "ct destroy job1",
         cmd_create},
        {"start", "start [OPTIONS] NAME", "start a container's command",
         "Starts a created (or stopped) container's command. By default it runs in the\n"
         "background, outliving ct, with its output discarded or appended to --log; `ct wait`\n"
         "collects its exit status. With --attach it runs in the foreground like `ct run`.",
         "ct create --name job1 --rootfs /srv/rootfs/busybox -- sh -c 'echo hi; exit 3'\n"
         "ct start job1 --log /tmp/job1.log\n"
         "ct wait job1\n"
         "ct destroy job1",
         cmd_start},
        {"exec", "exec [OPTIONS] NAME [--] COMMAND [ARG...]",
         "run a command in a running container",
         "Runs COMMAND inside a running container (its namespaces, cgroups and root) with ct's\n"
         "stdio, and exits with COMMAND's exit code. The environment, working directory and user\n"
         "default to the container's. COMMAND starts at the first word after NAME that is not\n"
         "an option (or after '--').",
         "ct exec web1 ps\n"
         "ct exec -e DEBUG=1 -w /tmp web1 sh -c 'echo $DEBUG in $(pwd)'\n"
         "ct exec -u nobody web1 id",
         cmd_exec},
        {"wait", "wait [OPTIONS] NAME...", "wait for containers and print their exit codes",
         "Waits for each container's command to exit and prints its exit code (128+N when it\n"
         "was killed by signal N), one line per container. Works from any process, also after\n"
         "the one that started it has gone. With --pid: a process started by `ct exec -d`\n"
         "instead (its status is collected once).",
         "ct wait --timeout 0.5 web1 || echo still running", cmd_wait},
    };
    return kCmds;
}

}  // namespace ct::cli
