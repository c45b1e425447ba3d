// macvlan: a device with its own MAC on a host parent device (spec.link), in a macvlan mode
// (spec.mode: bridge by default; private, vepa, passthru, source).
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>

#include "net/nic.hpp"
#include "support.hpp"

namespace ct::linux_native::net {
namespace {

class Macvlan : public Nic {
  public:
    using Nic::Nic;

    void validate() const override {
        if (spec_.link.empty()) invalid("link", "a macvlan needs its host parent device in 'link'");
    }

    void check(const Socket &host) const override {
        mode();
        require_host_device(host, spec_.link, where(), "parent device");
    }

    void attach(const AttachContext &ctx, NicRecord &) const override {
        LinkPtr l(rtnl_link_macvlan_alloc());
        if (!l) throw_sys(where() + ": allocate a macvlan link object", ENOMEM);
        rtnl_link_macvlan_set_mode(l.get(), mode());
        add_on_parent(ctx, l.get(), *this, "macvlan");
    }

    // The device lives in the container's namespace only and goes with it.
    void release(const ReleaseContext &, const NicRecord &) const override {}

  private:
    uint32_t mode() const {
        int m = rtnl_link_macvlan_str2mode(spec_.mode.empty() ? "bridge" : spec_.mode.c_str());
        if (m < 0)
            throw Error(Errc::invalid_spec,
                        field() + ".mode: unknown macvlan mode '" + spec_.mode +
                            "' (known: bridge, private, vepa, passthru, source)");
        return static_cast<uint32_t>(m);
    }
};

const NicRegistrar reg("macvlan", [](const NetInterfaceSpec &s, const std::string &field) {
    return std::make_unique<Macvlan>(s, field);
});

}  // namespace
}  // namespace ct::linux_native::net
