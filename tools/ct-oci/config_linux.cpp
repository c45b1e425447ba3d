// config.json's "linux" section (but its resources: config_resources.cpp).
#include "config_parts.hpp"
#include "ct/error.hpp"
#include "ct/json.hpp"

namespace ct::oci {
namespace {

Namespace ns_type(const Node &n) {
    static const std::pair<const char *, Namespace> kTypes[] = {
        {"pid", Namespace::pid},       {"network", Namespace::net}, {"mount", Namespace::mount},
        {"ipc", Namespace::ipc},       {"uts", Namespace::uts},     {"user", Namespace::user},
        {"cgroup", Namespace::cgroup}, {"time", Namespace::time}};
    std::string t = n.str("type");
    for (const auto &[name, type] : kTypes)
        if (t == name) return type;
    n.fail("type", "unknown namespace '" + t +
                       "' (known: pid, network, mount, ipc, uts, user, cgroup, time)");
}

DeviceNode device_from(const Node &d) {
    DeviceNode node;
    node.path = d.str("path");
    std::string type = d.str("type");
    if (type == "u") type = "c";  // unbuffered character device: a character device
    if (type == "p") d.refuse("type", "FIFO devices ('p') are not supported by ct-oci");
    if (type != "c" && type != "b") d.fail("type", "'" + type + "' is not c, b, u or p");
    node.type = type;
    node.major = static_cast<uint32_t>(d.uint32("major").value_or(0));
    node.minor = static_cast<uint32_t>(d.uint32("minor").value_or(0));
    if (auto m = d.uint32("fileMode")) node.mode = *m & 07777;
    node.uid = d.uint32("uid").value_or(0);
    node.gid = d.uint32("gid").value_or(0);
    return node;
}

void seccomp_from(const Node &linux, Spec &spec) {
    auto s = linux.object("seccomp");
    if (!s) return;  // no filter (the OCI meaning), not libct's default profile
    s->refuse_set("listenerPath", "seccomp notification listeners are not supported by ct-oci");
    s->refuse_set("listenerMetadata", "seccomp notification listeners are not supported by ct-oci");
    nlohmann::json profile = s->value();
    profile.erase("listenerPath");
    profile.erase("listenerMetadata");
    try {
        spec.seccomp = seccomp_from_json(profile.dump());
    } catch (const Error &e) {
        throw Error(e.code(), std::string("config.json: linux.") + e.what());
    }
}

void rootfs_propagation_from(const Node &linux, Spec &spec) {
    std::string prop = linux.str("rootfsPropagation");
    if (prop.empty()) return;
    static const char *const kKinds[] = {"private", "rprivate", "slave",      "rslave",
                                         "shared",  "rshared",  "unbindable", "runbindable"};
    for (const char *k : kKinds)
        if (prop == k) {
            spec.rootfs_propagation = prop;
            return;
        }
    linux.fail(
        "rootfsPropagation",
        "'" + prop + "' is not one of private, slave, shared, unbindable (each also with r)");
}

// {monotonic: {secs, nanosecs}, boottime: {...}}: the clocks a time namespace can shift.
void time_offsets_from(const Node &t, Spec &spec) {
    for (auto [key, c] : {std::pair{"monotonic", &spec.time_offsets.monotonic},
                          std::pair{"boottime", &spec.time_offsets.boottime}})
        if (auto o = t.object(key)) {
            c->secs = o->int64("secs").value_or(0);
            c->nanosecs = o->uint32("nanosecs").value_or(0);
            if (c->nanosecs > 999999999)
                o->fail("nanosecs", std::to_string(c->nanosecs) + " is not 0..999999999");
        }
    for (auto it = t.value().begin(); it != t.value().end(); ++it)
        if (it.key() != "monotonic" && it.key() != "boottime")
            t.fail(it.key(), "a time namespace only has monotonic and boottime offsets");
}

}  // namespace

std::vector<IdMap> idmaps_from(const Node &n, const char *key) {
    std::vector<IdMap> out;
    for (const auto &m : n.items(key)) {
        IdMap map;
        map.container_id = m.uint32("containerID").value_or(0);
        map.host_id = m.uint32("hostID").value_or(0);
        map.size = m.uint32("size").value_or(0);
        out.push_back(map);
    }
    return out;
}

void linux_from_config(const Node &linux, const BundleContext &ctx, Spec &spec) {
    std::vector<NamespaceSpec> namespaces;
    for (const auto &n : linux.items("namespaces")) {
        NamespaceSpec ns;
        ns.type = ns_type(n);
        ns.path = n.str("path");
        namespaces.push_back(ns);
    }
    spec.namespaces = namespaces;  // exactly these: none listed is the host's
    spec.uid_map = idmaps_from(linux, "uidMappings");
    spec.gid_map = idmaps_from(linux, "gidMappings");
    for (const auto &d : linux.items("devices")) spec.devices.push_back(device_from(d));
    spec.cgroup_path = cgroup_path(linux.str("cgroupsPath"), ctx.systemd_cgroup, "config.json");
    if (auto r = linux.object("resources"))
        spec.resources = resources_from_config(r->value(), "config.json", r->path());
    for (const auto &[k, v] : linux.string_map("sysctl")) spec.sysctl[k] = v;
    seccomp_from(linux, spec);
    spec.masked_paths = linux.strings("maskedPaths");
    spec.readonly_paths = linux.strings("readonlyPaths");
    rootfs_propagation_from(linux, spec);
    linux.refuse_set("mountLabel", "SELinux mount labels are not supported by ct-oci");
    if (auto p = linux.object("personality")) {
        std::string domain = p->str("domain");
        if (domain == "LINUX")
            spec.personality = "linux";
        else if (domain == "LINUX32")
            spec.personality = "linux32";
        else
            p->fail("domain", "'" + domain + "' is not LINUX or LINUX32");
        p->refuse_set("flags", "personality flags are not supported by ct-oci");
    }
    if (auto t = linux.object("timeOffsets")) time_offsets_from(*t, spec);
    linux.refuse_set("intelRdt", "Intel RDT is not supported by ct-oci");
    linux.refuse_set("netDevices", "moving host network devices is not supported by ct-oci");
}

}  // namespace ct::oci
