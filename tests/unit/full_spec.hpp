// A spec that sets every field to a non-default value, in its C++ and YAML forms, shared by
// the codec and spec-file tests so that a field added to one but not the other is caught.
#pragma once

#include <string>

#include "ct/spec.hpp"

namespace ct::test {

// Every field of ct::Spec set, valid as a whole (validate() accepts it).
Spec full_spec();

// The YAML text that parse_spec_yaml() turns into exactly full_spec().
const std::string &full_spec_yaml();

}  // namespace ct::test
