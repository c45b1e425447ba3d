// The network interfaces of one container (spec field `network`), set up with libnl-3.
// The session calls: check_host() in create (nothing made yet), attach() in start, on the
// container's network namespace (made before the clone, or the child's, between clone and
// the child's setup), release() in destroy and when a start fails.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "ct/spec.hpp"
#include "net/netlink.hpp"

namespace ct::linux_native::net {

class Network {
  public:
    explicit Network(std::vector<NetInterfaceSpec> ifaces) : ifaces_(std::move(ifaces)) {}
    bool empty() const { return ifaces_.empty(); }

    // Checks what the interfaces need on the host (parent devices, bridges, free names).
    // Throws ct::Error naming network[i] and the cause.
    // The types' own checks of their fields (no system call): an unknown type is
    // Errc::unsupported naming the types this backend has.
    void validate() const;
    void check_host() const;

    // Creates the interfaces, moves them into the network namespace `netns_fd`, configures
    // them there (name, MAC, MTU, addresses, routes, up). On failure undoes what it did and
    // throws. `state_dir` is the container's state directory, for anything that must outlive
    // this call (e.g. what to give back on release). `inside`, when set, is a socket in that
    // namespace already (else one is made).
    void attach(int netns_fd, const std::string &state_dir, Socket inside = {}) const;

    // Gives host devices back to the host and removes what attach() made that the kernel does
    // not remove by itself. Idempotent; safe when attach() never ran. Works from what attach()
    // recorded in `state_dir`, so any process can do it (the starting one may have crashed).
    void release(const std::string &state_dir) const;

    // For ContainerInfo.details: "net.<ifname>.host" -> the host-side device (veth host end,
    // hostnic's host name) of the last start. Empty when nothing is recorded.
    std::map<std::string, std::string> details(const std::string &state_dir) const;

  private:
    std::vector<NetInterfaceSpec> ifaces_;
};

}  // namespace ct::linux_native::net
