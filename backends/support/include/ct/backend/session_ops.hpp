// The C trampolines every backend's ops table shares: each slot calls the member of the same
// name of the backend's session object (`S::impl`, where S is the backend's ct_session), and
// every exception becomes a status and a message (guard). A backend fills its table with
// these, then sets what is its own: open, and the optional slots it implements (migrate, the
// file slots).
#pragma once

#include "ct/backend/out.hpp"
#include "ct/backend/proc_args.hpp"
#include "ct/driver.h"

namespace ct::backend {

template <class S>
void set_session_ops(ct_backend_ops &ops) {
    ops.close = [](S *s) { delete s; };
    ops.create = [](S *s, const char *spec, ct_out *err) {
        return guard(err, [&] { s->impl.create(spec); });
    };
    ops.list = [](S *s, ct_out *doc, ct_out *err) {
        return guard(err, [&] { put(doc, s->impl.list()); });
    };
    ops.info = [](S *s, const char *name, ct_out *doc, ct_out *err) {
        return guard(err, [&] { put(doc, s->impl.info(name)); });
    };
    ops.start = [](S *s, const char *name, const ct_proc_args *a, int64_t *pid, ct_out *err) {
        return guard(err, [&] { *pid = s->impl.start(name, widen_proc_args(a)); });
    };
    ops.wait = [](S *s, const char *name, int64_t pid, int64_t timeout_ms, int *ws, ct_out *err) {
        return guard(err, [&] { *ws = s->impl.wait(name, pid, timeout_ms); });
    };
    ops.kill = [](S *s, const char *name, int64_t pid, int sig, uint32_t flags, ct_out *err) {
        return guard(err, [&] { s->impl.kill(name, pid, sig, flags); });
    };
    ops.destroy = [](S *s, const char *name, uint32_t flags, ct_out *err) {
        return guard(err, [&] { s->impl.destroy(name, flags); });
    };
    ops.exec = [](S *s, const char *name, const ct_proc_args *a, int64_t *pid, ct_out *err) {
        return guard(err, [&] { *pid = s->impl.exec(name, widen_proc_args(a)); });
    };
    ops.pause = [](S *s, const char *name, ct_out *err) {
        return guard(err, [&] { s->impl.pause(name); });
    };
    ops.resume = [](S *s, const char *name, ct_out *err) {
        return guard(err, [&] { s->impl.resume(name); });
    };
    ops.update = [](S *s, const char *name, const char *doc, ct_out *err) {
        return guard(err, [&] { s->impl.update(name, doc); });
    };
    ops.stats = [](S *s, const char *name, ct_out *doc, ct_out *err) {
        return guard(err, [&] { put(doc, s->impl.stats(name)); });
    };
    ops.processes = [](S *s, const char *name, ct_out *doc, ct_out *err) {
        return guard(err, [&] { put(doc, s->impl.processes(name)); });
    };
    ops.checkpoint = [](S *s, const char *name, const char *opts, ct_out *err) {
        return guard(err, [&] { s->impl.checkpoint(name, opts); });
    };
    ops.restore = [](S *s, const char *name, const char *opts, ct_out *err) {
        return guard(err, [&] { s->impl.restore(name, opts); });
    };
}

// The migrate slot, for the backends that migrate by themselves.
template <class S>
void set_migrate_op(ct_backend_ops &ops) {
    ops.migrate = [](S *s, const char *name, const char *opts, ct_out *err) {
        return guard(err, [&] { s->impl.migrate(name, opts); });
    };
}

}  // namespace ct::backend
