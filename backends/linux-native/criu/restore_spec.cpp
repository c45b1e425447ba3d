#include "criu/restore_spec.hpp"

#include <set>
#include <vector>

#include "ct/error.hpp"
#include "fs/mount_points.hpp"

namespace ct::linux_native::criu {
namespace {

[[noreturn]] void mismatch(const std::string &field, const std::string &why) {
    throw Error(Errc::invalid_spec,
                field + ": " + why +
                    ", not as in the checkpoint's images (a restore can change only what it "
                    "makes anew: docs/checkpoint.md, \"Restoring under another "
                    "configuration\")");
}

std::string joined(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

// What a mount's options say about access: CRIU restores the mount's flags from the images,
// so a restore cannot change them. The rest (bind or rbind, propagation) an engine may spell
// differently for the same mount (Podman's restore --import: private for rprivate).
std::set<std::string> access(const MountSpec &m) {
    std::set<std::string> out;
    for (const auto &o : m.options)
        for (const char *f : {"ro", "nosuid", "nodev", "noexec"})
            if (o == f) out.insert(o);
    return out;
}

std::string list(const std::set<Namespace> &types) {
    std::string out;
    for (Namespace t : types) out += (out.empty() ? "" : ", ") + std::string(namespace_name(t));
    return out.empty() ? "none" : out;
}

void check_namespaces(const Spec &saved, const Spec &given) {
    std::set<Namespace> had, has;
    for (const auto &n : saved.effective_namespaces()) had.insert(n.type);
    for (const auto &n : given.effective_namespaces()) {
        has.insert(n.type);
        // CRIU makes the others from the images: a path would be silently not joined.
        if (!n.path.empty() && n.type != Namespace::net)
            throw Error(Errc::invalid_spec,
                        std::string("namespaces: ") + namespace_name(n.type) + " joins " + n.path +
                            ": a restore can join an existing network namespace only (the "
                            "others are restored from the images)");
    }
    if (had != has)
        mismatch("namespaces", "{" + list(has) + "} where the images have {" + list(had) + "}");
}

// The given spec's mount at each of the images' mounts, found by target (CRIU names a mount by
// where it is; an engine may list them in another order).
std::vector<const MountSpec *> match_mounts(const Spec &saved, const Spec &given) {
    std::vector<const MountSpec *> out(saved.mounts.size(), nullptr);
    std::vector<bool> used(given.mounts.size(), false);
    for (size_t i = 0; i < saved.mounts.size(); ++i) {
        const MountSpec &a = saved.mounts[i];
        for (size_t j = 0; j < given.mounts.size() && !out[i]; ++j)
            if (!used[j] &&
                fs::normal_target(given.mounts[j].target) == fs::normal_target(a.target)) {
                used[j] = true;
                out[i] = &given.mounts[j];
                const MountSpec &b = given.mounts[j];
                std::string field = "mounts[" + std::to_string(j) + "] (" + b.target + ")";
                if (a.type != b.type)
                    mismatch(field, "type '" + b.type + "' where the images have '" + a.type + "'");
                if (access(a) != access(b))
                    mismatch(field, "options [" + joined(b.options) + "] where the images have [" +
                                        joined(a.options) + "]");
                if (a.uid_map != b.uid_map || a.gid_map != b.gid_map)
                    mismatch(field, "other id maps");
            }
        if (!out[i]) mismatch("mounts", "no mount at " + a.target);
    }
    for (size_t j = 0; j < given.mounts.size(); ++j)
        if (!used[j])
            mismatch("mounts[" + std::to_string(j) + "] (" + given.mounts[j].target + ")",
                     "a mount that is not");
    return out;
}

}  // namespace

Spec restore_spec(const Spec &saved, const Spec &given) {
    check_namespaces(saved, given);
    auto mounts = match_mounts(saved, given);
    Spec out = saved;
    out.rootfs = given.rootfs;
    out.private_area = given.private_area;
    for (size_t i = 0; i < out.mounts.size(); ++i) {
        out.mounts[i].source = mounts[i]->source;
        out.mounts[i].hooks = mounts[i]->hooks;
    }
    // The network namespace is the runtime's to give (criu/netns.hpp): joined or made anew.
    auto net_path = [](const Spec &s) {
        for (const auto &n : s.effective_namespaces())
            if (n.type == Namespace::net) return n.path;
        return std::string();
    };
    if (net_path(given) != net_path(saved)) {
        out.namespaces = saved.effective_namespaces();
        for (auto &n : *out.namespaces)
            if (n.type == Namespace::net) n.path = net_path(given);
    }
    out.network = given.network;
    for (auto it = out.sysctl.begin(); it != out.sysctl.end();)
        it = it->first.rfind("net.", 0) == 0 ? out.sysctl.erase(it) : std::next(it);
    for (const auto &[k, v] : given.sysctl)
        if (k.rfind("net.", 0) == 0) out.sysctl[k] = v;
    out.resources = given.resources;
    out.cgroups = given.cgroups;
    out.cgroup_path = given.cgroup_path;
    out.hooks = given.hooks;
    out.annotations = given.annotations;
    out.bundle = given.bundle;
    return out;
}

}  // namespace ct::linux_native::criu
