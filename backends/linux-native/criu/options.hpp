// The option documents of checkpoint() and restore() (docs/driver-abi.md), decoded strictly,
// and the names both sides of a checkpoint agree on.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "ct/spec.hpp"

namespace ct::linux_native::criu {

struct CheckpointOptions {
    std::string dir;  // absolute
    bool leave_running = false;
    bool tcp_established = false;
    bool file_locks = false;
};

struct RestoreOptions {
    std::string dir;  // absolute
    bool detach = true;
    std::array<int, 3> stdio = {-1, -1, -1};  // caller's fds; -1: none (criu/stdio.hpp)
    // The caller's AF_UNIX socket that gets the new master of a -t container's terminal.
    int console_socket = -1;
    // The caller's configuration, replacing the images' (criu/restore_spec.hpp).
    std::optional<Spec> spec;
};

// Throw invalid_argument naming the field.
CheckpointOptions parse_checkpoint_options(const std::string &doc);
RestoreOptions parse_restore_options(const std::string &doc);

// A bind mount of the spec in CRIU's terms: its mount point inside the container ("/data"),
// and the key that names its source in the images ("ct-mnt-<index in spec.mounts>").
std::string mount_target(const MountSpec &m);
std::string mount_key(size_t index);
// Where a restore binds the container's root for CRIU, in the container's state directory
// (taken off when the restore ends; an interrupted one's by the next start or destroy).
std::string root_bind_dir(const std::string &state_dir);
// The bind of one cgroup directory that a "cgroup" mount is made of (cgroups/mount.cpp):
// "<target>/<hierarchy>" ("/sys/fs/cgroup/memory", ".../systemd" for name=systemd), and its
// key ("ct-mnt-<index>-<hierarchy>"). External to CRIU like a bind mount: the restore binds
// the cgroup directories it makes.
std::string cgroup_mount_target(const MountSpec &m, const std::string &hierarchy);
std::string cgroup_mount_key(size_t index, const std::string &hierarchy);

}  // namespace ct::linux_native::criu
