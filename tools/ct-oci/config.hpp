// config.json (the OCI runtime spec, versions 1.0.x-1.2.x) -> ct::Spec, and the OCI process
// and resources documents of exec and update -> their libct counterparts. The result goes
// through ct::validate like a YAML spec. A property this runtime knows but cannot honour is an
// error naming it (Errc::unsupported), never dropped; properties it does not know are ignored,
// as the OCI runtime spec requires of a runtime. docs/oci.md has the field-by-field table.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ct/spec.hpp"

namespace ct::oci {

// The OCI runtime spec version this runtime implements (`state`, `features`, hooks' state).
inline constexpr const char kSpecVersion[] = "1.2.0";

// Where a conversion reports what it adjusted to match runc (the --log file's warnings).
using Warn = std::function<void(const std::string &)>;

struct BundleContext {
    std::string id;               // the container's id: Spec::name
    std::string bundle;           // absolute bundle directory: relative paths are taken from there
    bool systemd_cgroup = false;  // --systemd-cgroup: cgroupsPath is "slice:prefix:name"
    // Whether a host path is on a shared mount: a shared bind under a shared root propagates
    // both ways (runc's rshared) only from one; unset: every path is taken as being on one.
    std::function<bool(const std::string &)> on_shared_mount;
    Warn warn;  // unset: adjustments are silent
};

// Reads <bundle>/config.json (a regular file of at most 4 MiB). Errors name the file.
nlohmann::json read_config(const std::string &bundle);

// The spec of `config` (config.json parsed). Throws ct::Error naming the field
// ("config.json: linux.resources.hugepageLimits: ...").
Spec spec_from_config(const nlohmann::json &config, const BundleContext &ctx);

// An OCI process (config.json's "process", or exec --process FILE). `origin` names the
// document in errors. Ambient capabilities the kernel cannot raise (not both permitted and
// inheritable) are left out with a warning, as runc does: Buildah (so `podman build`) asks
// for its whole set as ambient without inheritable ones.
ProcessSpec process_from_config(const nlohmann::json &process, const std::string &origin,
                                const std::string &path = "process", const Warn &warn = {});

// OCI LinuxResources (config.json's linux.resources, or update --resources FILE).
Resources resources_from_config(const nlohmann::json &resources, const std::string &origin,
                                const std::string &path = "linux.resources");

// An OCI blkio weight (10..1000, cgroup v1's blkio.weight) as the spec's io weight
// (1..10000, cgroup v2's io.weight), converted as runc converts it for cgroup v2; the backend
// converts it back exactly on a v1 host. 0 (not set) stays 0. nullopt: out of range.
std::optional<uint64_t> io_weight_of_blkio(uint64_t weight);

// "1.0.2-dev", "1.1.0", "1.2.1": accepted; anything else throws naming it.
void check_version(const std::string &version, const std::string &origin);

// cgroupsPath as a cgroup directory below the hierarchies' roots: "/a/b" and "a/b" as they
// are; with systemd_cgroup, "machine.slice:libpod:abc" -> "machine.slice/libpod-abc.scope".
std::string cgroup_path(const std::string &cgroups_path, bool systemd_cgroup,
                        const std::string &origin);

}  // namespace ct::oci
