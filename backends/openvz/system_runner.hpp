// The real Runner: fork + exec, and for spawn() a detached monitor (double fork) that reaps the
// process and records its status in a file, so that any later session can wait for it.
#pragma once

#include <memory>

#include "runner.hpp"

namespace ct::openvz {

std::unique_ptr<Runner> make_system_runner();

}  // namespace ct::openvz
