// Session options of the openvz backend, from its URI:
//   openvz:///                       this host
//   openvz:///?root=DIR&bin=DIR      the host's /proc/vz, /proc/user_beancounters, /etc/vz and
//                                    libct's state under DIR; vzctl, vzlist and vzmigrate from
//                                    DIR (default: $PATH). For tests and chroot-managed hosts.
#pragma once

#include <string>

namespace ct::openvz {

struct SessionOptions {
    std::string root = "/";  // prefix of every host file the backend reads or writes
    std::string bin;         // directory of vzctl/vzlist/vzmigrate; empty: search $PATH

    // `abs` (an absolute host path such as /proc/vz) under root.
    std::string host_path(const std::string &abs) const { return root == "/" ? abs : root + abs; }
};

// Decodes %XX escapes of a URI component.

// Throws Errc::invalid_argument naming the URI and the offending part.
SessionOptions parse_uri(const std::string &uri);

}  // namespace ct::openvz
