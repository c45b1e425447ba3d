// hostnic: a host device (spec.host_name) moved into the container, renamed to spec.name (if
// given), and given back on release under its old name, with its old MAC, MTU and up/down
// state. The kernel would destroy a virtual device (a veth end...) with the namespace, and hand
// a physical one back under any free name: so Network keeps the namespace (gives_back()) until
// release() has given the device back.
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>

#include "net/nic.hpp"

namespace ct::linux_native::net {
namespace {

std::string mac_text(rtnl_link *l) {
    nl_addr *a = rtnl_link_get_addr(l);
    if (!a || nl_addr_get_len(a) == 0) return "";
    char buf[64];
    return nl_addr2str(a, buf, sizeof buf);
}

std::string get(const NicRecord &rec, const char *key) {
    auto it = rec.find(key);
    return it == rec.end() ? "" : it->second;
}

class HostNic : public Nic {
  public:
    HostNic(const NetInterfaceSpec &s, const std::string &field)
        : Nic(s, field), inside_(s.name.empty() ? s.host_name : s.name) {
        where_ = field_ + " (hostnic " + s.host_name + ")";
    }

    void validate() const override {
        if (spec_.host_name.empty()) invalid("host_name", "a hostnic needs the host device's name");
    }

    void check(const Socket &host) const override { device(host); }

    void prepare(const Socket &host, NicRecord &rec) const override {
        LinkPtr l = device(host);
        rec["host"] = spec_.host_name;
        rec["inside"] = inside_;
        rec["host_ifindex"] = std::to_string(rtnl_link_get_ifindex(l.get()));
        rec["mtu"] = std::to_string(rtnl_link_get_mtu(l.get()));
        rec["mac"] = mac_text(l.get());
        rec["up"] = std::to_string((rtnl_link_get_flags(l.get()) & IFF_UP) ? 1 : 0);
    }

    bool gives_back() const override { return true; }

    void attach(const AttachContext &ctx, NicRecord &rec) const override {
        // By index, as recorded: the very device whose state prepare() saved.
        LinkPtr l = find_link(ctx.host, std::stoi(rec.at("host_ifindex")));
        if (!l || spec_.host_name != rtnl_link_get_name(l.get()))
            throw Error(Errc::not_found,
                        where() + ": host device '" + spec_.host_name + "' has gone", ENODEV);
        // One request: the kernel moves it (closing it), renames it on arrival, then applies
        // MAC and MTU.
        LinkPtr c = new_link();
        rtnl_link_set_ns_fd(c.get(), ctx.netns_fd);
        rtnl_link_set_name(c.get(), inside_.c_str());
        set_mac_mtu(c.get(), spec_, field());
        if (int r = rtnl_link_change(ctx.host.get(), l.get(), c.get(), 0); r < 0)
            throw_nl(where() + ": move host device '" + spec_.host_name +
                         "' into the container as '" + inside_ + "'",
                     r);
        // Its index may change on the way in (taken in the container's namespace).
        if (LinkPtr in = find_link(ctx.ns(), inside_))
            rec["ifindex"] = std::to_string(rtnl_link_get_ifindex(in.get()));
    }

    void release(const ReleaseContext &ctx, const NicRecord &rec) const override {
        std::string host_name = get(rec, "host");
        if (host_name.empty()) return;
        LinkPtr l;
        if (ctx.ns) {
            std::string idx = get(rec, "ifindex");
            if (!idx.empty()) l = find_link(*ctx.ns, std::stoi(idx));
            if (!l) l = find_link(*ctx.ns, get(rec, "inside"));
        }
        if (l) {
            give_back(*ctx.ns, l.get(), rec, ctx.host_netns_fd);
            return;
        }
        // Not in the container: never moved (it is still on the host under its name), or
        // handed back by the kernel when the namespace died (same index, maybe another name),
        // or destroyed with it (a virtual device: nothing left to give back).
        l = find_link(ctx.host, std::stoi(get(rec, "host_ifindex")));
        if (!l || host_name == rtnl_link_get_name(l.get())) return;
        std::string mac = spec_.mac.empty() ? get(rec, "mac") : spec_.mac;
        if (mac_text(l.get()) != mac) return;  // the index has another owner now
        give_back(ctx.host, l.get(), rec, -1);
    }

    std::string host_device(const NicRecord &rec) const override { return get(rec, "host"); }

  private:
    LinkPtr device(const Socket &host) const {
        LinkPtr l = require_host_device(host, spec_.host_name, where(), "host device");
        if (rtnl_link_get_flags(l.get()) & IFF_LOOPBACK)
            throw Error(Errc::invalid_spec,
                        where() + ": '" + spec_.host_name + "' is the host's loopback device");
        return l;
    }

    // Restores the device (found through `s`) to its recorded name, MAC, MTU and state, moving
    // it to the host first when `host_netns_fd` >= 0.
    void give_back(const Socket &s, rtnl_link *l, const NicRecord &rec, int host_netns_fd) const {
        const std::string host_name = get(rec, "host");
        auto request = [&](const std::string &name) {
            LinkPtr c = new_link();
            if (host_netns_fd >= 0) rtnl_link_set_ns_fd(c.get(), host_netns_fd);
            rtnl_link_set_name(c.get(), name.c_str());
            if (!get(rec, "mac").empty())
                rtnl_link_set_addr(c.get(), parse_mac(get(rec, "mac"), field()).get());
            if (!get(rec, "mtu").empty()) rtnl_link_set_mtu(c.get(), std::stoul(get(rec, "mtu")));
            if (get(rec, "up") == "1")
                rtnl_link_set_flags(c.get(), IFF_UP);
            else
                rtnl_link_unset_flags(c.get(), IFF_UP);
            return rtnl_link_change(s.get(), l, c.get(), 0);
        };
        if (host_netns_fd < 0 && (rtnl_link_get_flags(l) & IFF_UP)) {
            // A renamed device must be down first.
            LinkPtr down = new_link();
            rtnl_link_unset_flags(down.get(), IFF_UP);
            rtnl_link_change(s.get(), l, down.get(), 0);
        }
        int r = request(host_name);
        // Someone took its name meanwhile: back under a free one, as the kernel itself does.
        if (r < 0 && nl_errno(r) == EEXIST) r = request("dev%d");
        if (r < 0)
            throw_nl(where() + ": give device '" + rtnl_link_get_name(l) +
                         "' back to the host as '" + host_name + "'",
                     r);
    }

    std::string inside_;
};

const NicRegistrar reg("hostnic", [](const NetInterfaceSpec &s, const std::string &field) {
    return std::make_unique<HostNic>(s, field);
});

}  // namespace
}  // namespace ct::linux_native::net
