// External commands timed by the benchmarks: one fork+exec+wait per run, optionally inside an
// existing mount namespace. Shared by bench-exec-timer and bench-lifecycle (which interleaves
// them with its own API life cycles). No libct here.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace ct::bench {

struct ExternalCommand {
    std::string name;
    std::string mntns;  // when set: the child setns()es into this mount namespace before exec
    std::vector<std::string> args;
    int ns_fd = -1;
    std::vector<double> samples_ms;  // wall time of each run
    std::vector<double> cpu_ms;      // CPU time (user + system) of each run, its children included
};

// Wall and CPU time of one run, in ms.
struct RunTime {
    double wall_ms = 0;
    double cpu_ms = 0;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses "--cmd NAME [--mntns FILE] -- ARG... [;]" starting at argv[i] (which is "--cmd");
// leaves i on the last element consumed. Throws UsageError.
ExternalCommand parse_command(int argc, char **argv, int &i,
                              const std::vector<ExternalCommand> &others);

// Opens the mount namespace files of the commands that have one. Throws std::runtime_error.
void open_namespaces(std::vector<ExternalCommand> &cmds);
void close_namespaces(std::vector<ExternalCommand> &cmds);

// One fork+exec+wait of `c` with stdin from /dev/null, "{i}" in its arguments replaced by
// `round`. A non-zero exit status throws std::runtime_error.
RunTime run_external(const ExternalCommand &c, unsigned round);

// CPU time (user + system, ms) used so far by this process and by its waited-for children.
double cpu_self_and_children_ms();

}  // namespace ct::bench
