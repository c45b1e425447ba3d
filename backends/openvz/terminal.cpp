#include "terminal.hpp"

#include "ct/error.hpp"

namespace ct::openvz {

TerminalPlan terminal_plan(Generation generation, const std::string &vzctl, const std::string &ctid,
                           const ProcessSpec &p, const std::string &nonce) {
    TerminalPlan t;
    const std::string begin = "__libct_begin_", end = "__libct_end_";
    t.begin = begin + nonce;
    t.end = end + nonce + ":";
    // A subshell, so that `cd` and `exec` of the command line leave the shell to print the end
    // marker with the command's status.
    std::string line = "printf '%s%s\\n' " + begin + " " + nonce + "; (" + command_line(p) +
                       "); printf '%s%s:%d\\n' " + end + " " + nonce + " $?; exit";
    if (line.size() > kMaxTypedLine)
        throw Error(Errc::invalid_argument,
                    "process.args: a command with a terminal is typed into the container's shell "
                    "by vzctl enter, whose terminal keeps at most 4095 bytes of a line; this "
                    "command's line is " +
                        std::to_string(line.size()) + " bytes (the limit here is " +
                        std::to_string(kMaxTypedLine) + ")");
    if (generation == Generation::legacy) {
        t.argv = {vzctl, "enter", ctid, "--exec", line};
    } else {
        t.argv = {vzctl, "enter", ctid};
        t.typed = line + "\n";
    }
    return t;
}

}  // namespace ct::openvz
