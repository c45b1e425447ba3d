// backends, list, info, ps, stats: the commands that show things. Each has a stable --json
// form (docs/ct.1.md).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "ct/json.hpp"
#include "info_text.hpp"
#include "table.hpp"
#include "trace.hpp"

namespace ct::cli {
namespace {

std::string join(const std::vector<std::string> &v, const char *sep) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

int cmd_backends(Context &ctx) {
    bool json = false;
    po::options_description desc;
    desc.add_options()("json", po::bool_switch(&json), "print JSON");
    po::variables_map vm;
    if (!parse(ctx, desc, {}, vm)) return kOk;
    auto list = list_backends();
    if (json) {
        std::cout << to_json(list) << "\n";
        return kOk;
    }
    std::cout << "search path: " << join(backend_search_path(), ":") << "\n\n";
    Table t({"NAME", "VERSION", "ABI", "SCHEMES", "PATH"});
    for (const auto &b : list)
        t.add({b.name, b.load_error.empty() ? b.version : "-",
               b.load_error.empty()
                   ? std::to_string(b.abi_major) + "." + std::to_string(b.abi_minor)
                   : "-",
               join(b.schemes, ","), b.path});
    t.print(std::cout);
    for (const auto &b : list) {
        std::cout << "\n" << b.name << ": ";
        if (!b.load_error.empty()) {
            std::cout << "cannot be used: " << b.load_error << "\n";
            continue;
        }
        std::cout << b.description << "\n  capabilities: " << join(b.capabilities, " ")
                  << "\n  operations:   " << join(b.operations, " ") << "\n";
    }
    return kOk;
}

// The container's addresses, without their prefix lengths: "host" when it shares the host's
// network, "-" when it has only loopback.
std::string addresses(const Spec &s) {
    if (!s.has_namespace(Namespace::net)) return "host";
    std::vector<std::string> out;
    for (const auto &n : s.network)
        for (const auto &a : n.addresses) out.push_back(a.substr(0, a.find('/')));
    return out.empty() ? "-" : join(out, ",");
}

int cmd_list(Context &ctx) {
    bool json = false, quiet = false;
    po::options_description desc;
    desc.add_options()("json", po::bool_switch(&json), "print JSON: an array of info objects")(
        "quiet,q", po::bool_switch(&quiet), "print names only, one per line");
    po::variables_map vm;
    if (!parse(ctx, desc, {}, vm)) return kOk;
    auto &session = ctx.session();
    auto list = step("list containers", [&] { return session.list(); });
    if (json) {
        std::cout << to_json(list) << "\n";
        return kOk;
    }
    if (quiet) {
        for (const auto &i : list) std::cout << i.name << "\n";
        return kOk;
    }
    Table t({"NAME", "STATE", "PID", "CREATED", "ADDRESS", "COMMAND"});
    for (const auto &i : list)
        t.add({i.name, status_text(i), i.pid ? std::to_string(i.pid) : "-", format_time(i.created),
               addresses(i.spec), command_line(i.spec.process.args)});
    t.print(std::cout);
    return kOk;
}

int cmd_info(Context &ctx) {
    bool json = false;
    po::options_description desc;
    desc.add_options()("json", po::bool_switch(&json),
                       "print JSON: an object, or an array of them for several containers");
    po::variables_map vm;
    if (!parse(ctx, desc, {1, -1}, vm)) return kOk;
    std::vector<ContainerInfo> infos;
    int rc = for_each_name(ctx, [&](const std::string &name) {
        auto c = ctx.session().get(name);
        infos.push_back(step("info of container '" + name + "'", [&] { return c.info(); }));
    });
    if (json) {
        if (ctx.operands.size() == 1 && infos.size() == 1)
            std::cout << to_json(infos[0]) << "\n";
        else
            std::cout << to_json(infos) << "\n";
        return rc;
    }
    for (size_t k = 0; k < infos.size(); ++k) {
        if (k) std::cout << "\n";
        print_info(std::cout, infos[k], ctx.session().uri());
    }
    return rc;
}

int cmd_ps(Context &ctx) {
    bool json = false;
    po::options_description desc;
    desc.add_options()("json", po::bool_switch(&json), "print JSON");
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1}, vm)) return kOk;
    auto c = ctx.session().get(ctx.operands[0]);
    auto ps = step("processes of container '" + c.name() + "'", [&] { return c.processes(); });
    if (json) {
        std::cout << to_json(ps) << "\n";
        return kOk;
    }
    Table t({"PID", "NSPID", "COMMAND"});
    for (const auto &p : ps) {
        // One row per process even when its arguments hold a newline.
        bool control = std::any_of(p.command.begin(), p.command.end(),
                                   [](char ch) { return static_cast<unsigned char>(ch) < 0x20; });
        t.add({std::to_string(p.pid), std::to_string(p.ns_pid),
               control ? shell_quote(p.command) : p.command});
    }
    t.print(std::cout);
    return kOk;
}

int cmd_stats(Context &ctx) {
    bool json = false;
    po::options_description desc;
    desc.add_options()("json", po::bool_switch(&json), "print JSON");
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1}, vm)) return kOk;
    auto c = ctx.session().get(ctx.operands[0]);
    auto s = step("stats of container '" + c.name() + "'", [&] { return c.stats(); });
    if (json) {
        std::cout << to_json(s) << "\n";
        return kOk;
    }
    auto secs = [](uint64_t ns) {
        std::ostringstream o;
        o << std::fixed << std::setprecision(3) << static_cast<double>(ns) / 1e9 << " s";
        return o.str();
    };
    std::cout << "cpu:     " << secs(s.cpu.usage_ns) << " (user " << secs(s.cpu.user_ns)
              << ", system " << secs(s.cpu.system_ns) << ")\n"
              << "memory:  " << format_bytes(static_cast<int64_t>(s.memory.usage)) << " of "
              << format_bytes(s.memory.limit) << " (max "
              << format_bytes(static_cast<int64_t>(s.memory.max_usage)) << ", failcnt "
              << s.memory.failcnt << ", oom kills " << s.memory.oom_kills << ")\n"
              << "pids:    " << s.pids.current << " of "
              << (s.pids.limit < 0 ? "unlimited" : std::to_string(s.pids.limit)) << "\n"
              << "io:      read " << format_bytes(static_cast<int64_t>(s.io.read_bytes))
              << ", written " << format_bytes(static_cast<int64_t>(s.io.write_bytes)) << "\n";
    for (const auto &[ifname, n] : s.network)
        std::cout << "net " << ifname << ": rx " << format_bytes(static_cast<int64_t>(n.rx_bytes))
                  << " (" << n.rx_packets << " packets), tx "
                  << format_bytes(static_cast<int64_t>(n.tx_bytes)) << " (" << n.tx_packets
                  << " packets)\n";
    return kOk;
}

}  // namespace

const std::vector<Command> &query_commands() {
    static const std::vector<Command> kCmds = {
        {"backends", "backends [OPTIONS]", "list backends, their versions and capabilities",
         "Lists the backends found in the search path ($CT_BACKEND_PATH, then beside libct.so,\n"
         "then the installed directory): version, driver ABI, URI schemes, capabilities and\n"
         "operations, and why a file could not be loaded. Opens no session.",
         "ct backends\n"
         "ct backends --json",
         cmd_backends},
        {"list", "list [OPTIONS]", "list containers",
         "Lists the containers of the backend and state root: name, state (with the exit code\n"
         "of a stopped one), init's pid, creation time, addresses and command.",
         "ct list\n"
         "ct list -q\n"
         "ct list --json",
         cmd_list},
        {"info", "info [OPTIONS] NAME...", "show containers",
         "Shows each container: state, init's pid, exit status, its whole spec (limits, mounts,\n"
         "interfaces, process, security settings) and the backend's details (state directory,\n"
         "cgroups, confinement in effect): all that --json prints.",
         "ct info web1\n"
         "ct info web1 --json",
         cmd_info},
        {"ps", "ps [OPTIONS] NAME", "list a container's processes",
         "Lists the processes of a container: host pid, pid inside, command line.", "ct ps web1",
         cmd_ps},
        {"stats", "stats [OPTIONS] NAME", "show a container's resource usage",
         "Shows resource usage: CPU time, memory, tasks, block I/O, network.",
         "ct stats web1\n"
         "ct stats web1 --json",
         cmd_stats},
    };
    return kCmds;
}

}  // namespace ct::cli
