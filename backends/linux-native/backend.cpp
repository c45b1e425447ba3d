// The linux-native backend's C boundary: the descriptor, the shared trampolines into
// LinuxSession (common/session_ops.hpp) and its own: open, and the file slots on this host.
#include "criu/criu.hpp"
#include "criu/files.hpp"
#include "ct/backend/out.hpp"
#include "ct/backend/session_ops.hpp"
#include "ct/driver.h"
#include "session/session.hpp"

using ct::backend::guard;
using ct::linux_native::LinuxSession;

struct ct_session {
    LinuxSession impl;
    explicit ct_session(const char *uri) : impl(uri) {}
};

namespace {

const char *const kSchemes[] = {"linux", "local", nullptr};

int op_open(const ct_host *host, const char *uri, ct_session **out, ct_out *err) {
    ct::linux_native::criu::set_host(host);
    return guard(err, [&] { *out = new ct_session(uri); });
}
int op_get_files(ct_session *, const char *dir, ct_out *archive, ct_out *err) {
    return guard(err, [&] { ct::linux_native::files::get(dir, archive); });
}
int op_put_files(ct_session *, const char *dir, ct_in *archive, ct_out *err) {
    return guard(err, [&] { ct::linux_native::files::put(dir, archive); });
}
int op_remove_files(ct_session *, const char *dir, ct_out *err) {
    return guard(err, [&] { ct::linux_native::files::remove(dir); });
}

const ct_backend kBackend = [] {
    ct_backend b{};
    b.abi_major = CT_DRIVER_ABI_MAJOR;
    b.abi_minor = CT_DRIVER_ABI_MINOR;
    b.size = sizeof(ct_backend);
    b.name = "linux";
    b.version = "0.1.0";
    b.description = "native Linux containers: namespaces, cgroups v1/v2/hybrid, pivot_root";
    b.schemes = kSchemes;
    b.caps = CT_CAP_NAMESPACES | CT_CAP_CGROUPS | CT_CAP_PERSISTENT_STATE | CT_CAP_EXEC |
             CT_CAP_PAUSE | CT_CAP_UPDATE | CT_CAP_STATS | CT_CAP_CHECKPOINT | CT_CAP_MIGRATE |
             CT_CAP_USERNS | CT_CAP_NETWORK;
    ct::backend::set_session_ops<ct_session>(b.ops);
    b.ops.open = op_open;
    b.ops.get_files = op_get_files;
    b.ops.put_files = op_put_files;
    b.ops.remove_files = op_remove_files;
    return b;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &kBackend;
}
