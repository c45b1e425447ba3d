#include "cli.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "ct/error.hpp"

namespace ct::oci {
namespace {

struct Option {
    const char *name;
    char kind;  // 'v': takes a value, 'b': boolean
    const char *alias;
};

struct Command {
    const char *name;
    std::vector<Option> options;
    const char *synopsis;
};

const std::vector<Option> kCreate = {
    {"bundle", 'v', "b"},       {"pid-file", 'v', nullptr},       {"console-socket", 'v', nullptr},
    {"no-pivot", 'b', nullptr}, {"no-new-keyring", 'b', nullptr}, {"preserve-fds", 'v', nullptr}};

std::vector<Option> with(std::vector<Option> base, const std::vector<Option> &more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
}

const std::vector<Command> &commands() {
    static const std::vector<Command> kCommands = {
        {"create", kCreate, "create [--bundle B] [--pid-file F] [--console-socket S] ID"},
        {"start", {}, "start ID"},
        {"run",
         with(kCreate,
              {{"detach", 'b', "d"}, {"keep", 'b', nullptr}, {"no-subreaper", 'b', nullptr}}),
         "run [--bundle B] [--detach] [--pid-file F] [--console-socket S] ID"},
        {"state", {}, "state ID"},
        {"kill", {{"all", 'b', "a"}}, "kill [--all] ID [SIGNAL]"},
        {"delete", {{"force", 'b', "f"}}, "delete [--force] ID"},
        {"list", {{"format", 'v', "f"}, {"quiet", 'b', "q"}}, "list [--format table|json] [-q]"},
        {"ps", {{"format", 'v', "f"}}, "ps [--format table|json] ID"},
        {"exec",
         {{"process", 'v', "p"},
          {"detach", 'b', "d"},
          {"pid-file", 'v', nullptr},
          {"console-socket", 'v', nullptr},
          {"tty", 'b', "t"},
          {"cwd", 'v', nullptr},
          {"env", 'v', "e"},
          {"user", 'v', "u"},
          {"additional-gids", 'v', "g"},
          {"cap", 'v', "c"},
          {"no-new-privs", 'b', nullptr},
          {"process-label", 'v', nullptr},
          {"apparmor", 'v', nullptr},
          {"preserve-fds", 'v', nullptr},
          {"cgroup", 'v', nullptr},
          {"ignore-paused", 'b', nullptr}},
         "exec [--process P.json | ID CMD...] [--detach] [--pid-file F] [--tty] ..."},
        {"pause", {}, "pause ID"},
        {"resume", {}, "resume ID"},
        {"update",
         {{"resources", 'v', "r"},
          {"memory", 'v', nullptr},
          {"memory-swap", 'v', nullptr},
          {"memory-reservation", 'v', nullptr},
          {"kernel-memory", 'v', nullptr},
          {"kernel-memory-tcp", 'v', nullptr},
          {"cpu-share", 'v', nullptr},
          {"cpu-shares", 'v', nullptr},
          {"cpu-quota", 'v', nullptr},
          {"cpu-period", 'v', nullptr},
          {"cpu-rt-period", 'v', nullptr},
          {"cpu-rt-runtime", 'v', nullptr},
          {"cpuset-cpus", 'v', nullptr},
          {"cpuset-mems", 'v', nullptr},
          {"pids-limit", 'v', nullptr},
          {"blkio-weight", 'v', nullptr},
          {"l3-cache-schema", 'v', nullptr},
          {"mem-bw-schema", 'v', nullptr}},
         "update [--resources R.json | --memory N ...] ID"},
        {"events",
         {{"stats", 'b', nullptr}, {"interval", 'v', nullptr}},
         "events [--stats] [--interval 5s] ID"},
        {"checkpoint",
         {{"image-path", 'v', nullptr},
          {"work-path", 'v', nullptr},
          {"parent-path", 'v', nullptr},
          {"leave-running", 'b', nullptr},
          {"tcp-established", 'b', nullptr},
          {"ext-unix-sk", 'b', nullptr},
          {"shell-job", 'b', nullptr},
          {"lazy-pages", 'b', nullptr},
          {"status-fd", 'v', nullptr},
          {"page-server", 'v', nullptr},
          {"file-locks", 'b', nullptr},
          {"pre-dump", 'b', nullptr},
          {"manage-cgroups-mode", 'v', nullptr},
          {"empty-ns", 'v', nullptr},
          {"auto-dedup", 'b', nullptr}},
         "checkpoint --image-path D [--work-path W] [--leave-running] ... ID"},
        {"restore",
         {{"image-path", 'v', nullptr},
          {"work-path", 'v', nullptr},
          {"tcp-established", 'b', nullptr},
          {"ext-unix-sk", 'b', nullptr},
          {"shell-job", 'b', nullptr},
          {"file-locks", 'b', nullptr},
          {"manage-cgroups-mode", 'v', nullptr},
          {"bundle", 'v', "b"},
          {"detach", 'b', "d"},
          {"pid-file", 'v', nullptr},
          {"no-subreaper", 'b', nullptr},
          {"no-pivot", 'b', nullptr},
          {"empty-ns", 'v', nullptr},
          {"auto-dedup", 'b', nullptr},
          {"lazy-pages", 'b', nullptr},
          {"lsm-profile", 'v', nullptr},
          {"lsm-mount-context", 'v', nullptr},
          {"console-socket", 'v', nullptr}},
         "restore --image-path D --bundle B [--detach] [--pid-file F] ID"},
        {"features", {}, "features"},
        {"spec", {{"bundle", 'v', "b"}, {"rootless", 'b', nullptr}}, "spec [--bundle B]"},
    };
    return kCommands;
}

const std::vector<Option> kGlobal = {{"root", 'v', nullptr},           {"log", 'v', nullptr},
                                     {"log-format", 'v', nullptr},     {"debug", 'b', nullptr},
                                     {"systemd-cgroup", 'b', nullptr}, {"criu", 'v', nullptr},
                                     {"rootless", 'v', nullptr}};

[[noreturn]] void bad(const std::string &why) {
    throw Error(Errc::invalid_argument, why);
}

// Reads argv[i] as an option of `opts` if it is one. Returns false for a positional argument.
// `where` prefixes errors ("update: "; "" for the global options): the log adds "ct-oci: ".
bool read_option(const std::vector<Option> &opts, int argc, char **argv, int &i,
                 std::map<std::string, std::vector<std::string>> &values,
                 std::map<std::string, bool> &flags, const std::string &where) {
    std::string a = argv[i];
    if (a.size() < 2 || a[0] != '-' || a == "--") return false;
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
    }
    for (const auto &o : opts) {
        if (name != o.name && !(o.alias && name == o.alias)) continue;
        if (o.kind == 'b') {
            if (inline_value && value != "true" && value != "false")
                bad(where + "--" + o.name + " takes true or false, not '" + value + "'");
            flags[o.name] = !inline_value || value == "true";
        } else {
            if (!inline_value) {
                if (i + 1 >= argc) bad(where + "--" + std::string(o.name) + " needs a value");
                value = argv[++i];
            }
            values[o.name].push_back(value);
        }
        return true;
    }
    bad(where + "unknown option '" + a + "'");
}

}  // namespace

bool CommandLine::flag(const std::string &name) const {
    auto it = flags.find(name);
    return it != flags.end() && it->second;
}

std::string CommandLine::value(const std::string &name, const std::string &fallback) const {
    auto it = values.find(name);
    return it == values.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string> &CommandLine::all(const std::string &name) const {
    static const std::vector<std::string> kNone;
    auto it = values.find(name);
    return it == values.end() ? kNone : it->second;
}

namespace {

// Whether this process is in a user namespace other than the initial one (whose uid_map is
// the whole range, "0 0 4294967295").
bool in_user_namespace() {
    std::ifstream in("/proc/self/uid_map");
    unsigned long long inside = 0, outside = 0, count = 0;
    if (!(in >> inside >> outside >> count)) return false;
    return !(inside == 0 && outside == 0 && count == 4294967295ULL);
}

}  // namespace

std::string default_root() {
    const char *xdg = std::getenv("XDG_RUNTIME_DIR");
    bool rootless = false;
    if (xdg && *xdg == '/') {
        if (::geteuid() != 0) {
            rootless = true;
        } else if (in_user_namespace()) {
            const char *user = std::getenv("USER");
            rootless = !user || std::string(user) != "root";
        }
    }
    return rootless ? std::string(xdg) + "/ct-oci" : "/run/ct-oci";
}

void parse_command_line(int argc, char **argv, CommandLine &cl) {
    std::map<std::string, std::vector<std::string>> gv;
    std::map<std::string, bool> gf;
    int i = 1;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--version" || a == "-v" || a == "-version") {
            cl.command = "version";
            return;
        }
        if (a == "--help" || a == "-h" || a == "-help" || a == "help") {
            cl.command = "help";
            return;
        }
        if (!read_option(kGlobal, argc, argv, i, gv, gf, "")) break;
    }
    if (auto it = gv.find("root"); it != gv.end()) cl.global.root = it->second.back();
    if (auto it = gv.find("log"); it != gv.end()) cl.global.log = it->second.back();
    if (auto it = gv.find("log-format"); it != gv.end()) {
        cl.global.log_format = it->second.back();
        if (cl.global.log_format != "text" && cl.global.log_format != "json") {
            std::string given = cl.global.log_format;
            cl.global.log_format = "text";
            bad("--log-format must be text or json, not '" + given + "'");
        }
    }
    if (auto it = gv.find("criu"); it != gv.end()) cl.global.criu = it->second.back();
    cl.global.debug = gf["debug"];
    cl.global.systemd_cgroup = gf["systemd-cgroup"];
    if (i >= argc) bad("no command given (ct-oci --help lists them)");
    cl.command = argv[i++];
    const Command *cmd = nullptr;
    for (const auto &c : commands())
        if (cl.command == c.name) cmd = &c;
    if (!cmd) bad("unknown command '" + cl.command + "' (ct-oci --help lists them)");
    bool options_done = false;
    for (; i < argc; ++i) {
        if (!options_done && std::strcmp(argv[i], "--") == 0) {
            options_done = true;
            continue;
        }
        // Options may follow the ID as well (Go's urfave/cli stops at the first argument; the
        // engines never rely on that), but not the command of `exec ID CMD...`.
        bool exec_command = cl.command == "exec" && !cl.args.empty();
        // `COMMAND --help` succeeds: engines probe a runtime's commands so (Podman runs
        // `checkpoint --help` to learn whether it can checkpoint).
        if (!options_done && !exec_command &&
            (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0)) {
            cl.args = {cl.command};
            cl.command = "help";
            return;
        }
        if (!options_done && !exec_command &&
            read_option(cmd->options, argc, argv, i, cl.values, cl.flags, cl.command + ": "))
            continue;
        cl.args.push_back(argv[i]);
    }
}

std::string usage(const std::string &command) {
    for (const auto &c : commands())
        if (command == c.name) {
            std::string u = "usage: ct-oci [GLOBAL OPTIONS] " + std::string(c.synopsis) + "\n";
            if (!c.options.empty()) u += "options:";
            for (const auto &o : c.options) u += std::string(" --") + o.name;
            return u + (c.options.empty() ? "" : "\n");
        }
    std::string u =
        "ct-oci: libct as an OCI runtime (runc's command line; docs/oci.md)\n\n"
        "usage: ct-oci [--root DIR] [--log FILE] [--log-format text|json] [--debug]\n"
        "              [--systemd-cgroup] COMMAND [OPTIONS] [ARGS]\n\ncommands:\n";
    for (const auto &c : commands()) u += "  " + std::string(c.synopsis) + "\n";
    return u;
}

}  // namespace ct::oci
