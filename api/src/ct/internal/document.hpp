// JSON documents that cross the driver boundary (docs/driver-abi.md). Internal: linked
// statically (hidden) into libct.so and into every backend.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ct/error.hpp"
#include "ct/info.hpp"
#include "ct/spec.hpp"

namespace ct::doc {

// Version of the spec/process/info documents. A reader refuses a newer major.
constexpr int kVersion = 1;

// A decoding error that knows which field it is about ("resources.memory", "mounts[1].target"),
// so a YAML front end can point at the line.
class FieldError : public Error {
  public:
    FieldError(std::string path, const std::string &what)
        : Error(Errc::invalid_spec, path.empty() ? what : path + ": " + what),
          path_(std::move(path)),
          what_(what) {}
    const std::string &path() const { return path_; }
    const std::string &reason() const { return what_; }

  private:
    std::string path_;
    std::string what_;
};

// Encoders omit fields at their default value, so a spec that uses no new field is readable by
// an older backend. Decoders are strict: an unknown field is an error, never ignored.
nlohmann::json spec_to_json(const Spec &spec);
Spec spec_from_json(const nlohmann::json &j);
std::string encode_spec(const Spec &spec);
Spec decode_spec(std::string_view text);

nlohmann::json process_to_json(const ProcessSpec &p);
ProcessSpec process_from_json(const nlohmann::json &j, const std::string &path = "process");
std::string encode_process(const ProcessSpec &p);
ProcessSpec decode_process(std::string_view text);

nlohmann::json resources_to_json(const Resources &r);
Resources resources_from_json(const nlohmann::json &j, const std::string &path = "resources");

// A seccomp profile in the OCI runtime spec's LinuxSeccomp form; "unconfined" for none. The
// decoder returns nullopt for "default".
nlohmann::json seccomp_to_json(const SeccompSpec &p);
std::optional<SeccompSpec> seccomp_from_json(const nlohmann::json &j, const std::string &path);

nlohmann::json info_to_json(const ContainerInfo &info);
ContainerInfo info_from_json(const nlohmann::json &j);

nlohmann::json stats_to_json(const Stats &s);
Stats stats_from_json(const nlohmann::json &j);
nlohmann::json processes_to_json(const std::vector<ProcessInfo> &p);
std::vector<ProcessInfo> processes_from_json(const nlohmann::json &j);

// Parses text as JSON; a syntax error becomes Errc::invalid_spec naming `what`.
nlohmann::json parse(std::string_view text, const char *what);

// The integer at `key` of the object `o` (`fallback` when absent), for documents read outside
// these codecs (CRIU image meta): an integer within T's range, never a float converted
// unchecked; else a FieldError naming the key. T: int, uint32_t, int64_t or uint64_t.
template <class T>
T integer_field(const nlohmann::json &o, const std::string &key, T fallback);

}  // namespace ct::doc
