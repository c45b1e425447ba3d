// A process with a terminal: `vzctl enter` on a terminal libct relays (enter_filter.hpp).
//
// vzctl 4.x: `vzctl enter CTID --exec LINE` types LINE into the container's login shell.
// vzctl 7.x: `vzctl enter CTID` takes no options ("Invalid options"): libct types LINE itself.
#pragma once

#include <string>

#include "commands.hpp"
#include "generation.hpp"

namespace ct::openvz {

struct TerminalPlan {
    Argv argv;
    std::string typed;  // what libct types into the shell ("" when vzctl types it)
    std::string begin, end;
};

// A terminal's typed line goes through the line discipline of the container's terminal in
// canonical mode, which keeps 4095 bytes of a line: longer ones would be cut.
inline constexpr size_t kMaxTypedLine = 4000;

// `nonce`: hex digits that make the markers unique to this process. Throws
// Errc::invalid_argument when the command line is too long to be typed.
TerminalPlan terminal_plan(Generation generation, const std::string &vzctl, const std::string &ctid,
                           const ProcessSpec &p, const std::string &nonce);

}  // namespace ct::openvz
