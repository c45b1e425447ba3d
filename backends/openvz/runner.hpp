// How the backend runs host programs (vzctl, vzlist, vzmigrate). An interface, so that unit
// tests replace process spawning with a recorder and check every command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ct::openvz {

struct RunResult {
    int wstatus = 0;  // waitpid() status
    std::string out;  // everything the program wrote to stdout
    std::string err;  // ... and to stderr
};

// A long-running process (a container's command) under a monitor that outlives the caller.
struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] is an absolute path
    // The caller's fds the process gets as stdin/stdout/stderr (-1: /dev/null), or, when `fds`
    // is not empty, fds[i] as fd i and nothing else.
    int in = -1, out = -1, err = -1;
    std::vector<int> fds;
    int tty = -1;  // >= 0: a pty slave; the process gets it as its controlling terminal and stdio
    // With `tty`: the process gets a terminal of its own instead, and the monitor relays
    // between the two, typing `typed` first and filtering the output (enter_filter.hpp); the
    // exit status recorded is the one the filter read. For `vzctl enter`.
    struct Relay {
        bool on = false;
        std::string typed, begin, end;
    } relay;
    // Run by the monitor once the process has ended (stdio /dev/null), before it records the
    // status; empty: nothing.
    std::vector<std::string> after;
    // The monitor records the process's waitpid() status ("<decimal>\n") atomically in
    // <exit_dir>/<pid>.exit.
    std::string exit_dir;
};

struct Spawned {
    int64_t pid = 0;      // the process
    int64_t monitor = 0;  // the monitor that reaps it and writes exit_file
};

class Runner {
  public:
    virtual ~Runner() = default;
    // Runs argv to completion (stdin /dev/null) and captures its output. Throws Errc::backend
    // when argv[0] cannot be executed.
    virtual RunResult run(const std::vector<std::string> &argv) = 0;
    // Starts a process under a monitor. Returns once argv[0] has been executed; throws
    // Errc::exec when it cannot be.
    virtual Spawned spawn(const SpawnRequest &req) = 0;
};

}  // namespace ct::openvz
