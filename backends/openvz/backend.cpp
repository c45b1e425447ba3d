// The openvz backend's C boundary: the descriptor and thin trampolines into OpenVzSession, where
// every exception becomes a status and a message.
#include <algorithm>
#include <cstring>

#include "../common/out.hpp"
#include "../common/proc_args.hpp"
#include "ct/driver.h"
#include "session.hpp"

using ct::backend::guard;
using ct::backend::put;
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
void op_close(ct_session *s) {
    delete s;
}

int op_create(ct_session *s, const char *spec, ct_out *err) {
    return guard(err, [&] { s->impl.create(spec); });
}
int op_list(ct_session *s, ct_out *doc, ct_out *err) {
    return guard(err, [&] { put(doc, s->impl.list()); });
}
int op_info(ct_session *s, const char *name, ct_out *doc, ct_out *err) {
    return guard(err, [&] { put(doc, s->impl.info(name)); });
}
int op_start(ct_session *s, const char *name, const ct_proc_args *a, int64_t *pid, ct_out *err) {
    return guard(err, [&] { *pid = s->impl.start(name, ct::backend::widen_proc_args(a)); });
}
int op_wait(ct_session *s, const char *name, int64_t pid, int64_t timeout_ms, int *ws,
            ct_out *err) {
    return guard(err, [&] { *ws = s->impl.wait(name, pid, timeout_ms); });
}
int op_kill(ct_session *s, const char *name, int64_t pid, int sig, uint32_t flags, ct_out *err) {
    return guard(err, [&] { s->impl.kill(name, pid, sig, flags); });
}
int op_destroy(ct_session *s, const char *name, uint32_t flags, ct_out *err) {
    return guard(err, [&] { s->impl.destroy(name, flags); });
}
int op_exec(ct_session *s, const char *name, const ct_proc_args *a, int64_t *pid, ct_out *err) {
    return guard(err, [&] { *pid = s->impl.exec(name, ct::backend::widen_proc_args(a)); });
}
int op_pause(ct_session *s, const char *name, ct_out *err) {
    return guard(err, [&] { s->impl.pause(name); });
}
int op_resume(ct_session *s, const char *name, ct_out *err) {
    return guard(err, [&] { s->impl.resume(name); });
}
int op_update(ct_session *s, const char *name, const char *doc, ct_out *err) {
    return guard(err, [&] { s->impl.update(name, doc); });
}
int op_stats(ct_session *s, const char *name, ct_out *doc, ct_out *err) {
    return guard(err, [&] { put(doc, s->impl.stats(name)); });
}
int op_processes(ct_session *s, const char *name, ct_out *doc, ct_out *err) {
    return guard(err, [&] { put(doc, s->impl.processes(name)); });
}
int op_checkpoint(ct_session *s, const char *name, const char *opts, ct_out *err) {
    return guard(err, [&] { s->impl.checkpoint(name, opts); });
}
int op_restore(ct_session *s, const char *name, const char *opts, ct_out *err) {
    return guard(err, [&] { s->impl.restore(name, opts); });
}
int op_migrate(ct_session *s, const char *name, const char *opts, ct_out *err) {
    return guard(err, [&] { s->impl.migrate(name, opts); });
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
    b.ops.open = op_open;
    b.ops.close = op_close;
    b.ops.create = op_create;
    b.ops.list = op_list;
    b.ops.info = op_info;
    b.ops.start = op_start;
    b.ops.wait = op_wait;
    b.ops.kill = op_kill;
    b.ops.destroy = op_destroy;
    b.ops.exec = op_exec;
    b.ops.pause = op_pause;
    b.ops.resume = op_resume;
    b.ops.update = op_update;
    b.ops.stats = op_stats;
    b.ops.processes = op_processes;
    b.ops.checkpoint = op_checkpoint;
    b.ops.restore = op_restore;
    b.ops.migrate = op_migrate;
    return b;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &kBackend;
}
