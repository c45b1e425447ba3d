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

std::vector<IdMap> idmaps_from(const Node &linux, const char *key) {
    std::vector<IdMap> out;
    for (const auto &m : linux.items(key)) {
        IdMap map;
        map.container_id = m.uint32("containerID").value_or(0);
        map.host_id = m.uint32("hostID").value_or(0);
        map.size = m.uint32("size").value_or(0);
        out.push_back(map);
    }
    return out;
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

}  // namespace

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
    std::string prop = linux.str("rootfsPropagation");
    if (!prop.empty() && prop != "slave" && prop != "rslave")
        linux.refuse("rootfsPropagation",
                     "'" + prop + "': the root is always a recursive slave mount (rslave)");
    linux.refuse_set("mountLabel", "SELinux mount labels are not supported by ct-oci");
    if (auto p = linux.object("personality")) {
        if (p->str("domain") != "LINUX") p->refuse("domain", "only LINUX is supported by ct-oci");
        p->refuse_set("flags", "personality flags are not supported by ct-oci");
    }
    linux.refuse_set("timeOffsets", "time namespace offsets are not supported by ct-oci");
    linux.refuse_set("intelRdt", "Intel RDT is not supported by ct-oci");
    linux.refuse_set("netDevices", "moving host network devices is not supported by ct-oci");
}

}  // namespace ct::oci
