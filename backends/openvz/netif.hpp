// A spec's veth and host interfaces as each generation's `vzctl set` adds them.
//
// vzctl 4.x: --netif_add ifname[,mac,host_ifname,host_mac,bridge], empty fields generated, all
// interfaces in the one `vzctl set` with the rest of the spec.
// vzctl 7.x (libvzctl): the --netif_add value is taken as the interface name too, so it is at
// most 16 characters; a MAC field, when present, must be 17 characters; there is no bridge
// field. The MAC and host name go in --ifname NAME --mac M --host_ifname H, which may be given
// once per command, and a command with --netif_add or --ifname makes --ipadd an address of that
// veth instead of a venet address: so each interface is a `vzctl set` of its own there.
#pragma once

#include <vector>

#include "commands.hpp"
#include "generation.hpp"

namespace ct::openvz {

struct InterfaceOptions {
    Argv with_rest;              // options for the `vzctl set` of the rest of the spec
    std::vector<Argv> separate;  // one more `vzctl set CTID <options> --save` each
};

// Throws Errc::unsupported naming the spec field for what the generation's vzctl cannot do.
InterfaceOptions interface_options(const Spec &s, Generation generation);

}  // namespace ct::openvz
