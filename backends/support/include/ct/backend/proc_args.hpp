// ct_proc_args grows by appending (driver.h): a backend reads the caller's block through a
// copy at its own size, so fields an older, shorter caller does not have take their defaults.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "ct/driver.h"

namespace ct::backend {

inline ct_proc_args widen_proc_args(const ct_proc_args *a) {
    ct_proc_args args{};
    std::memcpy(&args, a, std::min<size_t>(a->size, sizeof args));
    args.size = sizeof args;
    // 0 would be a valid fd (the caller's stdin): "no console socket" is -1.
    if (a->size < offsetof(ct_proc_args, console_socket) + sizeof(int)) args.console_socket = -1;
    return args;
}

}  // namespace ct::backend
