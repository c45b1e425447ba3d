// ct: the command-line front end of libct (docs/ct.1.md).
#include <cstring>
#include <iostream>
#include <optional>

#include "cli.hpp"
#include "ct/version.hpp"
#include "suggest.hpp"
#include "trace.hpp"

namespace ct::cli {

const std::vector<Command> &run_commands();
const std::vector<Command> &query_commands();
const std::vector<Command> &control_commands();
const std::vector<Command> &checkpoint_commands();
const std::vector<Command> &setup_commands();

const std::vector<Command> &commands() {
    static const std::vector<Command> all = [] {
        std::vector<Command> v;
        for (const auto *group : {&run_commands(), &query_commands(), &control_commands(),
                                  &checkpoint_commands(), &setup_commands()})
            v.insert(v.end(), group->begin(), group->end());
        return v;
    }();
    return all;
}

namespace {

void usage(std::ostream &os) {
    os << "Usage: ct [-c URI] [-v] COMMAND [ARGS...]\n\n"
          "Runs and manages containers through libct, on the backend chosen by URI:\n"
          "  linux:///                  native namespaces and cgroups (default; alias local)\n"
          "  openvz:///                 an OpenVZ host\n"
          "  BACKEND+ssh://[user@]host[:port]/   BACKEND on another machine over SSH\n\n"
          "Global options (also accepted after the command):\n"
          "  -c, --connect URI   backend URI or alias (default: $CT_CONNECT, else ct.conf's uri,\n"
          "                      else linux:///)\n"
          "  -v, --verbose       show each operation and the backend's log; -vv or --debug: more\n"
          "  -h, --help          this help; `ct help COMMAND` or `ct COMMAND --help` for one\n"
          "  --version           print the version\n\n"
          "Commands:\n";
    for (const auto &c : commands()) {
        if (c.name[0] == '_') continue;
        std::string name = c.name;
        os << "  " << name << std::string(name.size() < 12 ? 12 - name.size() : 1, ' ') << c.summary
           << "\n";
    }
    os << "\nExamples:\n"
          "  ct run --rootfs /srv/rootfs/busybox -- sh -c 'echo hello from $(hostname)'\n"
          "  ct run -d --name web1 --rootfs /srv/rootfs/busybox httpd -f -p 8080\n"
          "  ct exec web1 ps\n"
          "  ct list\n"
          "  ct destroy --force web1\n"
          "\nExit status: run and exec exit with the command's code (125: ct failed, 126: not\n"
          "executable, 127: not found); other commands 0 on success, 1 on failure, 2 on a\n"
          "usage error. See ct(1).\n";
}

int unknown_command(const std::string &name) {
    std::vector<std::string> names;
    for (const auto &c : commands())
        if (c.name[0] != '_') names.push_back(c.name);
    names.push_back("help");
    std::cerr << "ct: unknown command '" << name << "'";
    // Other tools' words (docker, podman, lxc) for ct's commands, which spelling misses.
    static const std::pair<const char *, const char *> kSynonyms[] = {
        {"stop", "kill"}, {"rm", "destroy"},   {"remove", "destroy"}, {"delete", "destroy"},
        {"ls", "list"},   {"inspect", "info"}, {"top", "ps"},         {"unpause", "resume"}};
    std::optional<std::string> hint = closest(name, names);
    for (const auto &[word, command] : kSynonyms)
        if (name == word) hint = command;
    if (hint) std::cerr << "; did you mean '" << *hint << "'?";
    std::cerr << "\nTry 'ct --help' for the list of commands.\n";
    return kUsage;
}

// `ct help [COMMAND]`: the same as `ct --help` and `ct COMMAND --help`.
int help(Context &ctx) {
    if (ctx.args.empty() || ctx.args[0] == "--help" || ctx.args[0] == "-h" ||
        ctx.args[0] == "help") {
        usage(std::cout);
        return kOk;
    }
    if (ctx.args.size() > 1) {
        std::cerr << "ct help: one COMMAND at a time (usage: ct help [COMMAND])\n";
        return kUsage;
    }
    const Command *cmd = find_command(ctx.args[0]);
    if (!cmd || ctx.args[0][0] == '_') return unknown_command(ctx.args[0]);
    ctx.cmd = cmd;
    ctx.command = cmd->name;
    ctx.args = {"--help"};
    return cmd->run(ctx);
}

}  // namespace

int main(int argc, char **argv) {
    Context ctx;
    int i = 1;
    // Global options come before the command; they are also accepted after it.
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            usage(std::cout);
            return kOk;
        }
        if (a == "--version") {
            std::cout << "ct " << CT_VERSION << "\n";
            return kOk;
        }
        if (a == "-c" || a == "--connect") {
            if (i + 1 >= argc) {
                std::cerr << "ct: option '" << a << "' needs a value: " << a
                          << " URI (e.g. -c linux:///)\n";
                return kUsage;
            }
            ctx.connect = argv[++i];
        } else if (a.rfind("--connect=", 0) == 0) {
            ctx.connect = a.substr(10);
        } else if (a.size() > 2 && a.rfind("-c", 0) == 0) {
            ctx.connect = a.substr(2);
        } else if (a == "--debug") {
            ctx.verbosity = 2;
        } else if (a.size() > 1 && a.find_first_not_of('v', 1) == std::string::npos &&
                   a[0] == '-') {
            ctx.verbosity += static_cast<int>(a.size() - 1);  // -v, -vv
        } else if (a == "--verbose") {
            ++ctx.verbosity;
        } else if (!a.empty() && a[0] == '-') {
            std::cerr << "ct: unknown option '" << a << "' before the command";
            if (auto s = closest(a, {"--connect", "--verbose", "--debug", "--help", "--version"}))
                std::cerr << "; did you mean '" << *s << "'?";
            std::cerr << "\nTry 'ct --help'.\n";
            return kUsage;
        } else {
            break;
        }
    }
    if (i >= argc) {
        usage(std::cerr);
        return kUsage;
    }
    ctx.command = argv[i++];
    ctx.args.assign(argv + i, argv + argc);
    if (ctx.command == "help") return help(ctx);
    ctx.cmd = find_command(ctx.command);
    if (!ctx.cmd) return unknown_command(ctx.command);
    set_verbosity(ctx.verbosity);
    bool runs_process = ctx.command == "run" || ctx.command == "exec";
    try {
        return ctx.cmd->run(ctx);
    } catch (const UsageError &e) {
        std::cerr << "ct " << ctx.command << ": " << e.what() << "\nTry 'ct " << ctx.command
                  << " --help'.\n";
        return kUsage;
    } catch (const Error &e) {
        report(e);
        return runs_process ? exit_code_for(e) : kFailed;
    } catch (const std::exception &e) {
        report(e);
        return runs_process ? kRunFailed : kFailed;
    }
}

}  // namespace ct::cli

int main(int argc, char **argv) {
    return ct::cli::main(argc, argv);
}
