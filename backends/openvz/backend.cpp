// The openvz backend's C boundary: the descriptor, and the shared trampolines into
// OpenVzSession (common/session_ops.hpp), migrate included.
#include "ct/backend/out.hpp"
#include "ct/backend/session_ops.hpp"
#include "ct/driver.h"
#include "session.hpp"

using ct::backend::guard;
using ct::openvz::OpenVzSession;

struct ct_session {
    OpenVzSession impl;
    explicit ct_session(const char *uri) : impl(uri) {}
};

namespace {

const char *const kSchemes[] = {"openvz", nullptr};

int op_open(const ct_host *, const char *uri, ct_session **out, ct_out *err) {
    return guard(err, [&] { *out = new ct_session(uri); });
}

const ct_backend kBackend = [] {
    ct_backend b{};
    b.abi_major = CT_DRIVER_ABI_MAJOR;
    b.abi_minor = CT_DRIVER_ABI_MINOR;
    b.size = sizeof(ct_backend);
    b.name = "openvz";
    b.version = "0.2.0";
    b.description = "OpenVZ hosts (legacy vzctl 4.x and OpenVZ 7) via vzctl/vzlist/vzmigrate";
    b.schemes = kSchemes;
    b.caps = CT_CAP_NAMESPACES | CT_CAP_NETWORK | CT_CAP_EXEC | CT_CAP_PAUSE | CT_CAP_UPDATE |
             CT_CAP_STATS | CT_CAP_CHECKPOINT | CT_CAP_MIGRATE | CT_CAP_PERSISTENT_STATE;
    ct::backend::set_session_ops<ct_session>(b.ops);
    b.ops.open = op_open;
    return b;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &kBackend;
}
