// The C++ side of the operation list of ct/driver.h (CT_BACKEND_OPS): where each slot is, and
// whether a descriptor has it. Shared by the loader, the remote agent and the backends.
#pragma once

#include <cstddef>
#include <cstring>

#include "ct/driver.h"

namespace ct::ops {

struct Slot {
    const char *name;
    size_t offset;  // of the slot inside ct_backend
    bool writes;    // access W: it changes a container or files
};

inline constexpr Slot kSlots[] = {
    {"open", offsetof(ct_backend, ops) + offsetof(ct_backend_ops, open), false},
    {"close", offsetof(ct_backend, ops) + offsetof(ct_backend_ops, close), false},
#define CT_OPS_SLOT(op, shape, access, transport) \
    {#op, offsetof(ct_backend, ops) + offsetof(ct_backend_ops, op), #access[0] == 'W'},
    CT_BACKEND_OPS(CT_OPS_SLOT)
#undef CT_OPS_SLOT
};

// The slot of operation `name`, or nullptr.
inline const Slot *find(const char *name) {
    for (const auto &s : kSlots)
        if (std::strcmp(s.name, name) == 0) return &s;
    return nullptr;
}

// True when the descriptor was built with the slot at `offset` and filled it.
inline bool has_slot(const ct_backend *d, size_t offset) {
    if (offset + sizeof(void *) > d->size) return false;
    void *fn;
    std::memcpy(&fn, reinterpret_cast<const char *>(d) + offset, sizeof fn);
    return fn != nullptr;
}

// The offset inside ct_backend of the slot `member` (&ct_backend_ops::start, ...).
template <class Fn>
size_t offset_of(Fn ct_backend_ops::*member) {
    static const ct_backend_ops probe{};
    return offsetof(ct_backend, ops) +
           static_cast<size_t>(reinterpret_cast<const char *>(&(probe.*member)) -
                               reinterpret_cast<const char *>(&probe));
}

template <class Fn>
bool has(const ct_backend *d, Fn ct_backend_ops::*member) {
    return has_slot(d, offset_of(member));
}

}  // namespace ct::ops
