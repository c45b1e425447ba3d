// The state behind ct::Session and ct::Container: one backend session and typed calls into the
// backend's C operation table that turn status codes into ct::Error with context.
#pragma once

#include <memory>
#include <string>

#include "ct/driver.h"
#include "ct/error.hpp"
#include "ct/info.hpp"
#include "ct/internal/ops.hpp"
#include "ct/internal/uri.hpp"
#include "registry.hpp"

namespace ct::detail {

// Collects what a backend hands back through a ct_out.
struct StringOut : ct_out {
    std::string data;
    int err = 0;  // errno reported with an error, if any
    StringOut() {
        put = [](ct_out *self, const char *d, size_t n) {
            static_cast<StringOut *>(self)->data.append(d, n);
        };
        set_errno = [](ct_out *self, int e) { static_cast<StringOut *>(self)->err = e; };
    }
};

struct SessionCore {
    uri::Uri uri;
    const loader::LoadedBackend *lb = nullptr;
    BackendInfo info;
    ct_session *session = nullptr;

    SessionCore() = default;
    SessionCore(const SessionCore &) = delete;
    SessionCore &operator=(const SessionCore &) = delete;
    ~SessionCore();

    // Calls operation slot `op` (a member of ct_backend_ops). `what` describes the call for
    // messages ("start container 'web1'"). Throws unsupported when the slot is empty.
    template <class Fn, class... Args>
    void call(Fn ct_backend_ops::*op, const char *op_name, const std::string &what,
              Args &&...args) {
        if (!ops::has(lb->desc, op))
            throw Error(Errc::unsupported, what + ": operation '" + op_name +
                                               "' is not supported by backend " + lb->name);
        StringOut err;
        int rc = (lb->desc->ops.*op)(session, std::forward<Args>(args)..., &err);
        if (rc != CT_OK) throw make_error(rc, what, err.data, err.err);
    }

    Error make_error(int rc, const std::string &what, const std::string &msg,
                     int sys_errno = 0) const;
};

// Loads the backend for `uri_text` ("" : $CT_CONNECT, else the default) and opens a session.
std::shared_ptr<SessionCore> open_core(const std::string &uri_text);

}  // namespace ct::detail
