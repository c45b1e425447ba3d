// create, start, run, state, kill, delete, list, ps: the OCI life cycle.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "ct/error.hpp"
#include "state.hpp"

namespace ct::oci {
namespace {

// The container of a bundle, made and left in state created, or running with `run`.
struct Made {
    Container container;
    int64_t pid;
};

Made make(Context &c, bool defer) {
    std::string id = c.id();
    std::string bundle = absolute(c.cl.value("bundle", "."));
    Spec spec = bundle_spec(c, id, bundle);
    spec.inherit_keyring = c.cl.flag("no-new-keyring");
    ProcessIo io;
    setup_io(c, spec.process.terminal, io);
    io.options.defer_exec = defer;
    Container ct = [&] {
        try {
            return c.session().create(spec);
        } catch (const Error &e) {
            if (e.code() == Errc::exists)
                throw Error(Errc::exists, "container with id exists: " + id);
            throw;
        }
    }();
    c.log.debug("created container " + id + " from " + bundle);
    try {
        int64_t pid = ct.start(io.options);
        write_pid_file(c.cl.value("pid-file"), pid);
        return {ct, pid};
    } catch (...) {
        // Nothing of a failed create stays: its process (if any), cgroups and state go.
        try {
            ct.destroy(true);
        } catch (const Error &e) {
            c.log.warning("cleaning up container " + id + ": " + e.what());
        }
        throw;
    }
}

int64_t g_run_pid = 0;

void forward_signal(int sig) {
    if (g_run_pid > 0) ::kill(static_cast<pid_t>(g_run_pid), sig);
}

}  // namespace

int cmd_create(Context &c) {
    make(c, true);
    return 0;
}

int cmd_start(Context &c) {
    Container ct = c.container(c.id());
    ContainerInfo info = ct.info();
    std::string status = oci_status(info);
    if (status == "running" || status == "paused")
        throw Error(Errc::bad_state, "cannot start an already running container " + info.name);
    if (status == "stopped")
        throw Error(Errc::bad_state, "cannot start a container that has stopped: " + info.name);
    if (info.pid == 0)
        throw Error(Errc::bad_state, "container " + info.name +
                                         " was not made by create: it has no process waiting");
    ct.start();
    return 0;
}

int cmd_run(Context &c) {
    bool detach = c.cl.flag("detach");
    Made m = make(c, false);
    if (detach) return 0;
    // In the foreground: our signals go to the container, as runc's do.
    g_run_pid = m.pid;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
        ::signal(sig, forward_signal);
    ExitStatus st = m.container.wait();
    if (!c.cl.flag("keep")) m.container.destroy(true);
    return st.shell_code();
}

int cmd_state(Context &c) {
    std::cout << state_json(c.container(c.id()).info()).dump(2) << "\n";
    return 0;
}

int cmd_kill(Context &c) {
    if (c.cl.args.empty() || c.cl.args.size() > 2)
        throw Error(Errc::invalid_argument, "kill: expected ID [SIGNAL]");
    std::string id = c.cl.args[0];
    int sig = parse_signal(c.cl.args.size() == 2 ? c.cl.args[1] : "SIGTERM");
    Container ct = c.container(id);
    if (sig == 0) {  // nothing is sent: the answer is whether it has processes (runc's)
        std::string status = oci_status(ct.info());
        if (status == "stopped") throw Error(Errc::bad_state, "container not running: " + id);
        return 0;
    }
    try {
        ct.kill(sig, c.cl.flag("all"));
    } catch (const Error &e) {
        if (e.code() != Errc::bad_state) throw;
        // --all of a container that is not running has nothing to signal, and is no error
        // (runc's; a shim sends it on every stop of a container sharing a pid namespace).
        if (c.cl.flag("all")) return 0;
        // The words engines look for (containerd's shim: "container not running").
        throw Error(Errc::bad_state, "container not running: " + std::string(e.what()));
    }
    return 0;
}

int cmd_delete(Context &c) {
    std::string id = c.id();
    bool force = c.cl.flag("force");
    std::optional<Container> ct;
    try {
        ct = c.container(id);
    } catch (const Error &e) {
        if (e.code() == Errc::not_found && force) return 0;
        throw;
    }
    std::string status = oci_status(ct->info());
    // A created container's process only waits: delete takes it down, as runc's does.
    if ((status == "running" || status == "paused") && !force)
        throw Error(Errc::bad_state,
                    "cannot delete container " + id + " that is not stopped: " + status);
    ct->destroy(true);
    return 0;
}

int cmd_list(Context &c) {
    std::vector<ContainerInfo> all = c.session().list();
    std::string format = c.cl.value("format", "table");
    if (format == "json") {
        nlohmann::json a = nlohmann::json::array();
        for (const auto &i : all) a.push_back(state_json(i));
        std::cout << a.dump() << "\n";
        return 0;
    }
    if (format != "table")
        throw Error(Errc::invalid_argument, "list: --format must be table or json");
    if (c.cl.flag("quiet")) {
        for (const auto &i : all) std::cout << i.name << "\n";
        return 0;
    }
    std::printf("%-20s %-10s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
    for (const auto &i : all) {
        auto j = state_json(i);
        std::printf("%-20s %-10lld %-10s %-40s %s\n", i.name.c_str(),
                    static_cast<long long>(j["pid"].get<int64_t>()),
                    j["status"].get<std::string>().c_str(), i.spec.bundle.c_str(),
                    j["created"].get<std::string>().c_str());
    }
    return 0;
}

int cmd_ps(Context &c) {
    Container ct = c.container(c.id());
    std::vector<ProcessInfo> ps = ct.processes();
    std::string format = c.cl.value("format", "table");
    if (format == "json") {
        nlohmann::json a = nlohmann::json::array();
        for (const auto &p : ps) a.push_back(p.pid);
        std::cout << a.dump() << "\n";
        return 0;
    }
    if (format != "table")
        throw Error(Errc::invalid_argument, "ps: --format must be table or json");
    std::printf("%-10s %-10s %s\n", "PID", "NSPID", "CMD");
    for (const auto &p : ps)
        std::printf("%-10lld %-10lld %s\n", static_cast<long long>(p.pid),
                    static_cast<long long>(p.ns_pid), p.command.c_str());
    return 0;
}

}  // namespace ct::oci
