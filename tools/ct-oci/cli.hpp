// ct-oci's command line, read the way engines write it for runc: global options, a command,
// its options and its arguments. Options are --name VALUE, --name=VALUE, or with one dash
// (Go's flag syntax); booleans may be --name=true/false.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ct::oci {

// The state directory without --root: /run/ct-oci for root, $XDG_RUNTIME_DIR/ct-oci for a
// rootless caller (another user, or root of a user namespace that is not the real root's, as
// rootless Podman runs its runtime), as runc and crun choose theirs.
std::string default_root();

struct GlobalOptions {
    std::string root = default_root();  // --root: the state directory
    std::string log;                    // --log FILE: errors and debug lines go there too
    std::string log_format = "text";    // --log-format text|json
    bool debug = false;
    bool systemd_cgroup = false;
    std::string criu;  // --criu PATH: the CRIU binary checkpoint and restore use
};

struct CommandLine {
    GlobalOptions global;
    std::string command;
    std::vector<std::string> args;                           // positional
    std::map<std::string, std::vector<std::string>> values;  // --opt VALUE (repeatable)
    std::map<std::string, bool> flags;                       // --flag

    bool flag(const std::string &name) const;
    std::string value(const std::string &name, const std::string &fallback = "") const;
    const std::vector<std::string> &all(const std::string &name) const;
    bool has(const std::string &name) const { return values.count(name) != 0; }
};

// Throws ct::Error(invalid_argument) naming the option, for an unknown command or option and
// for a missing value. `--version` and `--help` become the commands "version" and "help"
// (`COMMAND --help`: "help" with args {COMMAND}).
// Fills `cl` as it goes: when it throws, the global options read so far (--log,
// --log-format) are there for the error to be logged where the engine reads it.
void parse_command_line(int argc, char **argv, CommandLine &cl);

// The commands and their options (for `--help`); of one command when `command` names one.
std::string usage(const std::string &command = "");

}  // namespace ct::oci
