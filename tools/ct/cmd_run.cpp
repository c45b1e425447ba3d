// run, create, start, exec, wait: the commands that start processes in containers.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <mutex>

#include "cli.hpp"
#include "io.hpp"
#include "spec_options.hpp"

namespace ct::cli {
namespace {

// Runs a container process in the foreground: signals to ct go to it, -t gives it a terminal,
// and the result is its exit code (or ct's own for a failure to start it).
class Foreground {
  public:
    explicit Foreground(bool tty) {
        if (tty) console_ = std::make_unique<Console>();
        forwarder_ = std::make_unique<SignalForwarder>([this](int sig) { on_signal(sig); });
    }

    StartOptions options() const {
        StartOptions o;
        if (console_) o.console_socket = console_->socket_for_backend();
        return o;
    }

    // `start` starts the process and returns its pid; `wait` waits for it.
    int run(Container &c, const std::function<int64_t()> &start,
            const std::function<ExitStatus(int64_t)> &wait) {
        int64_t pid;
        try {
            pid = start();
        } catch (const Error &e) {
            report(e);
            return exit_code_for(e);
        }
        {
            std::lock_guard lock(mu_);
            target_ = &c;
            pid_ = pid;
            if (pending_) deliver(pending_);
        }
        if (console_) console_->attach();
        ExitStatus st = wait(pid);
        {
            std::lock_guard lock(mu_);
            target_ = nullptr;
        }
        if (console_) console_->finish();
        return exit_code_for(st);
    }

  private:
    void on_signal(int sig) {
        if (sig == SIGWINCH) {
            if (console_) console_->resize();
            return;
        }
        std::lock_guard lock(mu_);
        if (target_)
            deliver(sig);
        else
            pending_ = sig;  // before the process exists: delivered as soon as it does
    }
    void deliver(int sig) {
        if (pid_is_init_)
            target_->kill(sig);
        else
            target_->kill_process(pid_, sig);
    }

  public:
    bool pid_is_init_ = true;  // false for exec: signals go to the exec'd process only

  private:
    std::unique_ptr<Console> console_;
    std::unique_ptr<SignalForwarder> forwarder_;
    std::mutex mu_;
    Container *target_ = nullptr;
    int64_t pid_ = 0;
    int pending_ = 0;
};

int cmd_run(Context &ctx) {
    static const char kSyn[] = "run [SPEC.yaml] [options] -- CMD [ARG...]";
    static const char kSum[] =
        "Creates a container, runs CMD in it with ct's stdin/stdout/stderr, waits, destroys it,\n"
        "and exits with CMD's exit code (128+N when killed by signal N). Options override the\n"
        "spec file's fields.";
    SpecOptions so;
    std::string file;
    bool detach = false, keep = false;
    po::options_description desc("Options");
    so.add_to(desc);
    // clang-format off
    desc.add_options()
        ("spec", po::value(&file), "YAML spec file (docs/spec.md)")
        ("detach,d", po::bool_switch(&detach), "start in the background and print the name")
        ("keep", po::bool_switch(&keep), "keep the container after it exits (default: destroy)");
    // clang-format on
    po::positional_options_description pos;
    pos.add("spec", 1);
    po::variables_map vm;
    if (!parse(ctx, desc, pos, vm, kSyn, kSum)) return kOk;
    Spec spec = so.build(file, ctx.trailing);
    if (detach && spec.process.terminal)
        throw UsageError("--detach and --tty cannot be combined: nobody would read the terminal");

    if (detach) {
        auto c = ctx.session().create(spec);
        try {
            StartOptions o;
            o.stdio = {-1, -1, -1};
            o.detach = true;
            c.start(o);
        } catch (...) {
            c.destroy(true);
            throw;
        }
        std::cout << c.name() << "\n";
        return kOk;
    }

    Foreground fg(spec.process.terminal);
    std::optional<Container> c;
    try {
        c = ctx.session().create(spec);
    } catch (const Error &e) {
        report(e);
        return kRunFailed;
    }
    int code = fg.run(
        *c, [&] { return c->start(fg.options()); }, [&](int64_t) { return c->wait(); });
    if (!keep) {
        try {
            c->destroy(true);
        } catch (const Error &e) {
            report(e);
            if (code == 0) code = kRunFailed;
        }
    }
    return code;
}

int cmd_create(Context &ctx) {
    static const char kSyn[] = "create [SPEC.yaml] [options] [-- CMD [ARG...]]";
    static const char kSum[] =
        "Creates a container (cgroups, state) without starting it, and prints its name.";
    SpecOptions so;
    std::string file;
    po::options_description desc("Options");
    so.add_to(desc);
    desc.add_options()("spec", po::value(&file), "YAML spec file (docs/spec.md)");
    po::positional_options_description pos;
    pos.add("spec", 1);
    po::variables_map vm;
    if (!parse(ctx, desc, pos, vm, kSyn, kSum)) return kOk;
    Spec spec = so.build(file, ctx.trailing);
    auto c = ctx.session().create(spec);
    std::cout << c.name() << "\n";
    return kOk;
}

int cmd_start(Context &ctx) {
    static const char kSyn[] = "start NAME [--attach] [--log FILE]";
    static const char kSum[] =
        "Starts a created (or stopped) container's command. By default it runs in the\n"
        "background, outliving ct, with its output discarded or appended to --log; `ct wait`\n"
        "collects its exit status. With --attach it runs in the foreground like `ct run`.";
    std::string name, log;
    bool attach = false;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("name", po::value(&name)->required(), "container")
        ("attach,a", po::bool_switch(&attach), "run in the foreground with ct's stdio; exit with its code")
        ("log", po::value(&log), "append the command's stdout and stderr to FILE");
    // clang-format on
    po::positional_options_description pos;
    pos.add("name", 1);
    po::variables_map vm;
    if (!parse(ctx, desc, pos, vm, kSyn, kSum)) return kOk;
    if (attach && !log.empty()) throw UsageError("--attach and --log cannot be combined");
    auto c = ctx.session().get(name);
    if (attach) {
        bool tty = c.info().spec.process.terminal;
        Foreground fg(tty);
        return fg.run(
            c, [&] { return c.start(fg.options()); }, [&](int64_t) { return c.wait(); });
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
        c.start(o);
    } catch (...) {
        if (fd >= 0) ::close(fd);
        throw;
    }
    if (fd >= 0) ::close(fd);
    return kOk;
}

int cmd_exec(Context &ctx) {
    static const char kSyn[] = "exec NAME [options] -- CMD [ARG...]";
    static const char kSum[] =
        "Runs CMD inside a running container (its namespaces, cgroups, root) with ct's stdio,\n"
        "and exits with CMD's exit code. The environment, working directory and user default\n"
        "to the container's.";
    std::string name;
    ProcessOptions popts;
    bool detach = false;
    po::options_description desc("Options");
    desc.add_options()("name", po::value(&name)->required(), "container")(
        "detach,d", po::bool_switch(&detach), "do not wait; print the process id");
    popts.add_to(desc);
    po::positional_options_description pos;
    pos.add("name", 1);
    po::variables_map vm;
    if (!parse(ctx, desc, pos, vm, kSyn, kSum)) return kOk;
    if (ctx.trailing.empty()) throw UsageError("no command: give it after '--'");
    // A bad -u or -e is a usage error before any backend is asked; the process itself is
    // built on the container's below.
    ProcessSpec checked;
    popts.apply(checked);
    auto c = ctx.session().get(name);
    ProcessSpec p = c.info().spec.process;
    p.args = ctx.trailing;
    p.terminal = false;
    popts.apply(p);
    if (detach) {
        if (p.terminal) throw UsageError("--detach and --tty cannot be combined");
        StartOptions o;
        o.stdio = {-1, -1, -1};
        o.detach = true;
        std::cout << c.exec(p, o) << "\n";
        return kOk;
    }
    Foreground fg(p.terminal);
    fg.pid_is_init_ = false;
    return fg.run(
        c, [&] { return c.exec(p, fg.options()); },
        [&](int64_t pid) { return c.wait_process(pid); });
}

int cmd_wait(Context &ctx) {
    static const char kSyn[] = "wait NAME [--pid PID] [--timeout SECONDS]";
    static const char kSum[] =
        "Waits for the container's command to exit and prints its exit code (128+N when it\n"
        "was killed by signal N). Works from any process, also after the one that started it\n"
        "has gone. With --pid: a process started by `ct exec -d` instead (its status is\n"
        "collected once).";
    std::string name, timeout;
    std::optional<int64_t> pid;
    po::options_description desc("Options");
    // clang-format off
    desc.add_options()
        ("name", po::value(&name)->required(), "container")
        ("pid,p", po::value<int64_t>()->notifier([&](int64_t v) { pid = v; }), "wait for this process of the container (from `ct exec -d`)")
        ("timeout", po::value(&timeout), "give up after SECONDS (exit 1)");
    // clang-format on
    po::positional_options_description pos;
    pos.add("name", 1);
    po::variables_map vm;
    if (!parse(ctx, desc, pos, vm, kSyn, kSum)) return kOk;
    std::optional<std::chrono::milliseconds> t;
    if (vm.count("timeout")) t = parse_timeout(timeout, "--timeout");
    if (pid) check_pid_option(*pid);
    auto c = ctx.session().get(name);
    auto st = pid ? c.wait_process(*pid, t) : c.wait(t);
    std::cout << st.shell_code() << "\n";
    return kOk;
}

}  // namespace

const std::vector<Command> &run_commands() {
    static const std::vector<Command> kCmds = {
        {"run", "run [SPEC.yaml] [options] -- CMD [ARG...]", "run a command in a new container",
         cmd_run},
        {"create", "create [SPEC.yaml] [options] [-- CMD...]", "create a container", cmd_create},
        {"start", "start NAME [--attach] [--log FILE]", "start a container's command", cmd_start},
        {"exec", "exec NAME [options] -- CMD [ARG...]", "run a command in a running container",
         cmd_exec},
        {"wait", "wait NAME [--pid PID] [--timeout S]",
         "wait for a container and print its exit code", cmd_wait},
    };
    return kCmds;
}

}  // namespace ct::cli
