// Parts of validate(Spec) kept in files of their own.
#pragma once

#include "ct/spec.hpp"

namespace ct {

// The confinement fields (validate_security.cpp). `new_mountns`: the spec makes a mount
// namespace of its own.
void validate_security(const Spec &spec, bool new_mountns);

}  // namespace ct
