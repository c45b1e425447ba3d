// Parts of validate(Spec) kept in files of their own.
#pragma once

#include "ct/spec.hpp"

namespace ct {

// The confinement fields (validate_security.cpp). `new_mountns`: the spec makes a mount
// namespace of its own.
void validate_security(const Spec &spec, bool new_mountns);

// Why `name` may not be a key of resources.unified ("" if it may): a name with '/' or "..",
// or a cgroup core file that moves processes or changes the tree (cgroup.procs,
// cgroup.subtree_control, cgroup.kill, ...). The backend checks again before writing.
std::string unified_file_refusal(const std::string &name);

}  // namespace ct
