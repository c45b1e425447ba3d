// The second half of a deferred start (CT_PROC_DEFER_EXEC): the container's init, set up and
// waiting in state created, executes its command.
#include "launch/deferred.hpp"
#include "launch/hooks.hpp"
#include "session/session.hpp"

namespace ct::linux_native {

int64_t LinuxSession::start_deferred(StateStore::Entry &e, const std::string &name) {
    std::string what = "container '" + name + "'";
    if (!process_alive(e.state.pid, e.state.pid_start))
        throw Error(Errc::bad_state,
                    what + " has stopped: its process exited before it was started");
    start_waiting(e.dirfd(), what);
    e.state.status = "running";
    e.save();
    const Spec &spec = e.state.spec;
    run_hooks_logged(spec, spec.hooks.poststart, "poststart",
                     oci_state(spec, "running", e.state.pid));
    return e.state.pid;
}

}  // namespace ct::linux_native
