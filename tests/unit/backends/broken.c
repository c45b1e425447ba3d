/*
 * Deliberately broken libct backends, in plain C, for the loader's tests. One source, built
 * once per defect (CT_BROKEN_<defect> is defined by tests/unit/loader.cmake); each file is
 * ct-backend-<defect>.so and must be refused with a precise error, never crash the caller.
 */
#include <stddef.h>

#include "ct/driver.h"

#define EXPORT __attribute__((visibility("default")))

static const char *const schemes[] = {CT_BROKEN_NAME, NULL};

static int open_session(const ct_host *host, const char *uri, ct_session **out, ct_out *err) {
    static const char msg[] = "this backend must never be opened";
    (void)host;
    (void)uri;
    (void)out;
    if (err && err->put) err->put(err, msg, sizeof msg - 1);
    return CT_ERR_BACKEND;
}

static ct_backend make(void) {
    ct_backend b = {0};
    b.abi_major = CT_DRIVER_ABI_MAJOR;
    b.abi_minor = CT_DRIVER_ABI_MINOR;
    b.size = sizeof b;
    b.name = CT_BROKEN_NAME;
    b.version = "0";
    b.description = "a broken backend for the loader's tests";
    b.schemes = schemes;
    b.ops.open = open_session;
#if defined(CT_BROKEN_MAJOR)
    /* Built for a future ABI: the loader must refuse it and say both versions. */
    b.abi_major = CT_DRIVER_ABI_MAJOR + 1;
    b.abi_minor = 3;
#elif defined(CT_BROKEN_SMALL)
    /* A descriptor that ends after two slots: reading further would read past it. */
    b.size = (uint32_t)(offsetof(ct_backend, ops) + 2 * sizeof(void *));
#elif defined(CT_BROKEN_MISNAMED)
    b.name = "someone-else";
#elif defined(CT_BROKEN_NOOPEN)
    b.ops.open = NULL;
#endif
    return b;
}

#if defined(CT_BROKEN_NOENTRY)
/* Exports a symbol, but not the entry point: not a libct backend. */
EXPORT int ct_backend_entry_v0(void) {
    return make().abi_major;
}
#else
EXPORT const ct_backend *ct_backend_entry(void) {
    static ct_backend desc;
    static int done;
    if (!done) {
        desc = make();
        done = 1;
    }
    return &desc;
}
#endif
