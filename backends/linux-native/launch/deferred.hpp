// A deferred start (CT_PROC_DEFER_EXEC, the OCI runtime's create/start): the container's init
// is set up completely and waits before its command, listening on <state dir>/start. The start
// hands it the write end of a new error pipe there, so that whoever starts it learns, as from
// a plain launch, whether the command was executed.
#pragma once

#include <string>

#include "support.hpp"

namespace ct::linux_native {

// A listening socket bound at <dirfd>/start (replacing a stale one): the child's
// LaunchPlan::start_listener.
Fd listen_for_start(int dirfd);

// Starts the process waiting at <dirfd>/start and returns once its command runs. Throws
// Errc::exec when the command cannot be executed, Errc::backend for a start_container hook
// that failed, Errc::bad_state when no process waits there (it exited, or was started).
// `what` names the container in errors ("container 'web1'").
void start_waiting(int dirfd, const std::string &what);

}  // namespace ct::linux_native
