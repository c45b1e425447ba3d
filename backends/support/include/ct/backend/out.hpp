// Helpers for backends: writing to ct_out sinks and turning C++ exceptions into ct_status at
// the C boundary. Exceptions must never cross into libct.so.
#pragma once

#include <new>
#include <string>

#include "ct/driver.h"
#include "ct/error.hpp"

namespace ct::backend {

inline void put(ct_out *out, const std::string &s) {
    if (out && out->put) out->put(out, s.data(), s.size());
}

// Runs `fn`; maps ct::Error to its status, anything else to CT_ERR_BACKEND, with the message
// written to `err`.
template <class F>
int guard(ct_out *err, F &&fn) noexcept {
    try {
        fn();
        return CT_OK;
    } catch (const Error &e) {
        put(err, e.what());
        if (e.sys_errno() && err && err->set_errno) err->set_errno(err, e.sys_errno());
        return static_cast<int>(e.code()) <= CT_ERR_EXEC ? static_cast<int>(e.code())
                                                         : CT_ERR_BACKEND;
    } catch (const std::bad_alloc &) {
        put(err, "out of memory");
        return CT_ERR_BACKEND;
    } catch (const std::exception &e) {
        put(err, std::string("internal error: ") + e.what());
        return CT_ERR_BACKEND;
    } catch (...) {
        put(err, "internal error: unknown exception");
        return CT_ERR_BACKEND;
    }
}

}  // namespace ct::backend
