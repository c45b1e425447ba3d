// vlan: an 802.1Q VLAN device (spec.vlan_id) on a host parent device (spec.link).
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>

#include "net/nic.hpp"
#include "support.hpp"

namespace ct::linux_native::net {
namespace {

class Vlan : public Nic {
  public:
    using Nic::Nic;

    void validate() const override {
        if (spec_.link.empty()) invalid("link", "a vlan needs its host parent device in 'link'");
        if (spec_.vlan_id < 1 || spec_.vlan_id > 4094) invalid("vlan_id", "must be 1..4094");
    }

    void check(const Socket &host) const override {
        require_host_device(host, spec_.link, where(), "parent device");
    }

    void attach(const AttachContext &ctx, NicRecord &) const override {
        LinkPtr l(rtnl_link_vlan_alloc());
        if (!l) throw_sys(where() + ": allocate a vlan link object", ENOMEM);
        rtnl_link_vlan_set_id(l.get(), static_cast<uint16_t>(spec_.vlan_id));
        add_on_parent(ctx, l.get(), *this, "vlan");
    }

    // The device lives in the container's namespace only and goes with it.
    void release(const ReleaseContext &, const NicRecord &) const override {}
};

const NicRegistrar reg("vlan", [](const NetInterfaceSpec &s, const std::string &field) {
    return std::make_unique<Vlan>(s, field);
});

}  // namespace
}  // namespace ct::linux_native::net
