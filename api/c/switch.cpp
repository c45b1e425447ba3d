// libct_container_switch: the calling process joins a running container's namespaces and
// root, through the backend (its join slot: only a backend whose containers are on this
// machine has it). TASKLESS containers: the backend's session holds their namespaces after
// their init has gone (hold).
#include <algorithm>

#include "internal.hpp"

using namespace ct::capi;

namespace ct::capi {

void HeldNamespaces::hold(ct::Container &c) {
    release();
    c.hold_namespaces();
    by = c;
}

void HeldNamespaces::release() {
    if (!by) return;
    try {
        by->hold_namespaces(false);
    } catch (const ct::Error &) {
        // The session lets go of them when it closes anyway.
    }
    by.reset();
}

}  // namespace ct::capi

extern "C" int libct_container_switch(ct_handler_t ct) {
    return guard([&] {
        auto l = lock(ct);
        const auto &ops = ct->s->session.backend().operations;
        if (std::find(ops.begin(), ops.end(), "join") == ops.end())
            throw Failure(-LCTERR_OPNOTSUPP, "container '" + ct->name +
                                                 "': switching into a container needs it on "
                                                 "this machine (operation 'join'), which backend " +
                                                 ct->s->session.backend().name + " does not have");
        if (ct->held.active()) {
            ct->held.by->join();
            return 0;
        }
        if (ct->backend_state() != ct::State::running)
            throw Failure(-LCTERR_BADCTSTATE, "container '" + ct->name + "' is not running");
        ct->ct->join();
        return 0;
    });
}
