// The remote backend's C boundary: every slot of the ops table forwards to the Client, which
// forwards it to the backend ct-agent hosts on the far side. Slots the far backend lacks are
// reported from there, with its own message.
#include "../common/out.hpp"
#include "client.hpp"
#include "ct/driver.h"

using ct::backend::guard;
using ct::backend::put;
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
    return guard(err, [&] { *pid = s->impl.start(name, a); });
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
    return guard(err, [&] { *pid = s->impl.exec(name, a); });
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
int op_get_files(ct_session *s, const char *dir, ct_out *archive, ct_out *err) {
    return guard(err, [&] { s->impl.get_files(dir, archive); });
}
int op_put_files(ct_session *s, const char *dir, ct_in *archive, ct_out *err) {
    int rc = CT_OK;
    int g = guard(err, [&] { rc = s->impl.put_files(dir, archive); });
    return g != CT_OK ? g : rc;
}
int op_remove_files(ct_session *s, const char *dir, ct_out *err) {
    return guard(err, [&] { s->impl.remove_files(dir); });
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
    b.ops = {op_open,      op_close,     op_create,      op_list,       op_info,    op_start,
             op_wait,      op_kill,      op_destroy,     op_exec,       op_pause,   op_resume,
             op_update,    op_stats,     op_processes,   op_checkpoint, op_restore, op_migrate,
             op_get_files, op_put_files, op_remove_files};
    return b;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &kBackend;
}
