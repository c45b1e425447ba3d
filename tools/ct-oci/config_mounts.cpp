// config.json's mounts -> the spec's. The mounts every OCI bundle lists (/proc, /dev, /dev/pts,
// /dev/mqueue, /sys) are those the linux backend makes itself in a new mount namespace, with
// the same options: they are not made twice. Everything else goes to the spec as it is, where
// the backend refuses what it cannot do (an unknown bind option, say), naming the mount.
// Idmapped mounts (uidMappings/gidMappings, "idmap"/"ridmap") are the spec's own; a shared bind
// under a shared root propagates both ways, as with runc.
#include <algorithm>
#include <set>

#include "config_parts.hpp"
#include "ct/error.hpp"

namespace ct::oci {
namespace {

bool has(const std::vector<std::string> &v, const char *x) {
    for (const auto &s : v)
        if (s == x) return true;
    return false;
}

// What the backend mounts at `target` itself, given the container's namespaces.
bool backend_makes(const std::string &target, const std::string &type,
                   const std::vector<std::string> &options, const Namespaces &ns) {
    if (!ns.mount) return false;
    if (target == "/proc" && type == "proc") return true;
    if (target == "/dev" && type == "tmpfs") return true;
    if (target == "/dev/pts" && type == "devpts") return true;
    if (target == "/dev/mqueue" && type == "mqueue") return ns.ipc;
    // A read-write sysfs (a privileged container's) is the spec's own mount, which replaces
    // the backend's read-only one.
    if (target == "/sys" && type == "sysfs")
        return ns.net && (has(options, "ro") || has(options, "rro"));
    if (target == "/dev/shm" && type == "tmpfs") {
        // The backend's /dev/shm: the same tmpfs unless the bundle asks for another one.
        static const std::set<std::string> kSame = {"nosuid", "noexec", "nodev", "mode=1777",
                                                    "size=65536k"};
        for (const auto &o : options)
            if (!kSame.count(o)) return false;
        return true;
    }
    return false;
}

// Recursive flags of OCI 1.1 ("rro", "rnosuid", ...): the backend's rbind applies every flag to
// the whole tree already (mount_setattr AT_RECURSIVE).
const std::set<std::string> kRecursiveFlags = {
    "rro",       "rrw",         "rnosuid",      "rsuid",         "rnodev",      "rdev",
    "rnoexec",   "rexec",       "rnoatime",     "ratime",        "rnodiratime", "rdiratime",
    "rrelatime", "rnorelatime", "rstrictatime", "rnostrictatime"};

// The container's user namespace, as an idmapped mount's lines need it.
struct UserNs {
    bool made = false;   // a new one, with linux.uidMappings/gidMappings
    std::string joined;  // one joined by path
    std::vector<IdMap> uids, gids;
};

UserNs userns_of(const Node &config) {
    UserNs u;
    auto linux = config.object("linux");
    if (!linux) return u;
    for (const auto &n : linux->items("namespaces"))
        if (n.str("type") == "user") {
            u.joined = n.str("path");
            u.made = u.joined.empty();
        }
    u.uids = idmaps_from(*linux, "uidMappings");
    u.gids = idmaps_from(*linux, "gidMappings");
    return u;
}

// A mount's uidMappings/gidMappings as the spec's lines. OCI's line "containerID hostID size"
// is the kernel's: the filesystem's id containerID is the host's id hostID, which the
// container sees through its user namespace's lines `userns` (as itself without one). The
// spec's line maps what the container sees (container_id) to the filesystem's id (host_id).
// Host ids the container's namespace does not map are left out: nobody inside sees them.
std::vector<IdMap> mount_idmaps(const Node &m, const char *key, const UserNs &u,
                                const std::vector<IdMap> &userns) {
    std::vector<IdMap> out;
    auto lines = idmaps_from(m, key);
    if (!lines.empty() && !u.joined.empty())
        m.refuse(key, "an idmapped mount's own mappings with a joined user namespace (" + u.joined +
                          ") are not supported by ct-oci");
    for (const auto &l : lines) {
        if (!u.made) {
            out.push_back({l.host_id, l.container_id, l.size});
            continue;
        }
        for (const auto &n : userns) {
            uint64_t lo = std::max<uint64_t>(l.host_id, n.host_id);
            uint64_t hi =
                std::min<uint64_t>(uint64_t{l.host_id} + l.size, uint64_t{n.host_id} + n.size);
            if (lo < hi)
                out.push_back({static_cast<uint32_t>(n.container_id + (lo - n.host_id)),
                               static_cast<uint32_t>(l.container_id + (lo - l.host_id)),
                               static_cast<uint32_t>(hi - lo)});
        }
    }
    if (!lines.empty() && out.empty())
        m.fail(key, std::string("no host id of its lines is mapped by the container's user "
                                "namespace (linux.") +
                        key + ")");
    return out;
}

}  // namespace

std::vector<MountSpec> mounts_from_config(const Node &config, const BundleContext &ctx,
                                          const Namespaces &ns) {
    std::vector<MountSpec> out;
    const UserNs userns = userns_of(config);
    // A shared bind under a shared root is runc's two-way propagation (Kubernetes'
    // Bidirectional): the host's peer group is kept. libct's "rshared" alone is the
    // container's own peer group, so such a mount says "bidirectional" too — when its source
    // is on a shared mount: from a private one runc's has no way back either, and Podman asks
    // for it (":rshared" volumes) without looking.
    std::string root_prop;
    if (auto l = config.object("linux")) root_prop = l->str("rootfsPropagation");
    bool shared_root = root_prop == "shared" || root_prop == "rshared";
    for (const auto &m : config.items("mounts")) {
        std::string target = m.str("destination");
        if (target.empty()) m.fail("destination", "is required");
        std::string type = m.str("type");
        std::vector<std::string> options = m.strings("options");
        bool bind = type == "bind" || ((type.empty() || type == "none") &&
                                       (has(options, "bind") || has(options, "rbind")));
        if (!bind && type.empty()) m.fail("type", "is required for a mount that is not a bind");
        if (backend_makes(target, type, options, ns)) continue;

        MountSpec spec;
        spec.target = target;
        if (type == "cgroup" || type == "cgroup2") {
            // The container's own cgroups, read-only unless the bundle says rw (runc mounts
            // either type as the host's cgroup version needs).
            spec.type = "cgroup";
            if (has(options, "rw") && !has(options, "ro")) spec.options = {"rw"};
            out.push_back(spec);
            continue;
        }
        spec.source = m.str("source");
        spec.type = bind ? "bind" : type;
        bool recursive = has(options, "rbind");
        for (const auto &o : options) {
            if (o.rfind("x-", 0) == 0 || o.rfind("X-", 0) == 0) continue;  // hints to tools
            if (bind && kRecursiveFlags.count(o)) {
                spec.options.push_back(o.substr(1));
                if (!recursive) {
                    spec.options.push_back("rbind");
                    recursive = true;
                }
                continue;
            }
            spec.options.push_back(o);
        }
        // An idmapped mount's own maps (the container's when none; "idmap"/"ridmap" pass
        // through in the options): the spec's validator refuses them on a mount that is not a
        // bind, naming it.
        spec.uid_map = mount_idmaps(m, "uidMappings", userns, userns.uids);
        spec.gid_map = mount_idmaps(m, "gidMappings", userns, userns.gids);
        if (bind) {
            if (spec.source.empty()) m.fail("source", "is required for a bind mount");
            if (spec.source[0] != '/') spec.source = ctx.bundle + "/" + spec.source;
            // OCI's bind without "rbind" is the source alone; libct's default is recursive.
            if (!has(spec.options, "bind") && !has(spec.options, "rbind"))
                spec.options.push_back("bind");
            if (shared_root && (has(spec.options, "shared") || has(spec.options, "rshared")) &&
                (!ctx.on_shared_mount || ctx.on_shared_mount(spec.source)))
                spec.options.push_back("bidirectional");
        }
        out.push_back(spec);
    }
    return out;
}

}  // namespace ct::oci
