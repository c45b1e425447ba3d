// Helpers of the tests of running containers: exec with captured stdio, the `ct` command with
// captured output, and `ct` on a real pty driven like a user at a terminal.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "fixture.hpp"

namespace ct::test {

// exec `p` in `c` with stdin fed from `in`, stdout/stderr captured; waits for it.
RunResult exec_captured(Container &c, const ProcessSpec &p, const std::string &in = "");

// Starts `c` in the background (stdio /dev/null) and returns init's pid.
int64_t start_quiet(Container &c);

struct CliResult {
    int code = -1;
    std::string out, err;
};
// Runs the ct command of this build with `-c uri` and `args`, stdin from `in`.
CliResult ct_cli(const std::string &uri, const std::vector<std::string> &args,
                 const std::string &in = "");

// `ct` on the slave side of a new pty of rows x cols, as from an interactive terminal.
class PtySession {
  public:
    PtySession(const std::string &uri, const std::vector<std::string> &args, int rows = 40,
               int cols = 100);
    ~PtySession();
    // Reads until `text` has appeared in the output (since the start); false on timeout/EOF.
    bool expect(const std::string &text, int timeout_ms = 5000);
    void send(const std::string &text);
    // Waits for ct to exit; returns its exit code (-1 on timeout: it is killed).
    int wait(int timeout_ms = 10000);
    const std::string &transcript() const { return out_; }

  private:
    bool pump(int timeout_ms);
    pid_t pid_ = -1;
    int master_ = -1;
    std::string out_;
};

// Fields of /proc/<pid>/status ("Uid", "NSpid", ...), after the tab.
std::string proc_status(long pid, const std::string &field);
// The target of a /proc link ("/proc/123/ns/net"), "" if unreadable.
std::string link_target(const std::string &path);
// Polls `pred` every 10 ms for up to `timeout_ms`.
bool eventually(const std::function<bool()> &pred, int timeout_ms = 5000);

}  // namespace ct::test
