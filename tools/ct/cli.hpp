// Shared pieces of the `ct` command: the invocation context, usage errors, exit codes and
// option helpers used by every subcommand.
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ct/ct.hpp"

namespace ct::cli {

namespace po = boost::program_options;

// Exit codes (docs/ct.1.md). run/exec exit with the command's own code; when ct itself fails
// there, it uses the codes container tools agree on (docker, podman).
enum Exit : int {
    kOk = 0,
    kFailed = 1,
    kUsage = 2,
    kRunFailed = 125,   // run/exec: ct could not create or start the container
    kCannotExec = 126,  // run/exec: the command exists but cannot be executed
    kNotFound = 127,    // run/exec: the command was not found
};

// A wrong command line: printed with a hint to --help, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Context {
    std::string command;                // the subcommand's name
    std::vector<std::string> args;      // its arguments (before "--")
    std::vector<std::string> trailing;  // what came after "--" (the container's command)
    bool had_separator = false;
    std::string connect;  // -c/--connect, or empty ($CT_CONNECT, then linux:///)

    // Opened on first use: `ct backends` and `--help` never load a backend.
    Session &session();

  private:
    std::optional<Session> session_;
};

// A subcommand: its options, a one-line summary and the work.
struct Command {
    const char *name;
    const char *synopsis;  // "run [SPEC.yaml] [options] -- CMD [ARG...]"
    const char *summary;
    std::function<int(Context &)> run;
};

const std::vector<Command> &commands();

// Parses ctx.args against `desc` (+ -c/--connect, -h/--help), positional names in order.
// Returns false when --help was printed.
bool parse(Context &ctx, po::options_description &desc,
           const po::positional_options_description &pos, po::variables_map &vm,
           const char *synopsis, const char *summary);

// Helpers for values on the command line.
int parse_signal(const std::string &text);
std::string signal_name(int sig);
// A non-negative integer in min..max; anything else is a usage error naming `what` and the text.
int64_t parse_count(const std::string &text, const std::string &what, int64_t min, int64_t max);
// A uid or gid: 0..4294967294, (uid_t)-1 being "leave unchanged" to the kernel.
uint32_t parse_id(const std::string &text, const std::string &what);
// A process id for --pid: 1..4194304 (the kernel's PID_MAX_LIMIT).
int64_t check_pid_option(int64_t pid);
// Seconds for --timeout: finite, 0..1e9, fractions allowed.
std::chrono::milliseconds parse_timeout(const std::string &text, const std::string &option);
// parse_size() for an option's value: a malformed size is a usage error.
int64_t parse_size_option(const std::string &text, const std::string &option);
// --memory, --memory-swap, --pids, --cpu-shares, --cpu-quota, --cpu-period, --cpuset-cpus (run,
// create, update) into `r`. Each is checked alone by the validator's rule for its field, so the
// command line takes what a spec file takes, and a bad value is a usage error naming the option.
void apply_limit_options(Resources &r, const std::string &memory, const std::string &memory_swap,
                         const std::optional<int64_t> &pids, const std::optional<int64_t> &shares,
                         const std::optional<int64_t> &quota, const std::optional<int64_t> &period,
                         const std::string &cpus);
std::string format_bytes(int64_t bytes);
std::string format_time(int64_t unix_seconds);

// The process as `exec` and `run` build it from -e/-w/-u; fields not given keep `base`'s.
struct ProcessOptions {
    std::vector<std::string> env;
    std::string cwd, user, caps;
    std::vector<std::string> cap_add, cap_drop;
    bool tty = false;
    void add_to(po::options_description &desc);
    void apply(ProcessSpec &p) const;  // throws UsageError
};

// The exit code of `ct run`/`ct exec` for how the command ended, or failed to start.
int exit_code_for(const ExitStatus &st);
int exit_code_for(const Error &e);

// Prints "ct: <message>" to stderr.
void report(const std::exception &e);

}  // namespace ct::cli
