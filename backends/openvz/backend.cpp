// The OpenVZ backend, as a loadable skeleton: it is discovered, passes the ABI checks and
// answers every session request with an honest "not implemented yet" (libct issue #6).
#include "ct/driver.h"

namespace {

const char *const kSchemes[] = {"openvz", nullptr};

int open_session(const ct_host *, const char *uri, ct_session **, ct_out *err) {
    static const char msg[] =
        "the openvz backend is not implemented yet (libct issue #6): it loads, but cannot "
        "manage OpenVZ containers";
    (void)uri;
    if (err && err->put) err->put(err, msg, sizeof msg - 1);
    return CT_ERR_UNSUPPORTED;
}

const ct_backend kBackend = [] {
    ct_backend b{};
    b.abi_major = CT_DRIVER_ABI_MAJOR;
    b.abi_minor = CT_DRIVER_ABI_MINOR;
    b.size = sizeof(ct_backend);
    b.name = "openvz";
    b.version = "0.1.0";
    b.description = "OpenVZ hosts via vzctl/vzlist (skeleton: not implemented yet)";
    b.schemes = kSchemes;
    b.caps = 0;
    b.ops.open = open_session;
    return b;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &kBackend;
}
