// The C trampolines every backend's ops table shares, made from the operation list of
// ct/driver.h (CT_BACKEND_OPS): for each operation, if the backend's session object
// (`S::impl`, where S is the backend's ct_session) has a member of the operation's name taking
// the arguments of its shape, the slot calls it, and every exception becomes a status and a
// message (guard). A backend fills its table with these, then sets open and whatever it does
// not do through `impl` (the linux backend's file slots).
#pragma once

#include <type_traits>

#include "ct/backend/out.hpp"
#include "ct/backend/proc_args.hpp"
#include "ct/driver.h"

namespace ct::backend {

// Per shape: whether `impl` has the operation, and the trampoline that calls it.
#define CT_HAS_DOC_IN(op)            \
    requires(S * s, const char *d) { \
        s->impl.op(d);               \
    }
#define CT_CALL_DOC_IN(op) \
    [](S *s, const char *d, ct_out *err) { return guard(err, [&] { s->impl.op(d); }); }
#define CT_HAS_DOC_OUT(op) \
    requires(S * s) {      \
        s->impl.op();      \
    }
#define CT_CALL_DOC_OUT(op) \
    [](S *s, ct_out *doc, ct_out *err) { return guard(err, [&] { put(doc, s->impl.op()); }); }
#define CT_HAS_NAME(op)              \
    requires(S * s, const char *n) { \
        s->impl.op(n);               \
    }
#define CT_CALL_NAME(op) \
    [](S *s, const char *n, ct_out *err) { return guard(err, [&] { s->impl.op(n); }); }
#define CT_HAS_NAME_DOC_IN(op)       \
    requires(S * s, const char *n) { \
        s->impl.op(n, n);            \
    }
#define CT_CALL_NAME_DOC_IN(op)                           \
    [](S *s, const char *n, const char *d, ct_out *err) { \
        return guard(err, [&] { s->impl.op(n, d); });     \
    }
#define CT_HAS_NAME_DOC_OUT(op)      \
    requires(S * s, const char *n) { \
        put(nullptr, s->impl.op(n)); \
    }
#define CT_CALL_NAME_DOC_OUT(op)                             \
    [](S *s, const char *n, ct_out *doc, ct_out *err) {      \
        return guard(err, [&] { put(doc, s->impl.op(n)); }); \
    }
#define CT_HAS_NAME_FLAGS(op)                    \
    requires(S * s, const char *n, uint32_t f) { \
        s->impl.op(n, f);                        \
    }
#define CT_CALL_NAME_FLAGS(op)                         \
    [](S *s, const char *n, uint32_t f, ct_out *err) { \
        return guard(err, [&] { s->impl.op(n, f); });  \
    }
#define CT_HAS_SPAWN(op)                                    \
    requires(S * s, const char *n, const ct_proc_args *a) { \
        s->impl.op(n, widen_proc_args(a));                  \
    }
#define CT_CALL_SPAWN(op)                                                       \
    [](S *s, const char *n, const ct_proc_args *a, int64_t *pid, ct_out *err) { \
        return guard(err, [&] { *pid = s->impl.op(n, widen_proc_args(a)); });   \
    }
#define CT_HAS_WAIT(op)                         \
    requires(S * s, const char *n, int64_t p) { \
        s->impl.op(n, p, p);                    \
    }
#define CT_CALL_WAIT(op)                                                             \
    [](S *s, const char *n, int64_t pid, int64_t timeout_ms, int *ws, ct_out *err) { \
        return guard(err, [&] { *ws = s->impl.op(n, pid, timeout_ms); });            \
    }
#define CT_HAS_KILL(op)                                            \
    requires(S * s, const char *n, int64_t p, int g, uint32_t f) { \
        s->impl.op(n, p, g, f);                                    \
    }
#define CT_CALL_KILL(op)                                                     \
    [](S *s, const char *n, int64_t pid, int sig, uint32_t f, ct_out *err) { \
        return guard(err, [&] { s->impl.op(n, pid, sig, f); });              \
    }
#define CT_HAS_DIR(op)               \
    requires(S * s, const char *d) { \
        s->impl.op(d);               \
    }
#define CT_CALL_DIR(op) \
    [](S *s, const char *d, ct_out *err) { return guard(err, [&] { s->impl.op(d); }); }
#define CT_HAS_DIR_OUT(op)                      \
    requires(S * s, const char *d, ct_out *o) { \
        s->impl.op(d, o);                       \
    }
#define CT_CALL_DIR_OUT(op)                           \
    [](S *s, const char *d, ct_out *o, ct_out *err) { \
        return guard(err, [&] { s->impl.op(d, o); }); \
    }
// A stream's reader may fail after the backend has done its part: the backend then returns
// a status of its own (the archive's error is in `err` already).
#define CT_HAS_DIR_IN(op)                      \
    requires(S * s, const char *d, ct_in *i) { \
        s->impl.op(d, i);                      \
    }
#define CT_CALL_DIR_IN(op)                                                  \
    [](S *s, const char *d, ct_in *in, ct_out *err) {                       \
        int rc = CT_OK;                                                     \
        int g = guard(err, [&] {                                            \
            if constexpr (std::is_same_v<decltype(s->impl.op(d, in)), int>) \
                rc = s->impl.op(d, in);                                     \
            else                                                            \
                s->impl.op(d, in);                                          \
        });                                                                 \
        return g != CT_OK ? g : rc;                                         \
    }

#define CT_HAS_CGROUP_READ(op)             \
    requires(S * s, const char *n) {       \
        put(nullptr, s->impl.op(n, n, n)); \
    }
#define CT_CALL_CGROUP_READ(op)                                                        \
    [](S *s, const char *n, const char *c, const char *f, ct_out *data, ct_out *err) { \
        return guard(err, [&] { put(data, s->impl.op(n, c, f)); });                    \
    }
#define CT_HAS_CGROUP_WRITE(op)      \
    requires(S * s, const char *n) { \
        s->impl.op(n, n, n, n);      \
    }
#define CT_CALL_CGROUP_WRITE(op)                                                        \
    [](S *s, const char *n, const char *c, const char *f, const char *v, ct_out *err) { \
        return guard(err, [&] { s->impl.op(n, c, f, v); });                             \
    }

template <class S>
void set_session_ops(ct_backend_ops &ops) {
    ops.close = [](S *s) { delete s; };
#define CT_SET_OP(op, shape, access, transport) \
    if constexpr (CT_HAS_##shape(op)) ops.op = CT_CALL_##shape(op);
    CT_BACKEND_OPS(CT_SET_OP)
#undef CT_SET_OP
}

}  // namespace ct::backend
