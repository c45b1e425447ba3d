// The backend support library (backends/support: fds, errors, files, processes, rollback),
// in this backend's namespace.
#pragma once

#include "ct/backend/fd.hpp"
#include "ct/backend/sys.hpp"
#include "ct/internal/rollback.hpp"

namespace ct::linux_native {
using namespace ct::backend;
using ct::Rollback;
}  // namespace ct::linux_native
