// veth: a pair of devices, one end in the container (spec.name), the other on the host
// (spec.host_name, or a generated "vethXXXXXXXX"), optionally a port of a host bridge.
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <sys/random.h>

#include <cstdio>

#include "net/nic.hpp"
#include "sys.hpp"

namespace ct::linux_native::net {
namespace {

std::string random_veth_name() {
    uint32_t r = 0;
    if (::getrandom(&r, sizeof r, 0) != sizeof r) r = static_cast<uint32_t>(::random());
    char buf[IFNAMSIZ];
    std::snprintf(buf, sizeof buf, "veth%08x", r);
    return buf;
}

class Veth : public Nic {
  public:
    using Nic::Nic;

    void check(const Socket &host) const override {
        if (!spec_.host_name.empty()) require_free_name(host, spec_.host_name, where());
        if (!spec_.bridge.empty()) bridge_index(host);
    }

    void prepare(const Socket &, NicRecord &rec) const override {
        rec["host"] = spec_.host_name.empty() ? random_veth_name() : spec_.host_name;
    }

    void attach(const AttachContext &ctx, NicRecord &rec) const override {
        const std::string &host_end = rec.at("host");
        LinkPtr l(rtnl_link_veth_alloc());
        if (!l) throw_sys(where() + ": allocate a veth link object", ENOMEM);
        rtnl_link_set_name(l.get(), host_end.c_str());
        if (spec_.mtu) rtnl_link_set_mtu(l.get(), spec_.mtu);  // both ends alike
        if (!spec_.bridge.empty()) rtnl_link_set_master(l.get(), bridge_index(ctx.host));
        rtnl_link_set_flags(l.get(), IFF_UP);

        // The container end is made inside the container's namespace, under its final name:
        // it never exists on the host, so it cannot collide with a host device.
        LinkPtr peer(rtnl_link_veth_get_peer(l.get()));
        rtnl_link_set_name(peer.get(), spec_.name.c_str());
        set_mac_mtu(peer.get(), spec_, field());
        rtnl_link_set_ns_fd(peer.get(), ctx.netns_fd);

        int r = rtnl_link_add(ctx.host.get(), l.get(), NLM_F_CREATE | NLM_F_EXCL);
        if (r < 0) {
            if (nl_errno(r) == EEXIST)
                require_free_name(ctx.host, host_end, where());  // says which name is taken
            throw_nl(where() + ": create the veth pair (host end '" + host_end + "')", r);
        }
        if (LinkPtr made = find_link(ctx.host, host_end))
            rec["ifindex"] = std::to_string(rtnl_link_get_ifindex(made.get()));
    }

    void release(const ReleaseContext &ctx, const NicRecord &rec) const override {
        // Deleting the host end deletes the pair. The kernel would do it too once the
        // container's namespace is gone, but asynchronously: done here, destroy leaves nothing.
        auto host = rec.find("host");
        if (host == rec.end()) return;
        LinkPtr l = find_link(ctx.host, host->second);
        if (!l || link_kind(l.get()) != "veth") return;
        auto idx = rec.find("ifindex");
        if (idx != rec.end() && idx->second != std::to_string(rtnl_link_get_ifindex(l.get())))
            return;  // the name has been reused by a device that is not ours
        int r = rtnl_link_delete(ctx.host.get(), l.get());
        if (r < 0 && nl_errno(r) != ENODEV)
            throw_nl(where() + ": delete the veth pair (host end '" + host->second + "')", r);
    }

    std::string host_device(const NicRecord &rec) const override {
        auto it = rec.find("host");
        return it == rec.end() ? "" : it->second;
    }

  private:
    int bridge_index(const Socket &host) const {
        LinkPtr br = require_host_device(host, spec_.bridge, where(), "bridge");
        if (link_kind(br.get()) != "bridge")
            throw Error(Errc::invalid_spec,
                        where() + ": host device '" + spec_.bridge + "' is not a bridge (it is " +
                            (link_kind(br.get()).empty() ? std::string("a physical device")
                                                         : "a " + link_kind(br.get())) +
                            ")");
        return rtnl_link_get_ifindex(br.get());
    }
};

const NicRegistrar reg("veth", [](const NetInterfaceSpec &s, const std::string &field) {
    return std::make_unique<Veth>(s, field);
});

}  // namespace
}  // namespace ct::linux_native::net
