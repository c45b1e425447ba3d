// The backend ct-agent hosts: found the way libct finds backends, opened in this process, and
// called through its C operation table, so that results and errors are exactly its own.
#pragma once

#include <string>

#include "ct/driver.h"

namespace ct::remote::agent {

// The descriptor of the backend serving `scheme` ("linux"). Throws Error(abi) naming the
// directories searched and the backends found.
const ct_backend *load_backend(const std::string &scheme);

}  // namespace ct::remote::agent
