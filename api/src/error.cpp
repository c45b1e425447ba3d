#include "ct/error.hpp"

namespace ct {

Error::~Error() = default;

const char *errc_name(Errc code) noexcept {
    switch (code) {
        case Errc::invalid_spec:
            return "invalid-spec";
        case Errc::invalid_argument:
            return "invalid-argument";
        case Errc::not_found:
            return "not-found";
        case Errc::exists:
            return "exists";
        case Errc::bad_state:
            return "bad-state";
        case Errc::unsupported:
            return "unsupported";
        case Errc::permission:
            return "permission";
        case Errc::backend:
            return "backend";
        case Errc::transport:
            return "transport";
        case Errc::timeout:
            return "timeout";
        case Errc::exec:
            return "exec";
        case Errc::abi:
            return "abi";
    }
    return "unknown";
}

}  // namespace ct
