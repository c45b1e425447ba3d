#include "net/network.hpp"

#include "ct/error.hpp"

namespace ct::linux_native::net {

void Network::check_host() const {
    if (!ifaces_.empty())
        throw Error(Errc::unsupported, "network: interface type '" + ifaces_[0].type +
                                           "' is not supported by backend linux yet");
}

void Network::attach(pid_t, int, const std::string &) const { check_host(); }

void Network::release(const std::string &) const {}

}  // namespace ct::linux_native::net
