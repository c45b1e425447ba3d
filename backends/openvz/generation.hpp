// Which vzctl a host has. Legacy OpenVZ (2.6.32 kernels) ships vzctl 3.x/4.x; OpenVZ 7 and
// Virtuozzo ship vzctl 7.x-9.x on libvzctl, whose command line differs (status line, vzlist
// options, --netif_add, enter, layouts, pause): the session asks `vzctl --version` once and
// speaks that dialect (dialect.hpp).
#pragma once

#include <string>

namespace ct::openvz {

enum class Generation { legacy, vz7 };

struct ToolVersion {
    Generation generation = Generation::legacy;
    std::string version;  // as vzctl printed it: "4.11", "7.0.205.2"
    // "vzctl 4.11 (legacy OpenVZ)", "vzctl 7.0.205.2 (OpenVZ 7, libvzctl)"
    std::string describe() const;
};

// What `vzctl --version` printed: "vzctl version 4.11" (vzctl 3.x/4.x) or "vzctl v.7.0.205.2"
// (vzctl 7.x and later). Anything else is Errc::unsupported, quoting it.
ToolVersion parse_vzctl_version(const std::string &out);

}  // namespace ct::openvz
