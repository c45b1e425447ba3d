#include "net/nic.hpp"

#include <netlink/route/link.h>

namespace ct::linux_native::net {
namespace {

// Function-local, so registrars in other files may run before or after this file's statics.
std::map<std::string, NicFactory> &registry() {
    static std::map<std::string, NicFactory> r;
    return r;
}

}  // namespace

NicRegistrar::NicRegistrar(const std::string &type, NicFactory make) {
    registry()[type] = std::move(make);
}

std::unique_ptr<Nic> make_nic(const NetInterfaceSpec &spec, const std::string &field) {
    auto it = registry().find(spec.type);
    if (it == registry().end()) {
        std::string known;
        for (const auto &[k, f] : registry()) known += (known.empty() ? "" : ", ") + k;
        throw Error(Errc::unsupported, field + ".type: interface type '" + spec.type +
                                           "' is not supported by backend linux (known: " + known +
                                           ")");
    }
    return it->second(spec, field);
}

LinkPtr require_host_device(const Socket &host, const std::string &name, const std::string &where,
                            const std::string &role) {
    LinkPtr l = find_link(host, name);
    if (!l)
        throw Error(Errc::not_found,
                    where + ": " + role + " '" + name + "' does not exist on the host", ENODEV);
    return l;
}

void throw_name_taken(const std::string &name, const std::string &where) {
    throw Error(Errc::exists,
                where + ": a network device named '" + name + "' already exists on the host",
                EEXIST);
}

void require_free_name(const Socket &host, const std::string &name, const std::string &where) {
    if (find_link(host, name)) throw_name_taken(name, where);
}

void set_mac_mtu(rtnl_link *l, const NetInterfaceSpec &s, const std::string &field) {
    if (!s.mac.empty()) rtnl_link_set_addr(l, parse_mac(s.mac, field + ".mac").get());
    if (s.mtu) rtnl_link_set_mtu(l, s.mtu);
}

void add_on_parent(const AttachContext &ctx, rtnl_link *l, const Nic &nic,
                   const std::string &what) {
    const auto &s = nic.spec();
    LinkPtr parent = require_host_device(ctx.host, s.link, nic.where(), "parent device");
    rtnl_link_set_link(l, rtnl_link_get_ifindex(parent.get()));
    rtnl_link_set_name(l, s.name.c_str());
    set_mac_mtu(l, s, nic.field());
    rtnl_link_set_ns_fd(l, ctx.netns_fd);
    int r = rtnl_link_add(ctx.host.get(), l, NLM_F_CREATE | NLM_F_EXCL);
    if (r == 0) return;
    std::string doing = nic.where() + ": create the " + what + " on host device '" + s.link + "'";
    if (nl_errno(r) == EOPNOTSUPP)
        throw Error(Errc::unsupported, doing + ": this kernel has no " + what + " support",
                    EOPNOTSUPP);
    throw_nl(doing, r);
}

}  // namespace ct::linux_native::net
