// Mount type "cgroup": the container's own cgroup directories inside it (libct's
// CGROUP_SUBMOUNT), made of plain mounts the child already knows how to make. Read-only unless
// the mount's options say rw: a container that can write its cgroups can change its limits.
#include "cgroups/cgroups.hpp"

namespace ct::linux_native {

std::vector<MountSpec> cgroup_mounts(const MountSpec &m, const ContainerCgroups &cg) {
    std::vector<MountSpec> out;
    out.push_back({"cgroup", m.target, "tmpfs", {"nosuid", "nodev", "noexec", "mode=755"}});
    std::string base = m.target;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    for (const auto &[key, dir] : cg.paths()) {
        std::string sub = key.rfind("name=", 0) == 0 ? key.substr(5) : key;
        // Not recursive: a sub-group made later shows through the bind anyway.
        std::vector<std::string> opts = {"bind", "nosuid", "nodev", "noexec"};
        if (m.options != std::vector<std::string>{"rw"}) opts.push_back("ro");
        out.push_back({dir, base + "/" + sub, "bind", opts});
    }
    return out;
}

}  // namespace ct::linux_native
