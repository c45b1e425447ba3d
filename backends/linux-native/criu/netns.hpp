// The container's network namespace across a checkpoint. Like runc and podman, libct does not
// have CRIU save it: the network is the runtime's to build (from the spec: loopback, sysctls,
// and the interfaces of `network`), on this host or on another one, or the engine's to give (a
// namespace joined by path). CRIU is told the namespace is external; the restore hands it the
// spec's, joined or built here. Sockets inside are still saved and restored by CRIU, on top of
// the addresses the spec gives back.
#pragma once

#include <string>

#include "ct/spec.hpp"
#include "support.hpp"

namespace ct::linux_native::criu {

inline constexpr char kNetnsKey[] = "ct-netns";

// CRIU's name of the network namespace of `pid`: "net[<inode>]".
std::string netns_id(pid_t pid);

// The network namespace a restore hands CRIU, with the spec's net.* sysctls set and its
// `network` interfaces attached (net::Network::attach, recorded in `state_dir` for release()):
// the one the spec joins by path (an engine's, made for the restore), else a new one with
// loopback up. Set up on a short-lived thread: a thread's unshare or setns leaves the rest of
// the process where it was.
Fd restore_netns(const Spec &spec, const std::string &state_dir);

}  // namespace ct::linux_native::criu
