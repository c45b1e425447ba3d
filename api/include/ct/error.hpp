// ct::Error: the one exception type of the libct C++ API.
#pragma once

#include <stdexcept>
#include <string>

#include "ct/export.hpp"

namespace ct {

// What went wrong, independent of the backend. Values mirror enum ct_status in ct/driver.h, so
// a code survives the trip through a backend (and over SSH) unchanged.
enum class Errc {
    invalid_spec = 1,      // a spec (or option document) is malformed or invalid
    invalid_argument = 2,  // a plain argument (name, URI, signal) is invalid
    not_found = 3,         // no such container, process, backend or file
    exists = 4,            // a container of that name already exists
    bad_state = 5,         // the container's state does not allow the call
    unsupported = 6,       // the backend or this host cannot do it
    permission = 7,        // the caller lacks a needed privilege
    backend = 8,           // the backend or the system failed
    transport = 9,         // the link to a remote host failed
    timeout = 10,          // a wait ran out of time
    exec = 11,             // the container's command could not be executed
    abi = 12,              // a backend could not be loaded (missing, broken, wrong ABI)
};

// Short stable name of a code ("not-found", "invalid-spec", ...), used in messages and JSON.
CT_API const char *errc_name(Errc code) noexcept;

// Thrown by every libct call that fails. what() is a complete sentence naming the object
// (container, backend, file) and the cause.
class CT_API Error : public std::runtime_error {
  public:
    Error(Errc code, const std::string &message, int sys_errno = 0)
        : std::runtime_error(message), code_(code), errno_(sys_errno) {}
    ~Error() override;

    Errc code() const noexcept { return code_; }
    // The errno behind the failure, when there is one (0 otherwise).
    int sys_errno() const noexcept { return errno_; }

  private:
    Errc code_;
    int errno_;
};

}  // namespace ct
