// The stable JSON forms of libct's data (what `ct ... --json` prints; docs/ct.1.md describes
// every field). Readers should ignore fields they do not know: new ones are only added.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ct/export.hpp"
#include "ct/info.hpp"
#include "ct/spec.hpp"

namespace ct {

CT_API std::string to_json(const Spec &spec);
CT_API std::string to_json(const ContainerInfo &info);
CT_API std::string to_json(const std::vector<ContainerInfo> &list);
CT_API std::string to_json(const Stats &stats);
CT_API std::string to_json(const std::vector<ProcessInfo> &processes);
CT_API std::string to_json(const std::vector<BackendInfo> &backends);

// A spec from its JSON form (the same fields as YAML). Errors name the field.
CT_API Spec spec_from_json(const std::string &text);

// A seccomp profile in the OCI runtime spec's LinuxSeccomp form (what `seccomp:` of a spec
// holds): "unconfined" for none. The reader gives nullopt for "default".
CT_API std::string to_json(const SeccompSpec &profile);
CT_API std::optional<SeccompSpec> seccomp_from_json(const std::string &text);

}  // namespace ct
