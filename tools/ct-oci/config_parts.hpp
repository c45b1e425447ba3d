// The parts of config.json's decoder, one file each (config.hpp is the interface).
#pragma once

#include <vector>

#include "config.hpp"
#include "reader.hpp"

namespace ct::oci {

// Which namespaces the container gets new (not joined, not the host's).
struct Namespaces {
    bool mount = false, net = false, ipc = false;
};

// config_mounts.cpp
std::vector<MountSpec> mounts_from_config(const Node &config, const BundleContext &ctx,
                                          const Namespaces &ns);

// config_linux.cpp: linux.* but resources (config_resources.cpp); fills the spec's fields.
void linux_from_config(const Node &linux, const BundleContext &ctx, Spec &spec);

// config_linux.cpp: OCI id lines [{containerID, hostID, size}] under `key` of `n` (the user
// namespace's, or a mount's), as they are written.
std::vector<IdMap> idmaps_from(const Node &n, const char *key);

// config_hooks.cpp
Hooks hooks_from_config(const Node &hooks);

}  // namespace ct::oci
