#include "support.hpp"
// The exec stub (exec_stub.c): embedded in the backend, handed to every container process as a
// sealed memfd, from which the process executes its command (see exec_stub.c for why).
#pragma once

#include <string>
#include <vector>

namespace ct::linux_native {

// A new memfd holding the stub, sealed against every change (write, resize, mode), so that no
// container can alter what the next one runs through it.
Fd open_exec_stub();

// The stub's argv for a command: its marker, the error pipe's fd in the process, the PATH to
// search, the file to execute, then the command's own argv.
std::vector<std::string> exec_stub_args(int errfd, const std::string &path_env,
                                        const std::vector<std::string> &args);

}  // namespace ct::linux_native
