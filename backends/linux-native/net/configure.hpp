// What every interface gets inside the container, whatever its type: link up, the spec's
// addresses, then its routes (after every interface is up, since a gateway may be reached
// through another one). Done through a socket in the container's namespace.
#pragma once

#include <string>

#include "ct/spec.hpp"
#include "net/netlink.hpp"

namespace ct::linux_native::net {

// Brings spec.name up and adds its addresses; returns its ifindex. `where` starts messages.
int configure_link(const Socket &ns, const NetInterfaceSpec &spec, const std::string &field,
                   const std::string &where);

// Adds spec.gateway (as a default route) and spec.routes through device `ifindex`.
void configure_routes(const Socket &ns, const NetInterfaceSpec &spec, int ifindex,
                      const std::string &field, const std::string &where);

}  // namespace ct::linux_native::net
