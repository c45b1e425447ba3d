// Services libct.so offers to backends (ct_host): logging.
#pragma once

#include "ct/driver.h"

namespace ct::loader {

// The host table handed to every backend's open(). Log level comes from $CT_LOG_LEVEL
// (error, warn, info, debug; default warn); messages go to stderr.
const ct_host *host_services();

}  // namespace ct::loader
