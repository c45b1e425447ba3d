#include "net/configure.hpp"
#include "support.hpp"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

namespace ct::linux_native::net {
namespace {

void add_route(const Socket &ns, const NetRouteSpec &rs, int ifindex, const std::string &field,
               const std::string &where) {
    AddrPtr via;
    if (!rs.via.empty()) via = parse_addr(rs.via, AF_UNSPEC, field + ".via");
    // "default" takes its family from the gateway; an on-link default route is IPv4.
    int family = via ? nl_addr_get_family(via.get()) : AF_INET;
    AddrPtr dst = parse_addr(rs.dst, rs.dst == "default" ? family : AF_UNSPEC, field + ".dst");
    family = nl_addr_get_family(dst.get());

    RoutePtr r(rtnl_route_alloc());
    if (!r) throw_sys(where + ": allocate a route object", ENOMEM);
    rtnl_route_set_family(r.get(), static_cast<uint8_t>(family));
    rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(r.get(), RTPROT_BOOT);
    rtnl_route_set_scope(r.get(), via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    rtnl_route_set_type(r.get(), RTN_UNICAST);
    if (int e = rtnl_route_set_dst(r.get(), dst.get()); e < 0)
        throw_nl(where + ": route to " + rs.dst, e);
    if (rs.metric) rtnl_route_set_priority(r.get(), rs.metric);
    rtnl_nexthop *nh = rtnl_route_nh_alloc();
    if (!nh) throw_sys(where + ": allocate a next hop object", ENOMEM);
    rtnl_route_nh_set_ifindex(nh, ifindex);
    if (via) rtnl_route_nh_set_gateway(nh, via.get());
    rtnl_route_add_nexthop(r.get(), nh);  // owned by the route from here
    if (int e = rtnl_route_add(ns.get(), r.get(), NLM_F_EXCL); e < 0)
        throw_nl(where + ": add route to " + rs.dst + (rs.via.empty() ? "" : " via " + rs.via), e);
}

}  // namespace

int configure_link(const Socket &ns, const NetInterfaceSpec &spec, const std::string &field,
                   const std::string &where) {
    int ifindex = link_index(ns, spec.name.empty() ? spec.host_name : spec.name);
    if (!ifindex)
        throw Error(Errc::backend, where + ": the device is missing from the container", ENODEV);
    LinkPtr l = new_link(), up = new_link();
    rtnl_link_set_ifindex(l.get(), ifindex);
    rtnl_link_set_flags(up.get(), IFF_UP);
    if (int r = rtnl_link_change(ns.get(), l.get(), up.get(), 0); r < 0)
        throw_nl(where + ": bring the device up", r);

    for (size_t i = 0; i < spec.addresses.size(); ++i) {
        const std::string &text = spec.addresses[i];
        AddrPtr local =
            parse_addr(text, AF_UNSPEC, field + ".addresses[" + std::to_string(i) + "]");
        IfAddrPtr a(rtnl_addr_alloc());
        if (!a) throw_sys(where + ": allocate an address object", ENOMEM);
        rtnl_addr_set_ifindex(a.get(), ifindex);
        if (int r = rtnl_addr_set_local(a.get(), local.get()); r < 0)
            throw_nl(where + ": address " + text, r);
        // Addresses given in the spec are assigned, not negotiated: skipping duplicate address
        // detection makes an IPv6 address usable at once instead of after a second or two.
        if (nl_addr_get_family(local.get()) == AF_INET6) rtnl_addr_set_flags(a.get(), IFA_F_NODAD);
        if (int r = rtnl_addr_add(ns.get(), a.get(), NLM_F_EXCL); r < 0)
            throw_nl(where + ": add address " + text, r);
    }
    return ifindex;
}

void configure_routes(const Socket &ns, const NetInterfaceSpec &spec, int ifindex,
                      const std::string &field, const std::string &where) {
    if (!spec.gateway.empty())
        add_route(ns, NetRouteSpec{"default", spec.gateway, 0}, ifindex, field + ".gateway", where);
    for (size_t i = 0; i < spec.routes.size(); ++i)
        add_route(ns, spec.routes[i], ifindex, field + ".routes[" + std::to_string(i) + "]", where);
}

}  // namespace ct::linux_native::net
