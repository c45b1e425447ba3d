// The operation slots of ct_backend_ops, in ABI order, for slot checks and `ct backends`.
#pragma once

#include <cstddef>

#include "ct/driver.h"

// clang-format off
#define CT_FOR_EACH_OP(X)                                                                   \
    X(open)                                                                                 \
    X(close) X(create) X(list) X(info) X(start) X(wait) X(kill) X(destroy) X(exec) X(pause) \
        X(resume) X(update) X(stats) X(processes) X(checkpoint) X(restore) X(migrate)      \
            X(get_files) X(put_files) X(remove_files)
// clang-format on

namespace ct::loader {

struct OpSlot {
    const char *name;
    size_t offset;  // of the slot inside ct_backend
};

inline constexpr OpSlot kOpSlots[] = {
#define CT_OP_SLOT(op) {#op, offsetof(ct_backend, ops) + offsetof(ct_backend_ops, op)},
    CT_FOR_EACH_OP(CT_OP_SLOT)
#undef CT_OP_SLOT
};

// True when the descriptor was built with this slot and filled it.
inline bool has_slot(const ct_backend *d, size_t offset) {
    if (offset + sizeof(void *) > d->size) return false;
    void *fn;
    __builtin_memcpy(&fn, reinterpret_cast<const char *>(d) + offset, sizeof fn);
    return fn != nullptr;
}

}  // namespace ct::loader
