// Turning a spec (and the container's cgroups) into a LaunchPlan.
#pragma once

#include <string>
#include <vector>

#include "cgroups/cgroups.hpp"
#include "ct/spec.hpp"
#include "launch/launch.hpp"

namespace ct::linux_native {

// Checks what the spec needs from the host before anything is made: the rootfs, bind mount
// sources and joined namespace files exist (and are namespaces of their type), mount options
// parse. Throws Errc::not_found or Errc::invalid_spec naming the field and path.
void check_host_paths(const Spec &spec);

// CLONE_NEW* of a namespace type.
int clone_flag(Namespace ns);

// The /proc/sys file of a sysctl key ("net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward").
std::string sysctl_path(const std::string &key);

// Everything create checks against the host before making anything: check_host_paths, the
// mount points in the rootfs (fs/mount_points.hpp), what the caller may map into a user
// namespace, capability names and sysctls this kernel has, device nodes a user namespace can
// bind, users named in the container's /etc/passwd.
void check_host(const Spec &spec);

// The init process of a container. `process` is the spec's or an override.
LaunchPlan plan_init(const Spec &spec, const ProcessSpec &process, const ContainerCgroups &cgroups);

// The process part of a plan (command, environment, credentials, capabilities, limits,
// terminal): shared by a container's init and a process exec'd into it. `root_layers`: where
// the container's /etc/passwd and /etc/group are looked up (topmost first).
void plan_process(LaunchPlan &p, const Spec &spec, const ProcessSpec &process,
                  const std::vector<std::string> &root_layers);

// Mount options ("ro", "nosuid", "rbind", "mode=755", ...) -> flags, propagation and data.
// Throws Errc::invalid_spec naming `field` for a contradiction.
MountOp mount_op(const MountSpec &m, const std::string &field);

}  // namespace ct::linux_native
