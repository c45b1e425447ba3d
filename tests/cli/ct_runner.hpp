// Runs the real `ct` binary as a child process with its own environment and captured stdio,
// for the tests of the command line (tests/cli) and of backends driven through it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace ct::test {

struct CtResult {
    int code = -1;            // exit code; 128+N when killed by signal N
    std::string out;          // stdout
    std::string err;          // stderr
    bool pipes_held = false;  // stdout/stderr still open 2 s after ct exited (held by a leftover)
    std::string text() const {
        return "exit " + std::to_string(code) + "\nstdout:\n" + out + "stderr:\n" + err;
    }
};

// A running `ct`. Its stdin is a pipe fed with `input` and then closed.
class CtProcess {
  public:
    // env: "KEY=VALUE" sets or replaces a variable of the test's environment; "KEY" removes it.
    CtProcess(const std::vector<std::string> &args, const std::vector<std::string> &env = {},
              const std::string &input = "");
    ~CtProcess();
    CtProcess(const CtProcess &) = delete;
    CtProcess &operator=(const CtProcess &) = delete;

    pid_t pid() const { return pid_; }
    // Reads stdout until it contains `text` (or the timeout passes); returns what was read.
    bool wait_for_output(const std::string &text, std::chrono::milliseconds timeout);
    // Reads everything, waits for the exit. Kills ct (SIGKILL) when it outlives `timeout`, and
    // reports that in CtResult::err.
    CtResult finish(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  private:
    void pump(int timeout_ms);
    pid_t pid_ = -1;
    int out_ = -1, err_ = -1;
    CtResult r_;
};

// Runs `ct ARGS...` to completion.
CtResult run_ct(const std::vector<std::string> &args, const std::vector<std::string> &env = {},
                const std::string &input = "");

// The ct binary under test: $CT_TEST_CT, else the build tree's.
const char *ct_binary();

}  // namespace ct::test
