// config.json's mounts -> the spec's. The mounts every OCI bundle lists (/proc, /dev, /dev/pts,
// /dev/mqueue, /sys) are those the linux backend makes itself in a new mount namespace, with
// the same options: they are not made twice. Everything else goes to the spec as it is, where
// the backend refuses what it cannot do (an unknown bind option, say), naming the mount.
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
    if (target == "/sys" && type == "sysfs") return ns.net;
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

}  // namespace

std::vector<MountSpec> mounts_from_config(const Node &config, const BundleContext &ctx,
                                          const Namespaces &ns) {
    std::vector<MountSpec> out;
    for (const auto &m : config.items("mounts")) {
        std::string target = m.str("destination");
        if (target.empty()) m.fail("destination", "is required");
        std::string type = m.str("type");
        std::vector<std::string> options = m.strings("options");
        m.refuse_set("uidMappings", "idmapped mounts are not supported by ct-oci");
        m.refuse_set("gidMappings", "idmapped mounts are not supported by ct-oci");
        if (has(options, "idmap") || has(options, "ridmap"))
            m.refuse("options", "idmapped mounts are not supported by ct-oci");
        bool bind = type == "bind" || ((type.empty() || type == "none") &&
                                       (has(options, "bind") || has(options, "rbind")));
        if (!bind && type.empty()) m.fail("type", "is required for a mount that is not a bind");
        if (backend_makes(target, type, options, ns)) continue;

        MountSpec spec;
        spec.target = target;
        if (type == "cgroup") {
            // The container's own cgroups, read-only unless the bundle says rw.
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
        if (bind) {
            if (spec.source.empty()) m.fail("source", "is required for a bind mount");
            if (spec.source[0] != '/') spec.source = ctx.bundle + "/" + spec.source;
            // OCI's bind without "rbind" is the source alone; libct's default is recursive.
            if (!has(spec.options, "bind") && !has(spec.options, "rbind"))
                spec.options.push_back("bind");
        }
        out.push_back(spec);
    }
    return out;
}

}  // namespace ct::oci
