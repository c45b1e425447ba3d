// ct: the command-line front end of libct (docs/ct.1.md).
#include <cstring>
#include <iostream>

#include "cli.hpp"
#include "ct/version.hpp"

namespace ct::cli {

const std::vector<Command> &run_commands();
const std::vector<Command> &query_commands();
const std::vector<Command> &control_commands();

const std::vector<Command> &commands() {
    static const std::vector<Command> all = [] {
        std::vector<Command> v;
        for (const auto *group : {&run_commands(), &query_commands(), &control_commands()})
            v.insert(v.end(), group->begin(), group->end());
        return v;
    }();
    return all;
}

namespace {

void usage(std::ostream &os) {
    os << "Usage: ct [-c URI] COMMAND [ARGS...]\n\n"
          "Runs and manages containers through libct, on the backend chosen by URI:\n"
          "  linux:///                  native namespaces and cgroups (default; alias local)\n"
          "  openvz:///                 an OpenVZ host\n"
          "  BACKEND+ssh://[user@]host[:port]/   BACKEND on another machine over SSH\n\n"
          "Global options:\n"
          "  -c, --connect URI   backend URI (default: $CT_CONNECT, else linux:///)\n"
          "  -h, --help          this help; `ct COMMAND --help` for a command's options\n"
          "  --version           print the version\n\n"
          "Commands:\n";
    for (const auto &c : commands()) {
        std::string syn = c.synopsis;
        os << "  " << syn << std::string(syn.size() < 44 ? 44 - syn.size() : 1, ' ') << c.summary
           << "\n";
    }
    os << "\nExit status: run and exec exit with the command's code (125: ct failed, 126: not\n"
          "executable, 127: not found); other commands 0 on success, 1 on failure, 2 on a\n"
          "usage error. See ct(1) (docs/ct.1.md).\n";
}

}  // namespace

int main(int argc, char **argv) {
    Context ctx;
    int i = 1;
    // Global options come before the command; -c is also accepted after it.
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
                std::cerr << "ct: " << a << " needs a URI\n";
                return kUsage;
            }
            ctx.connect = argv[++i];
        } else if (a.rfind("--connect=", 0) == 0) {
            ctx.connect = a.substr(10);
        } else if (a.size() > 2 && a.rfind("-c", 0) == 0) {
            ctx.connect = a.substr(2);
        } else if (!a.empty() && a[0] == '-') {
            std::cerr << "ct: unknown option '" << a << "' (ct --help lists them)\n";
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
    for (; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--") && !ctx.had_separator) {
            ctx.had_separator = true;
            continue;
        }
        (ctx.had_separator ? ctx.trailing : ctx.args).push_back(argv[i]);
    }
    const Command *cmd = nullptr;
    for (const auto &c : commands())
        if (ctx.command == c.name) cmd = &c;
    if (!cmd) {
        std::cerr << "ct: unknown command '" << ctx.command << "' (ct --help lists them)\n";
        return kUsage;
    }
    bool takes_command = ctx.command == "run" || ctx.command == "create" || ctx.command == "exec";
    if (ctx.had_separator && !takes_command) {
        std::cerr << "ct " << ctx.command << ": unexpected '--' and arguments after it\n";
        return kUsage;
    }
    bool runs_process = ctx.command == "run" || ctx.command == "exec";
    try {
        return cmd->run(ctx);
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
