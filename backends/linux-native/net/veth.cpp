// veth: a pair of devices, one end in the container (spec.name), the other on the host
// (spec.host_name, or a generated "vethXXXXXXXX"), optionally a port of a host bridge.
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <sys/random.h>

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "net/nic.hpp"
#include "support.hpp"

namespace ct::linux_native::net {
namespace {

// Host ends made by libct carry this alias: a name still held by one of them is a pair the
// kernel is about to remove (see release()), worth waiting for rather than refusing.
constexpr const char kAliasPrefix[] = "libct:";

bool is_ours(rtnl_link *l) {
    const char *alias = rtnl_link_get_ifalias(l);
    return link_kind(l) == "veth" && alias &&
           std::strncmp(alias, kAliasPrefix, sizeof kAliasPrefix - 1) == 0;
}

// Waits (bounded) for a host end of an ended container to go with its namespace.
void wait_for_departed(const Socket &host, const std::string &name) {
    for (int i = 0; i < 400; ++i) {
        LinkPtr l = find_link(host, name);
        if (!l || !is_ours(l.get())) return;
        ::usleep(5000);
    }
}

std::string random_veth_name() {
    uint32_t r = 0;
    if (::getrandom(&r, sizeof r, 0) != sizeof r) r = static_cast<uint32_t>(::random());
    char buf[IFNAMSIZ];
    std::snprintf(buf, sizeof buf, "veth%08x", r);
    return buf;
}

// A veth is made with a queue pair per CPU by default, then cut down to the one it uses;
// cutting a registered device's queues waits for an expedited RCU grace period while holding
// the RTNL lock (0.1-0.3 ms here, twice per pair, stalling every other netlink and ioctl user
// meanwhile). Made with one queue pair, nothing is cut. (What is lost: raising the channel
// count later with `ethtool -L`.)
void one_queue_each(rtnl_link *l) {
    rtnl_link_set_num_tx_queues(l, 1);
    rtnl_link_set_num_rx_queues(l, 1);
}

class Veth : public Nic {
  public:
    using Nic::Nic;

    void validate() const override {
        if (spec_.name.empty()) invalid("name", "a veth needs the name of its end inside");
    }

    void check(const Socket &host) const override {
        // A name is free most of the time: one ioctl says so, where a netlink lookup through
        // libnl costs ~30 us (at every create). A taken one is looked at: it may be the pair of
        // an ended container, on its way out (attach() waits for it).
        if (!spec_.host_name.empty() &&
            (::if_nametoindex(spec_.host_name.c_str()) != 0 || errno != ENODEV)) {
            LinkPtr l = find_link(host, spec_.host_name);
            if (l && !is_ours(l.get())) throw_name_taken(spec_.host_name, where());
        }
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
        // The host end's address goes in the same request that makes the pair.
        if (!spec_.host_mac.empty())
            rtnl_link_set_addr(l.get(), parse_mac(spec_.host_mac, field() + ".host_mac").get());
        if (!spec_.bridge.empty()) rtnl_link_set_master(l.get(), bridge_index(ctx.host));
        rtnl_link_set_flags(l.get(), IFF_UP);
        one_queue_each(l.get());

        // The container end is made inside the container's namespace, under its final name:
        // it never exists on the host, so it cannot collide with a host device.
        LinkPtr peer(rtnl_link_veth_get_peer(l.get()));
        rtnl_link_set_name(peer.get(), spec_.name.c_str());
        set_mac_mtu(peer.get(), spec_, field());
        rtnl_link_set_ns_fd(peer.get(), ctx.netns_fd);
        one_queue_each(peer.get());

        int r = rtnl_link_add(ctx.host.get(), l.get(), NLM_F_CREATE | NLM_F_EXCL);
        if (r < 0 && nl_errno(r) == EEXIST && !spec_.host_name.empty()) {
            // The name may be held by the pair of an ended container, on its way out: wait for
            // it (a generated name is fresh), then try once more.
            wait_for_departed(ctx.host, host_end);
            r = rtnl_link_add(ctx.host.get(), l.get(), NLM_F_CREATE | NLM_F_EXCL);
        }
        if (r < 0) {
            if (nl_errno(r) == EEXIST)
                require_free_name(ctx.host, host_end, where());  // says which name is taken
            throw_nl(where() + ": create the veth pair (host end '" + host_end + "')", r);
        }
        // The kernel ignores an alias in a creation request: set it on the made device, found
        // by its name (index 0 in the request).
        LinkPtr by_name(rtnl_link_alloc()), change(rtnl_link_alloc());
        if (!by_name || !change) throw_sys(where() + ": allocate a link object", ENOMEM);
        rtnl_link_set_name(change.get(), host_end.c_str());
        rtnl_link_set_ifalias(change.get(), (kAliasPrefix + spec_.name).c_str());
        int c = rtnl_link_change(ctx.host.get(), by_name.get(), change.get(), 0);
        if (c < 0) throw_nl(where() + ": mark the host end '" + host_end + "' as libct's", c);
    }

    void release(const ReleaseContext &, const NicRecord &) const override {
        // Nothing to do: a veth pair lives and dies with the container's network namespace,
        // which ends with the container (its processes are gone, and the namespace is never
        // kept for a veth). The kernel then removes both ends in its batched namespace
        // cleanup. Deleting the host end here instead would make destroy wait for the
        // kernel's device unregistration — about 20 ms here, 15 times the whole rest of the
        // life cycle — for the same result. A new pair wanting the name meanwhile waits for it
        // (wait_for_departed).
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
