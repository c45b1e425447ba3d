// The OCI state of a container (`state`, `list`): the fields of the OCI runtime spec's state,
// plus runc's rootfs, created and owner.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ct/info.hpp"

namespace ct::oci {

// "creating" never shows (create returns once the process waits): created, running, paused or
// stopped. A process that has exited but is not reaped yet (a zombie) is stopped already.
std::string oci_status(const ContainerInfo &info);

nlohmann::json state_json(const ContainerInfo &info);

}  // namespace ct::oci
