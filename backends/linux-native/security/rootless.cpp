#include "security/rootless.hpp"

#include <linux/capability.h>
#include <unistd.h>

#include "ct/error.hpp"
#include "security/userns.hpp"

namespace ct::linux_native {

std::vector<IdMap> rootless_id_map(uint32_t own, const std::vector<SubidRange> &sub) {
    std::vector<IdMap> m{{0, own, 1}};
    uint32_t next = 1;
    for (const auto &r : sub) {
        uint32_t left = kRootlessIds + 1 - next;
        if (left == 0) break;
        uint32_t n = r.count < left ? r.count : left;
        m.push_back({next, r.start, n});
        next += n;
    }
    return m;
}

void resolve_caller_defaults(Spec &s) {
    bool unprivileged = ::geteuid() != 0;
    if (unprivileged && !s.namespaces) s.namespaces = unprivileged_default_namespaces();
    bool new_userns = false;
    for (const auto &n : s.effective_namespaces())
        if (n.type == Namespace::user && n.path.empty()) new_userns = true;
    if (new_userns && s.uid_map.empty() && s.gid_map.empty()) {
        if (!unprivileged)
            throw Error(Errc::invalid_spec,
                        "namespaces: a new user namespace made by root needs uid_map and gid_map "
                        "(only an unprivileged caller has default maps: its own ids and its "
                        "subordinate ranges)");
        s.uid_map = rootless_id_map(static_cast<uint32_t>(::geteuid()),
                                    read_subids("/etc/subuid", ::geteuid()));
        s.gid_map = rootless_id_map(static_cast<uint32_t>(::getegid()),
                                    read_subids("/etc/subgid", ::geteuid()));
    }
    if (!s.network.empty() && !caller_has_cap(CAP_NET_ADMIN)) {
        const auto &n = s.network[0];
        throw Error(Errc::permission,
                    "network[0] (" + n.type + " " + n.name +
                        "): interfaces need CAP_NET_ADMIN on the host, which this caller (uid " +
                        std::to_string(::geteuid()) +
                        ") does not have; without it a container's network namespace has only "
                        "its loopback (leave out --net), or shares the host's (--net host)");
    }
}

}  // namespace ct::linux_native
