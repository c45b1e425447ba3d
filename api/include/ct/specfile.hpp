// Spec files: the YAML form of ct::Spec that people write (docs/spec.md).
#pragma once

#include <string>

#include "ct/export.hpp"
#include "ct/spec.hpp"

namespace ct {

// Parses a YAML spec. Every field is checked while reading: an unknown key, a value of the
// wrong type or a malformed size is an Error(invalid_spec) whose message names the origin,
// the line and the key, e.g.
//   web1.yaml:7: resources.memory: '64Q' is not a size (examples: 512k, 64M, 1G)
// The result is not validated as a whole (a spec file may leave out what the command line
// adds, such as the name); call validate_spec_file() once it is complete.
CT_API Spec parse_spec_yaml(const std::string &text, const std::string &origin = "<spec>");

// Reads and parses a YAML spec file (Errc::not_found when it cannot be read).
CT_API Spec load_spec_file(const std::string &path);

// validate(spec), with an error pointing at the line of `text` that holds the offending field
// when it came from there. `text`/`origin` are what parse_spec_yaml() got.
CT_API void validate_spec_file(const Spec &spec, const std::string &text,
                               const std::string &origin);

}  // namespace ct
