// Processes in containers: start (the command of an application container), exec, wait and
// kill, through vzctl exec2/enter under monitors that record exit statuses.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "ct/backend/fd_passing.hpp"
#include "ct/internal/document.hpp"
#include "ctid.hpp"
#include "session.hpp"
#include "session_util.hpp"
#include "terminal.hpp"

namespace ct::openvz {
namespace {

void send_fd(int sock, int fd) {
    if (int e = backend::send_fd(sock, fd))
        throw Error(Errc::backend,
                    std::string("send the terminal to the console socket: ") + std::strerror(e), e);
}

// 16 hex digits that make a terminal's markers its own.
std::string nonce() {
    unsigned char b[8] = {};
    if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b))
        throw Error(Errc::backend, std::string("getrandom: ") + std::strerror(errno), errno);
    static const char *hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) out += {hex[c >> 4], hex[c & 15]};
    return out;
}

struct FdGuard {
    int fd = -1;
    ~FdGuard() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

int64_t OpenVzSession::spawn(const std::string &ctid, const ProcessSpec &p,
                             const ct_proc_args &args, bool init) {
    if (args.fn)
        throw Error(Errc::unsupported,
                    "in-process callbacks are not supported by backend openvz: its processes are "
                    "run by vzctl, not forked from the caller");
    if (p.args.empty() || p.args[0].empty())
        throw Error(Errc::invalid_spec, "invalid spec: process.args is empty");
    SpawnRequest req;
    FdGuard master, slave;
    if (p.terminal) {
        if (args.console_socket < 0)
            throw Error(Errc::invalid_argument,
                        "process.terminal needs a console socket to hand the terminal to");
        master.fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        char name[128];
        if (master.fd < 0 || ::grantpt(master.fd) != 0 || ::unlockpt(master.fd) != 0 ||
            ::ptsname_r(master.fd, name, sizeof name) != 0)
            throw Error(Errc::backend, std::string("allocate a terminal: ") + std::strerror(errno),
                        errno);
        slave.fd = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave.fd < 0)
            throw Error(Errc::backend, std::string(name) + ": " + std::strerror(errno), errno);
        // vzctl enter gives the command a terminal inside the container; exec2 would not. The
        // monitor relays it, typing the command where vzctl does not and showing the caller
        // only the command's own output (terminal.hpp, enter_filter.hpp).
        TerminalPlan t = terminal_plan(gen(), tools_.vzctl, ctid, p, nonce());
        req.argv = t.argv;
        req.tty = slave.fd;
        req.relay.on = true;
        req.relay.typed = t.typed;
        req.relay.begin = t.begin;
        req.relay.end = t.end;
    } else {
        req.argv = {tools_.vzctl, "exec2", ctid, command_line(p)};
        req.in = args.stdin_fd;
        req.out = args.stdout_fd;
        req.err = args.stderr_fd;
        if (args.nfds) req.fds.assign(args.fds, args.fds + args.nfds);
    }
    // An application container lives as long as its command: the monitor stops it afterwards
    // (before it records the status, so a waiter never races with that stop).
    if (init) req.after = {tools_.vzctl, "stop", ctid, "--fast"};
    store_.prepare_processes(ctid);
    req.exit_dir = store_.process_dir(ctid);
    Spawned sp = runner_->spawn(req);
    store_.add_process(ctid, sp);
    if (p.terminal) {
        try {
            send_fd(args.console_socket, master.fd);
        } catch (...) {
            ::kill(static_cast<pid_t>(sp.pid), SIGKILL);  // nobody could ever read its terminal
            throw;
        }
    }
    return sp.pid;
}

int64_t OpenVzSession::start(const std::string &name, const ct_proc_args &args) {
    VzStatus vs = need(name);
    auto st = store_.load(name);
    switch (kind_of(vs, st)) {
        case Kind::running:
            throw Error(Errc::bad_state, "container " + name + " is already running");
        case Kind::paused:
            throw Error(Errc::bad_state, "container " + name + " is paused (resume it)");
        default:
            break;
    }
    ProcessSpec p;
    if (args.process_doc)
        p = doc::decode_process(args.process_doc);
    else if (st && st->spec)
        p = st->spec->process;
    check_process(p, "process");
    if (p.terminal && args.console_socket < 0 && !p.args.empty())
        throw Error(Errc::invalid_argument,
                    "process.terminal needs a console socket to hand the terminal to");
    if (args.fn)
        throw Error(Errc::unsupported,
                    "in-process callbacks are not supported by backend openvz: its processes are "
                    "run by vzctl, not forked from the caller");
    CtState next = st ? *st : CtState{};
    if (!st) next.created = std::time(nullptr);
    vz({tools_.vzctl, "start", name, "--wait"});
    next.started = true;
    next.init_pid = 0;
    if (p.args.empty()) {
        // A system container: its own init runs; report it once the kernel shows it.
        store_.save(name, next);
        for (const auto &proc : host_.processes(name))
            if (proc.ns_pid == 1) return proc.pid;
        return 0;
    }
    try {
        if (st && st->init_pid) store_.forget_process(name, st->init_pid);
        next.init_pid = spawn(name, p, args, true);
        store_.save(name, next);
    } catch (...) {
        try {
            vz({tools_.vzctl, "stop", name, "--fast"});
        } catch (const Error &) {
            // Report the first failure.
        }
        throw;
    }
    return next.init_pid;
}

int64_t OpenVzSession::exec(const std::string &name, const ct_proc_args &args) {
    VzStatus vs = need(name);
    need_running(name, vs);
    if (!args.process_doc) throw Error(Errc::invalid_argument, "exec needs a process document");
    ProcessSpec p = doc::decode_process(args.process_doc);
    check_process(p, "process");
    return spawn(name, p, args, false);
}

int OpenVzSession::wait_process(const std::string &ctid, int64_t pid, int64_t timeout_ms) {
    auto monitor = store_.monitor_of(ctid, pid);
    if (!monitor)
        throw Error(Errc::not_found, "no process " + std::to_string(pid) + " started by libct in " +
                                         "container " + ctid);
    Backoff backoff(timeout_ms);
    for (;;) {
        if (auto x = store_.exit_status(ctid, pid)) return *x;
        if (!monitor->alive()) {
            if (auto x = store_.exit_status(ctid, pid)) return *x;
            throw Error(Errc::backend, "process " + std::to_string(pid) + ": its monitor (pid " +
                                           std::to_string(monitor->pid) +
                                           ") ended without recording an exit status");
        }
        if (!backoff.sleep())
            throw Error(Errc::timeout, "process " + std::to_string(pid) + " is still running");
    }
}

int OpenVzSession::wait(const std::string &name, int64_t pid, int64_t timeout_ms) {
    check_ctid(name);
    if (pid != 0) return wait_process(name, pid, timeout_ms);
    auto st = store_.load(name);
    if (st && st->init_pid) return wait_process(name, st->init_pid, timeout_ms);
    // A system container ends when the kernel no longer lists it; its init's status is not
    // kept by OpenVZ: 0.
    need(name);
    Backoff backoff(timeout_ms);
    for (;;) {
        bool running = false;
        for (const auto &v : host_.veinfo()) running |= v.ctid == name;
        if (!running) return 0;
        if (!backoff.sleep()) throw Error(Errc::timeout, "container " + name + " is still running");
    }
}

void OpenVzSession::signal_inside(const std::string &ctid, int sig, const char *target) {
    vz({tools_.vzctl, "exec2", ctid, "kill -" + std::to_string(sig) + " " + target});
}

void OpenVzSession::kill(const std::string &name, int64_t pid, int sig, uint32_t flags) {
    if (sig <= 0 || sig >= NSIG)
        throw Error(Errc::invalid_argument, "signal " + std::to_string(sig) + " is not a signal");
    if (pid != 0) {
        check_ctid(name);
        if (!store_.monitor_of(name, pid))
            throw Error(Errc::not_found, "no process " + std::to_string(pid) +
                                             " started by libct in container " + name);
        if (store_.exit_status(name, pid)) return;  // already ended: nothing to signal
        // The process libct knows is the vzctl exec2/enter client that carries the command.
        if (::kill(static_cast<pid_t>(pid), sig) != 0 && errno != ESRCH)
            throw Error(Errc::backend, "kill " + std::to_string(pid) + ": " + std::strerror(errno),
                        errno);
        return;
    }
    VzStatus vs = need(name);
    // vzctl stop thaws a paused container first; nothing else reaches a frozen one.
    if (!(vs.paused && (sig == SIGKILL || sig == SIGTERM))) need_running(name, vs);
    auto st = store_.load(name);
    bool all = flags & CT_KILL_ALL;
    if (sig == SIGKILL) {
        vz({tools_.vzctl, "stop", name, "--fast"});
    } else if (sig == SIGTERM && (all || !(st && st->init_pid))) {
        vz({tools_.vzctl, "stop", name});
    } else if (all) {
        signal_inside(name, sig, "-1");
    } else if (st && st->init_pid && !store_.exit_status(name, st->init_pid)) {
        // An application container's init is its command's vzctl exec2 client: these signals
        // end it (and with it the container); others cannot be forwarded through vzctl.
        if (sig != SIGTERM && sig != SIGINT && sig != SIGHUP && sig != SIGQUIT)
            throw Error(Errc::unsupported,
                        "signal " + std::to_string(sig) +
                            " to an application container's command is not supported by backend "
                            "openvz: vzctl exec2 does not forward signals (TERM, INT, HUP, QUIT "
                            "and KILL end the command)");
        if (::kill(static_cast<pid_t>(st->init_pid), sig) != 0 && errno != ESRCH)
            throw Error(Errc::backend,
                        "kill " + std::to_string(st->init_pid) + ": " + std::strerror(errno),
                        errno);
    } else if (sig == SIGINT) {
        // Ctrl-Alt-Del: what the kernel sends init to reboot. OpenVZ's is vzctl restart.
        vz({tools_.vzctl, "restart", name, "--wait"});
    } else {
        signal_inside(name, sig, "1");
    }
}

void OpenVzSession::await_init_monitor(const std::string &ctid) {
    auto st = store_.load(ctid);
    if (!st || !st->init_pid) return;
    auto monitor = store_.monitor_of(ctid, st->init_pid);
    Backoff backoff(60000);
    while (monitor && monitor->alive() && !store_.exit_status(ctid, st->init_pid))
        if (!backoff.sleep()) break;
}

}  // namespace ct::openvz
