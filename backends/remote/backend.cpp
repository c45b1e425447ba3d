// The remote backend's C boundary: every slot of the ops table forwards to the Client, which
// forwards it to the backend ct-agent hosts on the far side. Slots the far backend lacks are
// reported from there, with its own message.
#include "client.hpp"
#include "ct/backend/out.hpp"
#include "ct/backend/session_ops.hpp"
#include "ct/driver.h"

using ct::backend::guard;
using ct::remote::Client;

struct ct_session {
    Client impl;
    ct_session(const ct_host *h, const char *uri) : impl(h, uri) {}
};

namespace {

const char *const kSchemes[] = {"*+ssh", nullptr};

int op_open(const ct_host *h, const char *uri, ct_session **out, ct_out *err) {
    return guard(err, [&] { *out = new ct_session(h, uri); });
}

const ct_backend kBackend = [] {
    ct_backend b{};
    b.abi_major = CT_DRIVER_ABI_MAJOR;
    b.abi_minor = CT_DRIVER_ABI_MINOR;
    b.size = sizeof(ct_backend);
    b.name = "remote";
    b.version = "0.1.0";
    b.description = "any backend on another host over SSH, served there by ct-agent";
    b.schemes = kSchemes;
    b.caps = CT_CAP_REMOTE | CT_CAP_PERSISTENT_STATE;
    ct::backend::set_session_ops<ct_session>(b.ops);
    b.ops.open = op_open;
    return b;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &kBackend;
}
