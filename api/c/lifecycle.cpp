// A spawned container's life: kill, wait, pause, resume, destroy, and attaching to its init.
#include <signal.h>

#include "internal.hpp"

using namespace ct::capi;

namespace {

// The backend's container, copied out under the handle's lock: waiting must not hold it.
ct::Container spawned(ct_handler *h) {
    auto l = lock(h);
    if (!h->ct)
        throw Failure(-LCTERR_BADCTSTATE, "container '" + h->name + "' has not been spawned");
    return *h->ct;
}

}  // namespace

extern "C" {

int libct_container_kill(ct_handler_t ct) {
    return guard([&] {
        {
            auto l = lock(ct);
            if (ct->held.active()) {  // TASKLESS: no task, only namespaces to let go
                ct->held.release();
                return 0;
            }
        }
        spawned(ct).kill(SIGKILL, true);
        return 0;
    });
}

int libct_container_wait(ct_handler_t ct) {
    return guard([&] {
        {
            auto l = lock(ct);
            if (ct->held.active()) return 0;  // its init has already exited
        }
        spawned(ct).wait();
        return 0;
    });
}

int libct_container_pause(ct_handler_t ct) {
    return guard([&] {
        spawned(ct).pause();
        return 0;
    });
}

int libct_container_resume(ct_handler_t ct) {
    return guard([&] {
        spawned(ct).resume();
        return 0;
    });
}

void libct_container_destroy(ct_handler_t ct) {
    if (bad_handle(ct) || !ct->s) return;
    guard([&] {
        auto l = lock(ct);
        ct->held.release();
        if (ct->ct) {
            // A process that switched into a container reaches the state and cgroups from
            // the host's namespaces and root, and returns afterwards.
            AtHome at_home("libct_container_destroy: container '" + ct->name + "'");
            ct->ct->destroy(true);
            ct->ct.reset();
        }
        return 0;
    });
    ct->s->remove(ct);
}

ct_process_t libct_container_load(ct_handler_t ct, pid_t pid) {
    return guard_handle<ct_process_t>([&] {
        ct::Container c = spawned(ct);
        auto info = c.info();
        if (info.state != ct::State::running && info.state != ct::State::paused)
            throw Failure(-LCTERR_BADCTSTATE, "container '" + c.name() + "' is not running");
        if (info.pid != pid)
            throw Failure(-LCTERR_NOTFOUND, "process " + std::to_string(pid) +
                                                " is not the init of container '" + c.name() +
                                                "' (pid " + std::to_string(info.pid) + ")");
        return new ct_process{c, pid, true, std::nullopt};
    });
}

}  // extern "C"
