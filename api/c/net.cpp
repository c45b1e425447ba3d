// Network settings: veth pairs, host devices, addresses, routes. They become the spec's
// `network` list when the container is spawned (spawn.cpp).
#include <sched.h>

#include <algorithm>

#include "internal.hpp"

using namespace ct::capi;

namespace {

// The container of a device handle, locked and stopped.
std::unique_lock<std::mutex> lock_dev(ct_net *n) {
    need(n, "network device");
    auto l = lock(n->ct);
    n->ct->require_stopped();
    return l;
}

[[noreturn]] void host_end_only(const ct_net *n, const char *what) {
    throw Failure(-LCTERR_OPNOTSUPP, std::string(what) + " of the host end of veth '" +
                                         n->owner->spec.name +
                                         "' is not supported (only of the container's end)");
}

bool matches(const ct_net &n, enum ct_net_type type, void *arg) {
    if (!arg) return false;
    if (type == CT_NET_HOSTNIC)
        return n.spec.type == "hostnic" && n.spec.host_name == static_cast<const char *>(arg);
    if (type == CT_NET_VETH) {
        auto *va = static_cast<struct ct_net_veth_arg *>(arg);
        return n.spec.type == "veth" && ((va->ct_name && n.spec.name == va->ct_name) ||
                                         (va->host_name && n.spec.host_name == va->host_name));
    }
    return false;
}

}  // namespace

extern "C" {

ct_net_t libct_net_add(ct_handler_t ct, enum ct_net_type type, void *arg) {
    return guard_handle<ct_net_t>([&]() -> ct_net_t {
        auto l = lock(ct);
        ct->require_stopped();
        if (type == CT_NET_NONE) return nullptr;
        if (!(ct->nsmask & CLONE_NEWNET))
            throw Failure(-LCTERR_NONS, "container '" + ct->name +
                                            "': network devices need CLONE_NEWNET in the "
                                            "namespace mask");
        auto n = std::make_unique<ct_net>();
        n->ct = ct;
        if (type == CT_NET_HOSTNIC) {
            n->spec.type = "hostnic";
            n->spec.host_name = need_str(static_cast<const char *>(arg), "host device name");
            n->spec.name = n->spec.host_name;
        } else if (type == CT_NET_VETH) {
            if (!arg) throw Failure(-LCTERR_INVARG, "libct_net_add: the veth argument is NULL");
            auto *va = static_cast<struct ct_net_veth_arg *>(arg);
            n->spec.type = "veth";
            n->spec.host_name = need_str(va->host_name, "veth host_name");
            n->spec.name = need_str(va->ct_name, "veth ct_name");
        } else {
            throw Failure(-LCTERR_BADTYPE, "unknown network type " + std::to_string(type));
        }
        ct->nets.push_back(std::move(n));
        return ct->nets.back().get();
    });
}

int libct_net_del(ct_handler_t ct, enum ct_net_type type, void *arg) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        if (type != CT_NET_HOSTNIC && type != CT_NET_VETH)
            throw Failure(-LCTERR_BADTYPE, "unknown network type " + std::to_string(type));
        auto it = std::find_if(ct->nets.begin(), ct->nets.end(),
                               [&](const auto &n) { return matches(*n, type, arg); });
        if (it == ct->nets.end())
            throw Failure(-LCTERR_NOTFOUND, "container '" + ct->name + "' has no such device");
        ct->nets.erase(it);
        return 0;
    });
}

int libct_net_dev_set_mac_addr(ct_net_t n, const char *addr) {
    return guard([&] {
        auto l = lock_dev(n);
        // The host end of a veth (libct_net_dev_get_peer): its own address, on the host.
        (n->owner ? n->owner->spec.host_mac : n->spec.mac) = need_str(addr, "MAC address");
        return 0;
    });
}

int libct_net_dev_set_master(ct_net_t n, const char *master) {
    return guard([&] {
        auto l = lock_dev(n);
        if (!n->owner)
            throw Failure(-LCTERR_OPNOTSUPP,
                          "device '" + n->spec.name +
                              "': only the host end of a veth (libct_net_dev_get_peer) can "
                              "join a bridge");
        n->owner->spec.bridge = need_str(master, "bridge name");
        return 0;
    });
}

ct_net_t libct_net_dev_get_peer(ct_net_t n) {
    return guard_handle<ct_net_t>([&] {
        auto l = lock_dev(n);
        if (n->owner) return n->owner;  // the peer of the host end is the container's end
        if (n->spec.type != "veth")
            throw Failure(-LCTERR_BADTYPE, "device '" + n->spec.name + "' is not a veth");
        if (!n->peer) {
            n->peer = std::make_unique<ct_net>();
            n->peer->ct = n->ct;
            n->peer->owner = n;
            n->peer->spec.name = n->spec.host_name;
        }
        return n->peer.get();
    });
}

int libct_net_dev_add_ip_addr(ct_net_t n, const char *addr) {
    return guard([&] {
        auto l = lock_dev(n);
        if (n->owner) host_end_only(n, "an address");
        n->spec.addresses.push_back(need_str(addr, "address"));
        return 0;
    });
}

int libct_net_dev_set_mtu(ct_net_t n, int mtu) {
    return guard([&] {
        auto l = lock_dev(n);
        if (mtu < 68 || mtu > 65535)
            throw Failure(-LCTERR_INVARG, "MTU " + std::to_string(mtu) + " is outside 68..65535");
        // A veth's two ends share one MTU.
        (n->owner ? n->owner : n)->spec.mtu = static_cast<uint32_t>(mtu);
        return 0;
    });
}

ct_net_route_t libct_net_route_add(ct_handler_t ct) {
    return guard_handle<ct_net_route_t>([&] {
        auto l = lock(ct);
        ct->require_stopped();
        auto r = std::make_unique<ct_net_route>();
        r->ct = ct;
        ct->routes.push_back(std::move(r));
        return ct->routes.back().get();
    });
}

int libct_net_route_set_src(ct_net_route_t r, const char *) {
    return guard([&]() -> int {
        need(r, "route");
        throw Failure(-LCTERR_OPNOTSUPP, "container '" + r->ct->name +
                                             "': a route's preferred source address is not "
                                             "supported");
    });
}

int libct_net_route_set_dst(ct_net_route_t r, const char *addr) {
    return guard([&] {
        need(r, "route");
        auto l = lock(r->ct);
        r->ct->require_stopped();
        r->dst = need_str(addr, "route destination");
        return 0;
    });
}

int libct_net_route_set_dev(ct_net_route_t r, const char *dev) {
    return guard([&] {
        need(r, "route");
        auto l = lock(r->ct);
        r->ct->require_stopped();
        r->dev = need_str(dev, "route device");
        return 0;
    });
}

ct_net_route_nh_t libct_net_route_add_nh(ct_net_route_t r) {
    return guard_handle<ct_net_route_nh_t>([&] {
        need(r, "route");
        auto l = lock(r->ct);
        r->ct->require_stopped();
        if (!r->nhs.empty())
            throw Failure(-LCTERR_OPNOTSUPP, "container '" + r->ct->name +
                                                 "': routes with several next hops "
                                                 "(multipath) are not supported");
        auto nh = std::make_unique<ct_net_route_nh>();
        nh->ct = r->ct;
        r->nhs.push_back(std::move(nh));
        return r->nhs.back().get();
    });
}

int libct_net_route_nh_set_gw(ct_net_route_nh_t nh, const char *addr) {
    return guard([&] {
        need(nh, "next hop");
        auto l = lock(nh->ct);
        nh->ct->require_stopped();
        nh->gw = need_str(addr, "gateway");
        return 0;
    });
}

int libct_net_route_nh_set_dev(ct_net_route_nh_t nh, const char *dev) {
    return guard([&] {
        need(nh, "next hop");
        auto l = lock(nh->ct);
        nh->ct->require_stopped();
        nh->dev = need_str(dev, "next hop device");
        return 0;
    });
}

}  // extern "C"
