// Where a container's cgroup directories go below each hierarchy's root.
#pragma once

#include <string>
#include <utility>

#include "ct/spec.hpp"

namespace ct::linux_native {

// (parent, name): the session's <cgroup_parent>/<name>, or the spec's cgroup_path (an engine's
// choice, e.g. OCI cgroupsPath "/machine/web1": ("machine", "web1")).
inline std::pair<std::string, std::string> cgroup_placement(const Spec &spec,
                                                            const std::string &session_parent) {
    if (spec.cgroup_path.empty()) return {session_parent, spec.name};
    std::string p = spec.cgroup_path;
    while (!p.empty() && p.front() == '/') p.erase(0, 1);
    while (!p.empty() && p.back() == '/') p.pop_back();
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return {"", p};
    return {p.substr(0, slash), p.substr(slash + 1)};
}

}  // namespace ct::linux_native
