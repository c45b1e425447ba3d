// backends, list, info, ps, stats: the commands that show things. Each has a stable --json
// form (docs/ct.1.md).
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "ct/json.hpp"

namespace ct::cli {
namespace {

std::string join(const std::vector<std::string> &v, const char *sep) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string command_line(const std::vector<std::string> &args) {
    std::string out;
    for (const auto &a : args) {
        bool plain = !a.empty() && a.find_first_of(" \t\"'\\$") == std::string::npos;
        out += (out.empty() ? "" : " ") + (plain ? a : "'" + a + "'");
    }
    return out;
}

// A table whose columns are as wide as their widest cell.
class Table {
  public:
    explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream &os) const {
        std::vector<size_t> w;
        for (const auto &r : rows_)
            for (size_t i = 0; i < r.size(); ++i) {
                if (w.size() <= i) w.push_back(0);
                w[i] = std::max(w[i], r[i].size());
            }
        for (const auto &r : rows_) {
            std::string line;
            for (size_t i = 0; i < r.size(); ++i)
                line += i + 1 == r.size() ? r[i] : r[i] + std::string(w[i] - r[i].size() + 2, ' ');
            os << line << "\n";
        }
    }

  private:
    std::vector<std::vector<std::string>> rows_;
};

std::string status_text(const ContainerInfo &i) {
    std::string s = state_name(i.state);
    if (i.state == State::stopped && i.exit_status)
        s += i.exit_status->signaled ? " (" + signal_name(i.exit_status->code) + ")"
                                     : " (" + std::to_string(i.exit_status->code) + ")";
    return s;
}

int cmd_backends(Context &ctx) {
    static const char kSyn[] = "backends [--json]";
    static const char kSum[] =
        "Lists the backends found in the search path: version, driver ABI, URI schemes,\n"
        "capabilities and operations, and why a file could not be loaded.";
    bool json = false;
    po::options_description desc("Options");
    desc.add_options()("json", po::bool_switch(&json), "print JSON");
    po::variables_map vm;
    if (!parse(ctx, desc, {}, vm, kSyn, kSum)) return kOk;
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

int cmd_list(Context &ctx) {
    static const char kSyn[] = "list [--json] [--quiet]";
    static const char kSum[] = "Lists the containers of the backend (and state root).";
    bool json = false, quiet = false;
    po::options_description desc("Options");
    desc.add_options()("json", po::bool_switch(&json), "print JSON: an array of info objects")(
        "quiet,q", po::bool_switch(&quiet), "print names only");
    po::variables_map vm;
    if (!parse(ctx, desc, {}, vm, kSyn, kSum)) return kOk;
    auto list = ctx.session().list();
    if (json) {
        std::cout << to_json(list) << "\n";
        return kOk;
    }
    if (quiet) {
        for (const auto &i : list) std::cout << i.name << "\n";
        return kOk;
    }
    Table t({"NAME", "STATE", "PID", "CREATED", "COMMAND"});
    for (const auto &i : list)
        t.add({i.name, status_text(i), i.pid ? std::to_string(i.pid) : "-", format_time(i.created),
               command_line(i.spec.process.args)});
    t.print(std::cout);
    return kOk;
}

int one_container(Context &ctx, const char *syn, const char *sum, bool &json, std::string &name) {
    po::options_description desc("Options");
    desc.add_options()("name", po::value(&name)->required(), "container")(
        "json", po::bool_switch(&json), "print JSON");
    po::positional_options_description pos;
    pos.add("name", 1);
    po::variables_map vm;
    return parse(ctx, desc, pos, vm, syn, sum) ? 1 : 0;
}

int cmd_info(Context &ctx) {
    bool json = false;
    std::string name;
    if (!one_container(ctx, "info NAME [--json]",
                       "Shows a container: state, init pid, exit status, spec and backend details.",
                       json, name))
        return kOk;
    auto i = ctx.session().get(name).info();
    if (json) {
        std::cout << to_json(i) << "\n";
        return kOk;
    }
    const auto &s = i.spec;
    std::cout << "name:      " << i.name << "\n"
              << "backend:   " << i.backend << " (" << ctx.session().uri() << ")\n"
              << "state:     " << status_text(i) << "\n"
              << "pid:       " << (i.pid ? std::to_string(i.pid) : "-") << "\n"
              << "created:   " << format_time(i.created) << "\n"
              << "rootfs:    " << s.rootfs << (s.readonly_rootfs ? " (read-only)" : "") << "\n"
              << "command:   " << command_line(s.process.args) << "\n";
    if (!s.hostname.empty()) std::cout << "hostname:  " << s.hostname << "\n";
    std::vector<std::string> ns;
    for (const auto &n : s.effective_namespaces())
        ns.push_back(std::string(namespace_name(n.type)) + (n.path.empty() ? "" : "=" + n.path));
    std::cout << "namespaces: " << join(ns, " ") << "\n";
    const auto &r = s.resources;
    if (r.memory) std::cout << "memory:    " << format_bytes(*r.memory) << "\n";
    if (r.pids)
        std::cout << "pids:      " << (*r.pids < 0 ? "unlimited" : std::to_string(*r.pids)) << "\n";
    if (r.cpu.shares) std::cout << "cpu shares: " << *r.cpu.shares << "\n";
    if (r.cpu.quota_us)
        std::cout << "cpu quota: " << *r.cpu.quota_us << "/" << r.cpu.period_us.value_or(100000)
                  << " us\n";
    for (const auto &m : s.mounts)
        std::cout << "mount:     " << m.source << " -> " << m.target << " (" << m.type
                  << (m.options.empty() ? "" : ", " + join(m.options, ",")) << ")\n";
    for (const auto &n : s.network)
        std::cout << "net:       " << n.type << " " << (n.name.empty() ? n.host_name : n.name)
                  << (n.addresses.empty() ? "" : " " + join(n.addresses, " ")) << "\n";
    for (const auto &[k, v] : i.details) std::cout << k << ": " << v << "\n";
    return kOk;
}

int cmd_ps(Context &ctx) {
    bool json = false;
    std::string name;
    if (!one_container(ctx, "ps NAME [--json]",
                       "Lists the processes of a container: host pid, pid inside, command.", json,
                       name))
        return kOk;
    auto ps = ctx.session().get(name).processes();
    if (json) {
        std::cout << to_json(ps) << "\n";
        return kOk;
    }
    Table t({"PID", "NSPID", "COMMAND"});
    for (const auto &p : ps) t.add({std::to_string(p.pid), std::to_string(p.ns_pid), p.command});
    t.print(std::cout);
    return kOk;
}

int cmd_stats(Context &ctx) {
    bool json = false;
    std::string name;
    if (!one_container(ctx, "stats NAME [--json]",
                       "Shows resource usage: CPU time, memory, tasks, block I/O, network.", json,
                       name))
        return kOk;
    auto s = ctx.session().get(name).stats();
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
        {"backends", "backends [--json]", "list backends, their versions and capabilities",
         cmd_backends},
        {"list", "list [--json] [-q]", "list containers", cmd_list},
        {"info", "info NAME [--json]", "show a container", cmd_info},
        {"ps", "ps NAME [--json]", "list a container's processes", cmd_ps},
        {"stats", "stats NAME [--json]", "show a container's resource usage", cmd_stats},
    };
    return kCmds;
}

}  // namespace ct::cli
