// The monitor's side of a relayed terminal (runner.hpp, SpawnRequest::relay): between the
// terminal the process writes to and the caller's. Runs after fork() in a possibly
// multi-threaded caller: system calls only, no allocation.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "enter_filter.hpp"

namespace ct::openvz {

// `master`: the master side of the process's terminal; `caller`: the caller's terminal (the
// slave side of the pty whose master the caller holds). Types `typed`, then copies the
// caller's input to the process and the process's output, filtered, to the caller, passing
// window size changes on (SIGWINCH of the caller's terminal, which the monitor makes its
// controlling terminal). Returns when the process's terminal is closed or `child` has ended;
// returns the child's wait status when it reaped it, else -1.
int relay_terminal(int master, int caller, pid_t child, const char *typed, size_t typed_len,
                   EnterFilter &filter);

}  // namespace ct::openvz
