#include "net/netlink.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

namespace ct::linux_native::net {

void NlFree::operator()(nl_sock *p) const {
    nl_socket_free(p);
}
void NlFree::operator()(nl_addr *p) const {
    nl_addr_put(p);
}
void NlFree::operator()(rtnl_link *p) const {
    rtnl_link_put(p);
}
void NlFree::operator()(rtnl_addr *p) const {
    rtnl_addr_put(p);
}
void NlFree::operator()(rtnl_route *p) const {
    rtnl_route_put(p);
}

Socket Socket::here() {
    Socket s;
    s.sk_.reset(nl_socket_alloc());
    if (!s.sk_) throw_sys("allocate a netlink socket", ENOMEM);
    if (int r = nl_connect(s.sk_.get(), NETLINK_ROUTE); r < 0)
        throw_nl("open a netlink route socket", r);
    return s;
}

Socket Socket::in_netns(int netns_fd) {
    NetnsSocket s(netns_fd);
    return std::move(s.get());
}

NetnsSocket::NetnsSocket(int netns_fd)
    : t_([this, netns_fd] {
          try {
              if (::setns(netns_fd, CLONE_NEWNET) != 0)
                  throw_sys("enter the container's network namespace", errno);
              s_ = Socket::here();
          } catch (...) {
              failure_ = std::current_exception();
          }
      }) {}

NetnsSocket::~NetnsSocket() {
    if (t_.joinable()) t_.join();
}

Socket &NetnsSocket::get() {
    if (t_.joinable()) t_.join();
    if (failure_) std::rethrow_exception(failure_);
    return s_;
}

LinkPtr find_link(const Socket &s, const std::string &name) {
    rtnl_link *l = nullptr;
    int r = rtnl_link_get_kernel(s.get(), 0, name.c_str(), &l);
    if (r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV) return nullptr;
    if (r < 0) throw_nl("look up network device '" + name + "'", r);
    return LinkPtr(l);
}

LinkPtr find_link(const Socket &s, int ifindex) {
    rtnl_link *l = nullptr;
    int r = rtnl_link_get_kernel(s.get(), ifindex, nullptr, &l);
    if (r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV) return nullptr;
    if (r < 0) throw_nl("look up network device #" + std::to_string(ifindex), r);
    return LinkPtr(l);
}

LinkPtr new_link() {
    LinkPtr l(rtnl_link_alloc());
    if (!l) throw_sys("allocate a netlink link object", ENOMEM);
    return l;
}

std::string link_kind(rtnl_link *l) {
    const char *t = rtnl_link_get_type(l);
    return t ? t : "";
}

int nl_errno(int nlerr) {
    switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_NOMEM:
            return ENOMEM;
        case NLE_EXIST:
            return EEXIST;
        case NLE_INVAL:
        case NLE_NOATTR:
        case NLE_OBJ_MISMATCH:
        case NLE_MISSING_ATTR:
            return EINVAL;
        case NLE_RANGE:
            return ERANGE;
        case NLE_OPNOTSUPP:
            return EOPNOTSUPP;
        case NLE_AF_NOSUPPORT:
            return EAFNOSUPPORT;
        case NLE_OBJ_NOTFOUND:
        case NLE_NODEV:
            return ENODEV;
        case NLE_PERM:
        case NLE_IMMUTABLE:
            return EPERM;
        case NLE_NOACCESS:
            return EACCES;
        case NLE_BUSY:
            return EBUSY;
        case NLE_NOADDR:
            return EADDRNOTAVAIL;
        case NLE_AGAIN:
        case NLE_DUMP_INTR:
        case NLE_SEQ_MISMATCH:
            return EAGAIN;
        case NLE_INTR:
            return EINTR;
        case NLE_MSGSIZE:
        case NLE_MSG_TOOSHORT:
            return EMSGSIZE;
        case NLE_BAD_SOCK:
            return EBADF;
        case NLE_PROTO_MISMATCH:
            return EPROTONOSUPPORT;
        default:
            return EIO;
    }
}

void throw_nl(const std::string &what, int nlerr) {
    int e = nl_errno(nlerr);
    std::string msg = what + ": " + errstr(e);
    switch (e) {
        case EEXIST:
            throw Error(Errc::exists, msg, e);
        case ENODEV:
            throw Error(Errc::not_found, msg, e);
        case EOPNOTSUPP:
            throw Error(Errc::unsupported, msg, e);
        default:
            throw_sys(what, e);
    }
}

AddrPtr parse_addr(const std::string &text, int family, const std::string &field) {
    nl_addr *a = nullptr;
    if (int r = nl_addr_parse(text.c_str(), family, &a); r < 0)
        throw Error(Errc::invalid_spec,
                    field + ": '" + text + "' is not an address: " + nl_geterror(r));
    return AddrPtr(a);
}

AddrPtr parse_mac(const std::string &text, const std::string &field) {
    return parse_addr(text, AF_LLC, field);
}

Fd open_netns(pid_t pid) {
    std::string p = "/proc/" + std::to_string(pid) + "/ns/net";
    Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_sys("open the container's network namespace (" + p + ")", errno);
    return fd;
}

NewNetns enter_new_netns() {
    NewNetns ns;
    if (::unshare(CLONE_NEWNET) != 0) {
        int err = errno;
        if (err == EPERM)
            throw Error(Errc::permission,
                        "create the container's network namespace: " + errstr(err) +
                            " (namespaces need root or CAP_SYS_ADMIN; an unprivileged user can "
                            "have them inside a new user namespace: add 'user' to namespaces, "
                            "with maps defaulting to its own ids and subordinate ranges, or leave "
                            "namespaces unset)",
                        err);
        throw_sys("create the container's network namespace", err);
    }
    ns.fd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!ns.fd) throw_sys("open the container's network namespace", errno);
    ns.socket = Socket::here();
    return ns;
}

int link_index(const Socket &s, const std::string &name) {
    // SIOCGIFINDEX works on any socket, in the socket's namespace: no netlink round trip
    // through libnl (which parses the device's whole description).
    struct ifreq ifr {};
    if (name.size() >= sizeof ifr.ifr_name) return 0;
    std::memcpy(ifr.ifr_name, name.c_str(), name.size() + 1);
    if (::ioctl(nl_socket_get_fd(s.get()), SIOCGIFINDEX, &ifr) != 0) return 0;
    return ifr.ifr_ifindex;
}

Fd own_netns() {
    Fd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!fd) throw_sys("open the caller's network namespace", errno);
    return fd;
}

}  // namespace ct::linux_native::net
