// Spec files: the YAML form of ct::Spec that people write (docs/spec.md).
#pragma once

#include <cstddef>
#include <string>

#include "ct/export.hpp"
#include "ct/spec.hpp"

namespace ct {

// Bounds on what a spec file may cost to read (docs/spec.md, "Spec file limits"). yaml-cpp's tree
// takes about 240 bytes and 1 us per value, so a 1 MiB file of one-character list items already
// costs 250 MB and a second; real specs are a few KiB. YAML aliases are expanded when the tree is
// read, and are counted once per use.
inline constexpr size_t kMaxSpecFileBytes = size_t{1} << 20;       // the file (or stdin, or text)
inline constexpr size_t kMaxSpecValues = 100000;                   // scalars, lists and mappings
inline constexpr size_t kMaxSpecExpandedBytes = size_t{16} << 20;  // their text and field paths
inline constexpr int kMaxSpecDepth = 64;                           // lists and mappings nested

// The text of a spec file: a regular file of at most kMaxSpecFileBytes, or "-" for stdin (read
// up to the same bound). Anything else (a FIFO, a device, a directory) is refused without
// reading from it. Errc::not_found when it cannot be opened, Errc::invalid_spec otherwise; the
// message names the file.
CT_API std::string read_spec_file(const std::string &path);

// Parses a YAML spec. Every field is checked while reading: an unknown key, a value of the
// wrong type or a malformed size is an Error(invalid_spec) whose message names the origin,
// the line and the key, e.g.
//   web1.yaml:7: resources.memory: '64Q' is not a size (examples: 512k, 64M, 1G)
// Text longer than kMaxSpecFileBytes, or that expands past the other bounds, is refused.
// The result is not validated as a whole (a spec file may leave out what the command line
// adds, such as the name); call validate_spec_file() once it is complete.
CT_API Spec parse_spec_yaml(const std::string &text, const std::string &origin = "<spec>");

// read_spec_file() and parse_spec_yaml() (Errc::not_found when it cannot be read).
CT_API Spec load_spec_file(const std::string &path);

// validate(spec), with an error pointing at the line of `text` that holds the offending field
// when it came from there. `text`/`origin` are what parse_spec_yaml() got.
CT_API void validate_spec_file(const Spec &spec, const std::string &text,
                               const std::string &origin);

}  // namespace ct
