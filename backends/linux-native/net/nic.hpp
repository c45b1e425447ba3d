// One network interface type (veth, hostnic, macvlan, vlan...). A type is one .cpp file: a
// class implementing Nic and a NicRegistrar naming it. Network drives them; what is common to
// every type (link up, addresses, routes) is done by Network, not by the types.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ct/spec.hpp"
#include "net/netlink.hpp"

namespace ct::linux_native::net {

// Facts about one interface that release() needs (generated names, what a host device looked
// like before it was taken). Saved in the container's state directory before anything is made,
// so that a process other than the one that started the container can undo it.
using NicRecord = std::map<std::string, std::string>;

struct AttachContext {
    const Socket &host;         // the caller's network namespace
    NetnsSocket &netns_socket;  // the container's: use ns()
    int netns_fd;               // the container's, for IFLA_NET_NS_FD
    // A socket in the container's namespace (waits for it: it is being made meanwhile).
    const Socket &ns() const { return netns_socket.get(); }
};

struct ReleaseContext {
    const Socket &host;
    const Socket *ns;   // null when the container's namespace is gone
    int host_netns_fd;  // where devices go back to
};

class Nic {
  public:
    // `field` is the spec's path of the interface, "network[0]". Messages start with where():
    // "network[0] (veth eth0)".
    Nic(const NetInterfaceSpec &spec, std::string field)
        : spec_(spec),
          field_(std::move(field)),
          where_(field_ + " (" + spec.type + " " + spec.name + ")") {}
    virtual ~Nic() = default;

    // Checks the type's own fields of the spec (ct::validate() checks what every type has in
    // common). No system call. Throws Errc::invalid_spec naming the field.
    virtual void validate() const {}

    // Checks what the interface needs on the host (parent device, bridge, a free name). Makes
    // nothing. Throws ct::Error naming where() and the cause.
    virtual void check(const Socket &host) const = 0;

    // Fills `rec` with what release() must know, before anything is made.
    virtual void prepare(const Socket &host, NicRecord &rec) const { (void)host, (void)rec; }

    // True if the container's network namespace must be kept until release(), because a
    // device in it must be given back (the kernel destroys virtual devices with the namespace).
    virtual bool gives_back() const { return false; }

    // Makes the device appear in the container's namespace named spec().name, with the MAC
    // and MTU of the spec (link still down). May add to `rec` what it learnt (ifindexes).
    // When it throws, Network still calls release() with `rec` as it then is.
    virtual void attach(const AttachContext &ctx, NicRecord &rec) const = 0;

    // Undoes attach() from `rec`, which another process may have written. Idempotent: a device
    // already gone is not an error.
    virtual void release(const ReleaseContext &ctx, const NicRecord &rec) const = 0;

    // The host-side device of this interface, for ContainerInfo.details ("" if none).
    virtual std::string host_device(const NicRecord &rec) const {
        (void)rec;
        return "";
    }

    const NetInterfaceSpec &spec() const { return spec_; }
    // Errc::invalid_spec for `field` of this interface ("network[0].link: ...").
    [[noreturn]] void invalid(const std::string &field, const std::string &why) const {
        throw Error(Errc::invalid_spec, "invalid spec: " + field_ + "." + field + ": " + why);
    }
    const std::string &field() const { return field_; }
    const std::string &where() const { return where_; }

  protected:
    const NetInterfaceSpec &spec_;
    std::string field_, where_;
};

using NicFactory =
    std::function<std::unique_ptr<Nic>(const NetInterfaceSpec &, const std::string &field)>;

// Registers a type at load time: `static const NicRegistrar reg("veth", make);`
struct NicRegistrar {
    NicRegistrar(const std::string &type, NicFactory make);
};

// The Nic for `spec` (its `type`), or throws unsupported naming `field` and the known types.
std::unique_ptr<Nic> make_nic(const NetInterfaceSpec &spec, const std::string &field);

// Shared by the types: throws not_found unless the host device `name` exists; returns it.
LinkPtr require_host_device(const Socket &host, const std::string &name, const std::string &where,
                            const std::string &role);
// Throws exists if a host device `name` exists.
void require_free_name(const Socket &host, const std::string &name, const std::string &where);
// Throws what require_free_name() does when `name` is taken.
[[noreturn]] void throw_name_taken(const std::string &name, const std::string &where);
// Creates `l` (a macvlan, vlan... object with its kind-specific attributes set) on the host
// device spec.link, directly inside the container's namespace under spec.name, with the
// spec's MAC and MTU: the device never exists on the host. `what` is "macvlan", "vlan"...
void add_on_parent(const AttachContext &ctx, rtnl_link *l, const Nic &nic, const std::string &what);
// Applies the spec's MAC and MTU to a link object of a request.
void set_mac_mtu(rtnl_link *l, const NetInterfaceSpec &s, const std::string &field);

}  // namespace ct::linux_native::net
