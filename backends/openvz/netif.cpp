#include "netif.hpp"

#include "ct/error.hpp"

namespace ct::openvz {
namespace {

[[noreturn]] void unsupported(const std::string &field, const std::string &why) {
    throw Error(Errc::unsupported, field + " is not supported by backend openvz: " + why);
}

const char *const kInside =
    "OpenVZ leaves addressing of veth and host interfaces to the container's own network "
    "configuration (use openvz.ip for venet addresses)";

void veth(const NetInterfaceSpec &n, const std::string &f, Generation g, InterfaceOptions &out) {
    auto no = [&](bool set, const char *key, const std::string &why) {
        if (set) unsupported(f + "." + key, why);
    };
    no(!n.addresses.empty(), "addresses", kInside);
    no(!n.gateway.empty(), "gateway", kInside);
    no(!n.routes.empty(), "routes", kInside);
    no(n.mtu != 0, "mtu", "vzctl --netif_add has no MTU parameter");
    no(!n.host_mac.empty(), "host_mac", "libct does not pass the host end's MAC to vzctl");
    std::string name = n.name.empty() ? n.host_name : n.name;
    if (g == Generation::legacy) {
        // ifname,mac,host_ifname,host_mac,bridge; vzctl generates what is left empty.
        std::string v = name + "," + n.mac + "," + n.host_name + ",," + n.bridge;
        while (v.back() == ',') v.pop_back();
        out.with_rest.insert(out.with_rest.end(), {"--netif_add", v});
        return;
    }
    no(!n.bridge.empty(), "bridge",
       "OpenVZ 7's vzctl --netif_add has no bridge field (it connects a veth to a virtual "
       "network, not to a bridge by name)");
    // The value is the name alone, which spec validation keeps to 15 characters (IFNAMSIZ),
    // as libvzctl needs; the MAC goes in --mac, which it takes only as xx:xx:xx:xx:xx:xx.
    Argv a{"--netif_add", name};
    if (!n.mac.empty() || !n.host_name.empty()) {
        a.insert(a.end(), {"--ifname", name});
        if (!n.mac.empty()) a.insert(a.end(), {"--mac", n.mac});
        if (!n.host_name.empty()) a.insert(a.end(), {"--host_ifname", n.host_name});
    }
    out.separate.push_back(a);
}

void hostnic(const NetInterfaceSpec &n, const std::string &f, InterfaceOptions &out) {
    auto no = [&](bool set, const char *key, const std::string &why) {
        if (set) unsupported(f + "." + key, why);
    };
    no(!n.name.empty() && n.name != n.host_name, "name",
       "vzctl --netdev_add moves a host device without renaming it");
    no(!n.addresses.empty(), "addresses", kInside);
    no(!n.gateway.empty(), "gateway", kInside);
    no(!n.routes.empty(), "routes", kInside);
    no(n.mtu != 0, "mtu", "vzctl --netdev_add keeps the device's MTU");
    no(!n.mac.empty(), "mac", "vzctl --netdev_add keeps the device's MAC address");
    out.with_rest.insert(out.with_rest.end(), {"--netdev_add", n.host_name});
}

}  // namespace

InterfaceOptions interface_options(const Spec &s, Generation generation) {
    InterfaceOptions out;
    for (size_t i = 0; i < s.network.size(); ++i) {
        const auto &n = s.network[i];
        std::string f = "network[" + std::to_string(i) + "]";
        if (n.type == "veth")
            veth(n, f, generation, out);
        else if (n.type == "hostnic")
            hostnic(n, f, out);
        else
            unsupported(f + ".type '" + n.type + "'",
                        "OpenVZ offers venet (openvz.ip), veth and host devices (hostnic)");
    }
    return out;
}

}  // namespace ct::openvz
