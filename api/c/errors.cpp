// Handles that carry errors, and C++ API errors as C return values.
#include <cerrno>

#include "internal.hpp"

extern "C" {

void *libct_err_to_handle(long err) {
    return reinterpret_cast<void *>(err);
}

long libct_handle_to_err(void *handle) {
    return reinterpret_cast<long>(handle);
}

int libct_handle_is_err(void *handle) {
    // Kernel style: the last page of the address space is never a valid object.
    return reinterpret_cast<unsigned long>(handle) >= static_cast<unsigned long>(-4095L);
}

}  // extern "C"

namespace ct::capi {

int code_of(const ct::Error &e) {
    int sys = e.sys_errno();
    switch (e.code()) {
        case Errc::bad_state:
            return -LCTERR_BADCTSTATE;
        case Errc::unsupported:
            return -LCTERR_OPNOTSUPP;
        case Errc::invalid_spec:
        case Errc::invalid_argument:
            return -LCTERR_INVARG;
        case Errc::not_found:
            return sys ? -sys : -LCTERR_NOTFOUND;
        case Errc::exists:
            return -EEXIST;
        case Errc::permission:
            return -(sys ? sys : EPERM);
        case Errc::transport:
            return -LCTERR_RPCCOMM;
        case Errc::timeout:
            return -ETIMEDOUT;
        case Errc::exec:
            return -(sys ? sys : ENOEXEC);
        case Errc::abi:
            return -LCTERR_NOTFOUND;
        case Errc::backend:
            break;
    }
    return -(sys ? sys : EIO);
}

void need(const void *h, const char *what) {
    if (bad_handle(h)) throw Failure(-LCTERR_INVARG, std::string(what) + ": not a valid handle");
}

std::string need_str(const char *s, const char *what) {
    if (!s) throw Failure(-LCTERR_INVARG, std::string(what) + " is NULL");
    return s;
}

}  // namespace ct::capi
