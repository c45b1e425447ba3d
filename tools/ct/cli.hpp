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

#include "config.hpp"
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

struct Command;
struct Shape;

// What `ct __complete` learns of a command: its options and operands (parse() fills it instead
// of parsing when Context::describe is set).
struct Described {
    struct Option {
        std::string long_name, short_name, value_name;  // value_name empty: a flag
    };
    std::vector<Option> options;
    int max_operands = 0;
    bool takes_command = false, spec_first = false;
};

struct Context {
    const Command *cmd = nullptr;
    std::string command;                // the subcommand's name
    std::vector<std::string> args;      // its arguments, as given
    std::vector<std::string> operands;  // what parse() left of them: names, a spec file
    std::vector<std::string> trailing;  // the container's command (after "--" or its first word)
    std::string connect;                // -c/--connect, or empty (then CT_CONNECT, ct.conf)
    int verbosity = 0;                  // -v: 1, --debug or -vv: 2
    Described *describe = nullptr;      // set: parse() describes the command and returns false

    // Opened on first use: `ct backends` and `--help` never load a backend.
    Session &session();
    // The URI in effect and where it came from (-c, CT_CONNECT, a ct.conf, the default).
    Setting uri();
    // The configuration files, read on first use (a broken one fails only what needs it).
    const Config &config();

  private:
    std::optional<Session> session_;
    std::optional<Config> config_;
};

// What a command takes besides options.
struct Shape {
    int min = 0, max = 0;         // operands before the container's command (max -1: any)
    bool command = false;         // a container's command follows the operands
    bool command_needed = false;  // ... and must be there
    bool spec_first = false;      // the first operand, if any, is a spec file (run, create)
};

// A subcommand: its usage line, help text, examples and the work.
struct Command {
    const char *name;
    const char *usage;        // "exec [OPTIONS] NAME COMMAND [ARG...]"
    const char *summary;      // one line, for `ct --help`
    const char *description;  // paragraphs for `ct COMMAND --help`
    const char *examples;     // one command per line, each runnable as written
    std::function<int(Context &)> run;
};

const std::vector<Command> &commands();
const Command *find_command(const std::string &name);

// Parses ctx.args: options against `desc` (plus the global ones), operands and the container's
// command by `shape` into ctx.operands and ctx.trailing. Every error is a UsageError in ct's
// words. Returns false when --help was printed.
bool parse(Context &ctx, po::options_description &desc, const Shape &shape, po::variables_map &vm);
// The help of a command: usage, description, options, examples.
void print_help(std::ostream &os, const Command &cmd, const po::options_description &desc);

// Helpers for values on the command line.
// A signal: a name with or without SIG, RTMIN+N, RTMAX-N, or a number; 0 only if `allow_zero`.
int parse_signal(const std::string &text, bool allow_zero = false);
// Whether `text` is meant as a signal (and not as a container name): what parse_signal takes,
// and anything that starts like RTMIN/RTMAX or is all digits.
bool looks_like_signal(const std::string &text);
std::string signal_name(int sig);
// A non-negative integer in min..max; anything else is a usage error naming `what` and the text.
int64_t parse_count(const std::string &text, const std::string &what, int64_t min, int64_t max);
// A signed integer (for limits where -1 means unlimited); the range check is the validator's.
int64_t parse_integer(const std::string &text, const std::string &option);
// A uid or gid: 0..4294967294, (uid_t)-1 being "leave unchanged" to the kernel.
uint32_t parse_id(const std::string &text, const std::string &what);
// A process id for --pid: 1..4194304 (the kernel's PID_MAX_LIMIT).
int64_t parse_pid_option(const std::string &text);
// Seconds for --timeout: finite, 0..1e9, fractions allowed.
std::chrono::milliseconds parse_timeout(const std::string &text, const std::string &option);
// parse_size() for an option's value: a malformed size is a usage error.
int64_t parse_size_option(const std::string &text, const std::string &option);

// --memory, --memory-swap, --pids, --cpu-shares, --cpu-quota, --cpu-period, --cpuset-cpus (run,
// create, update): their text as given, empty when not given.
struct LimitOptions {
    std::string memory, memory_swap, pids, cpu_shares, cpu_quota, cpu_period, cpus;
    void add_to(po::options_description &desc);
    // Into `r`. Each is checked alone by the validator's rule for its field, so the command line
    // takes what a spec file takes, and a bad value is a usage error naming the option.
    void apply(Resources &r) const;
};

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

// A terminal for the container's process needs one on ct's side: refuses -t (a UsageError) or a
// spec's process.terminal (an Error) when stdin is not a terminal, instead of relaying nothing.
void check_terminal(bool from_option, const std::string &what);

// Runs `fn` for each container named in ctx.operands: a failure is reported and the others are
// still done. kOk when every one succeeded, else kFailed.
int for_each_name(Context &ctx, const std::function<void(const std::string &)> &fn);
// Session::create, traced (--debug shows the spec document the backend gets).
Container create(Context &ctx, const Spec &spec);

// The exit code of `ct run`/`ct exec` for how the command ended, or failed to start.
int exit_code_for(const ExitStatus &st);
int exit_code_for(const Error &e);

// Prints "ct: <message>" to stderr.
void report(const std::exception &e);

}  // namespace ct::cli
