// Netlink plumbing of the network code: owning handles for libnl objects, route sockets in the
// caller's or a container's network namespace, and libnl errors turned into ct::Error.
#pragma once

#include <sys/types.h>

#include <exception>
#include <memory>
#include <string>
#include <thread>

#include "ct/error.hpp"
#include "support.hpp"

struct nl_sock;
struct nl_addr;
struct rtnl_link;
struct rtnl_addr;
struct rtnl_route;

namespace ct::linux_native::net {

struct NlFree {
    void operator()(nl_sock *p) const;
    void operator()(nl_addr *p) const;
    void operator()(rtnl_link *p) const;
    void operator()(rtnl_addr *p) const;
    void operator()(rtnl_route *p) const;
};
using LinkPtr = std::unique_ptr<rtnl_link, NlFree>;
using AddrPtr = std::unique_ptr<nl_addr, NlFree>;
using IfAddrPtr = std::unique_ptr<rtnl_addr, NlFree>;
using RoutePtr = std::unique_ptr<rtnl_route, NlFree>;

// A connected NETLINK_ROUTE socket. It stays in the namespace it was made in, whichever thread
// uses it later.
class Socket {
  public:
    Socket() = default;
    // In the calling thread's network namespace.
    static Socket here();
    // In the namespace `netns_fd` refers to (see NetnsSocket).
    static Socket in_netns(int netns_fd);

    nl_sock *get() const { return sk_.get(); }
    explicit operator bool() const { return static_cast<bool>(sk_); }

  private:
    std::unique_ptr<nl_sock, NlFree> sk_;
};

// A socket in another network namespace, made on a short-lived helper thread (so no thread of
// the caller ever changes namespace) that starts at construction: the caller works meanwhile,
// and get() waits for it. `netns_fd` must stay open until get() returns.
class NetnsSocket {
  public:
    explicit NetnsSocket(int netns_fd);
    // One made already (no thread).
    explicit NetnsSocket(Socket ready) : s_(std::move(ready)) {}
    ~NetnsSocket();
    NetnsSocket(const NetnsSocket &) = delete;
    NetnsSocket &operator=(const NetnsSocket &) = delete;
    // The socket, or what made it fail (thrown).
    Socket &get();

  private:
    Socket s_;
    std::exception_ptr failure_;
    std::thread t_;  // last: starts once the members it fills exist
};

// The device called `name`, or with index `ifindex`; null when there is none.
LinkPtr find_link(const Socket &s, const std::string &name);
LinkPtr find_link(const Socket &s, int ifindex);
// The index of the device called `name` in the socket's namespace, 0 when there is none.
int link_index(const Socket &s, const std::string &name);
// A new, empty link object, for requests.
LinkPtr new_link();

// The link's kind ("veth", "bridge", "macvlan"...), "" for a physical device.
std::string link_kind(rtnl_link *l);

// The errno a libnl error code (negative NLE_*) stands for.
int nl_errno(int nlerr);
// Throws Error("<what>: <cause>"), with a code that fits the cause (EEXIST: exists, ENODEV:
// not_found, EPERM: permission, EOPNOTSUPP: unsupported, else backend).
[[noreturn]] void throw_nl(const std::string &what, int nlerr);

// "10.0.0.2/24", "fe80::1", "default" (family needed). Throws invalid_spec naming `field`.
AddrPtr parse_addr(const std::string &text, int family, const std::string &field);
// "02:00:00:00:00:01".
AddrPtr parse_mac(const std::string &text, const std::string &field);

// The network namespace of process `pid` (our child, so the pid cannot be reused meanwhile),
// and the calling thread's own.
Fd open_netns(pid_t pid);
Fd own_netns();
// A new, empty network namespace, and a socket in it, made on the calling thread, which is
// left in it: it must go back (setns) or end soon, and never be a thread of the caller's.
struct NewNetns {
    Fd fd;
    Socket socket;
};
NewNetns enter_new_netns();

}  // namespace ct::linux_native::net
