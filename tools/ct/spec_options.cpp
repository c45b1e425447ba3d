#include "spec_options.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <sstream>

#include "ct/json.hpp"
#include "ct/specfile.hpp"

namespace ct::cli {
namespace {

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    if (!s.empty() && s.back() == sep) out.push_back("");
    return out;
}

std::string random_name() {
    std::random_device rd;
    static const char kHex[] = "0123456789abcdef";
    std::string n = "ct-";
    for (int i = 0; i < 8; ++i) n += kHex[rd() % 16];
    return n;
}

Namespace ns_named(const std::string &n) {
    static const std::pair<const char *, Namespace> kNames[] = {
        {"mount", Namespace::mount}, {"mnt", Namespace::mount},     {"uts", Namespace::uts},
        {"ipc", Namespace::ipc},     {"pid", Namespace::pid},       {"net", Namespace::net},
        {"user", Namespace::user},   {"cgroup", Namespace::cgroup}, {"time", Namespace::time}};
    for (const auto &[name, t] : kNames)
        if (n == name) return t;
    throw UsageError("--ns: unknown namespace '" + n +
                     "' (known: mount, uts, ipc, pid, net, user, cgroup, time)");
}

// Whether the container gets a UTS namespace of its own (so a hostname of its own).
bool own_uts(const Spec &s) {
    for (const auto &n : s.effective_namespaces())
        if (n.type == Namespace::uts) return n.path.empty();
    return false;
}

// The spec with the fields it leaves out taken from ct.conf's defaults.
Spec with_defaults(const Spec &s, const nlohmann::json &defaults) {
    auto merged = merge_defaults(nlohmann::json::parse(to_json(s)), defaults);
    try {
        return spec_from_json(merged.dump());
    } catch (const Error &e) {
        throw Error(e.code(), std::string("spec defaults of ct.conf: ") + e.what());
    }
}

}  // namespace

MountSpec parse_mount(const std::string &text) {
    auto parts = split(text, ':');
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
        throw UsageError("--mount '" + text +
                         "': expected SRC:DST[:OPTIONS], e.g. /srv/data:/data:ro");
    MountSpec m;
    if (parts[0] == "tmpfs" || parts[0] == "proc" || parts[0] == "sysfs" || parts[0] == "mqueue") {
        m.type = parts[0];
        m.source = parts[0];
    } else {
        m.type = "bind";
        m.source = parts[0];
        if (m.source[0] != '/') {
            // Relative to where ct runs, as a user means it.
            char cwd[4096];
            if (::getcwd(cwd, sizeof cwd)) m.source = std::string(cwd) + "/" + m.source;
        }
    }
    m.target = parts[1];
    if (parts.size() == 3)
        for (const auto &o : split(parts[2], ','))
            if (!o.empty()) m.options.push_back(o);
    return m;
}

NetInterfaceSpec parse_net(const std::string &text) {
    auto colon = text.find(':');
    NetInterfaceSpec n;
    n.type = text.substr(0, colon);
    if (colon == std::string::npos || colon + 1 >= text.size())
        throw UsageError("--net '" + text +
                         "': expected TYPE:NAME[,key=value...] (or 'host'), "
                         "e.g. veth:eth0,host=veth0,addr=10.0.0.2/24");
    auto fields = split(text.substr(colon + 1), ',');
    if (n.type == "hostnic")
        n.host_name = fields[0];
    else
        n.name = fields[0];
    for (size_t i = 1; i < fields.size(); ++i) {
        auto eq = fields[i].find('=');
        if (eq == std::string::npos)
            throw UsageError("--net '" + text + "': '" + fields[i] + "' is not key=value");
        std::string k = fields[i].substr(0, eq), v = fields[i].substr(eq + 1);
        if (k == "host" || k == "host_name")
            n.host_name = v;
        else if (k == "name")
            n.name = v;
        else if (k == "addr" || k == "address")
            n.addresses.push_back(v);
        else if (k == "gw" || k == "gateway")
            n.gateway = v;
        else if (k == "mtu")
            n.mtu = static_cast<uint32_t>(parse_count(v, "--net mtu", 68, 65535));
        else if (k == "mac")
            n.mac = v;
        else if (k == "bridge")
            n.bridge = v;
        else if (k == "link")
            n.link = v;
        else if (k == "mode")
            n.mode = v;
        else if (k == "id" || k == "vlan")
            n.vlan_id = static_cast<uint32_t>(parse_count(v, "--net id", 1, 4094));
        else
            throw UsageError("--net '" + text + "': unknown key '" + k +
                             "' (known: name, host, addr, gw, mtu, mac, bridge, link, mode, id)");
    }
    return n;
}

IdMap parse_idmap(const std::string &text, const std::string &what) {
    auto p = split(text, ':');
    if (p.size() != 3)
        throw UsageError(what + " '" + text + "': expected CONTAINER_ID:HOST_ID:SIZE");
    IdMap m{parse_id(p[0], what + " CONTAINER_ID"), parse_id(p[1], what + " HOST_ID"),
            static_cast<uint32_t>(parse_count(p[2], what + " SIZE", 1, 4294967295))};
    // A range may end at the last id, not wrap past it to (uid_t)-1.
    if (uint64_t{std::max(m.container_id, m.host_id)} + m.size - 1 > 4294967294)
        throw UsageError(what + " '" + text + "': the ids go past 4294967294");
    return m;
}

DeviceNode parse_device(const std::string &text) {
    auto p = split(text, ':');
    DeviceNode d;
    d.path = p[0];
    if (d.path.empty() || d.path[0] != '/')
        throw UsageError("--device '" + text +
                         "': expected an absolute PATH[:c|b:MAJOR:MINOR[:MODE]]");
    if (p.size() == 1) {
        struct stat st;
        if (::stat(d.path.c_str(), &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
            throw UsageError("--device '" + text + "': no device node on this host at " + d.path +
                             " (give its numbers: PATH:c:MAJOR:MINOR)");
        d.type = S_ISBLK(st.st_mode) ? "b" : "c";
        d.major = major(st.st_rdev);
        d.minor = minor(st.st_rdev);
        d.mode = st.st_mode & 07777;
        return d;
    }
    if (p.size() < 4 || p.size() > 5)
        throw UsageError("--device '" + text + "': expected PATH[:c|b:MAJOR:MINOR[:MODE]]");
    d.type = p[1];
    d.major = static_cast<uint32_t>(parse_count(p[2], "--device MAJOR", 0, 0xfff));
    d.minor = static_cast<uint32_t>(parse_count(p[3], "--device MINOR", 0, 0xfffff));
    if (p.size() == 5) {
        const std::string &m = p[4];
        // At most four digits after leading zeros: stoul() cannot overflow.
        if (m.empty() || m.find_first_not_of("01234567") != std::string::npos ||
            m.size() - std::min(m.find_first_not_of('0'), m.size()) > 4 ||
            std::stoul(m, nullptr, 8) > 07777)
            throw UsageError("--device '" + text + "': MODE is octal, 0000..7777, like 0660");
        d.mode = static_cast<uint32_t>(std::stoul(p[4], nullptr, 8));
    }
    return d;
}

void SpecOptions::add_to(po::options_description &desc) {
    // clang-format off
    desc.add_options()
        ("name,n", po::value(&name)->value_name("NAME"), "container name (default: the spec's, else ct-<random>)")
        ("rootfs,r", po::value(&rootfs)->value_name("DIR"), "root filesystem directory")
        ("hostname,H", po::value(&hostname)->value_name("NAME"), "host name inside the container (default: its name)");
    // clang-format on
    limits.add_to(desc);
    // clang-format off
    desc.add_options()
        ("mount", po::value(&mounts)->composing()->value_name("SRC:DST[:OPTS]"), "bind mount SRC at DST (options: ro, nosuid, ...), or tmpfs:DST[:OPTS] (repeatable)")
        ("device", po::value(&devices)->composing()->value_name("PATH[:c|b:MAJ:MIN[:MODE]]"), "device node, allowed in the container; without numbers, the host's node at PATH (repeatable)")
        ("net", po::value(&nets)->composing()->value_name("TYPE:NAME[,K=V...]"), "network interface (veth:eth0,addr=10.0.0.2/24,gw=10.0.0.1), or 'host' to share the host's network (repeatable)")
        ("ns", po::value(&namespaces)->value_name("LIST"), "namespaces to create, comma separated (default: mount,uts,ipc,pid,net,cgroup)")
        ("uid-map", po::value(&uid_maps)->composing()->value_name("C:H:N"), "map container ids C.. to host ids H.., N of them (adds a user namespace; repeatable)")
        ("gid-map", po::value(&gid_maps)->composing()->value_name("C:H:N"), "the same for group ids (repeatable)")
        ("sysctl", po::value(&sysctls)->composing()->value_name("KEY=VALUE"), "namespaced sysctl (repeatable)")
        ("annotation", po::value(&annotations)->composing()->value_name("KEY=VALUE"), "kept with the container (repeatable)")
        ("read-only", po::bool_switch(&read_only), "mount the root filesystem read-only")
        ("seccomp", po::value(&seccomp)->value_name("PROFILE"), "system call filter: default, unconfined, or a JSON file in the OCI runtime spec's LinuxSeccomp form");
    // clang-format on
    process.add_to(desc);
}

Spec SpecOptions::build(const std::string &file, const std::vector<std::string> &command,
                        const nlohmann::json &defaults) const {
    Spec s;
    std::string text;
    if (!file.empty()) {
        text = read_spec_file(file);
        s = parse_spec_yaml(text, file);
    }
    if (!name.empty()) s.name = name;
    if (s.name.empty()) s.name = random_name();
    if (!rootfs.empty()) {
        s.rootfs = rootfs;
        if (s.rootfs[0] != '/') {
            char cwd[4096];
            if (::getcwd(cwd, sizeof cwd)) s.rootfs = std::string(cwd) + "/" + s.rootfs;
        }
    }
    if (!hostname.empty()) s.hostname = hostname;
    limits.apply(s.resources);
    for (const auto &m : mounts) s.mounts.push_back(parse_mount(m));
    for (const auto &d : devices) s.devices.push_back(parse_device(d));
    bool host_net = false;
    for (const auto &n : nets) {
        if (n == "host")
            host_net = true;
        else
            s.network.push_back(parse_net(n));
    }
    if (!namespaces.empty()) {
        std::vector<NamespaceSpec> ns;
        for (const auto &n : split(namespaces, ','))
            if (!n.empty()) ns.push_back({ns_named(n), {}});
        s.namespaces = ns;
    }
    // Unset namespaces are the backend's default, which is not root's for a caller without it.
    auto base = [&] {
        return s.namespaces || !unprivileged ? s.effective_namespaces()
                                             : unprivileged_default_namespaces();
    };
    if (host_net) {
        auto ns = base();
        std::erase_if(ns, [](const NamespaceSpec &n) { return n.type == Namespace::net; });
        s.namespaces = ns;
    }
    for (const auto &m : uid_maps) s.uid_map.push_back(parse_idmap(m, "--uid-map"));
    for (const auto &m : gid_maps) s.gid_map.push_back(parse_idmap(m, "--gid-map"));
    if ((!uid_maps.empty() || !gid_maps.empty()) && !s.has_namespace(Namespace::user)) {
        auto ns = base();
        if (std::none_of(ns.begin(), ns.end(),
                         [](const NamespaceSpec &n) { return n.type == Namespace::user; }))
            ns.push_back({Namespace::user, {}});
        s.namespaces = ns;
    }
    for (const auto &kv : sysctls) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--sysctl '" + kv + "': expected KEY=VALUE");
        s.sysctl[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto &kv : annotations) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--annotation '" + kv + "': expected KEY=VALUE");
        s.annotations[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (read_only) s.readonly_rootfs = true;
    if (seccomp == "default") {
        s.seccomp.reset();
    } else if (seccomp == "unconfined") {
        s.seccomp = SeccompSpec{true};
    } else if (!seccomp.empty()) {
        try {
            s.seccomp = seccomp_from_json(read_spec_file(seccomp));
        } catch (const Error &e) {
            throw UsageError("--seccomp " + seccomp + ": " + e.what());
        }
    }
    if (!command.empty()) s.process.args = command;
    if (!defaults.empty()) s = with_defaults(s, defaults);
    if (s.process.env.empty())
        s.process.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    process.apply(s.process);
    // An OpenVZ spec may take its root from a template and boot the OS's own init.
    bool from_template = s.openvz && !s.openvz->ostemplate.empty();
    if (s.rootfs.empty() && !from_template)
        throw UsageError("no root filesystem: give --rootfs DIR, or a spec file with rootfs:" +
                         (file.empty() && !command.empty()
                              ? " (a spec file's name ends in .yaml; '" + command[0] +
                                    "' was taken as the command)"
                              : std::string()));
    // A container is a host of its own: named after itself, as Docker's and Podman's are, and
    // not after the machine it runs on.
    if (s.hostname.empty() && !s.openvz && s.name.size() <= 64 && own_uts(s)) s.hostname = s.name;
    if (s.process.args.empty() && !s.openvz)
        throw UsageError(
            "no command: give it after '--' (ct run --rootfs DIR -- /bin/sh), or "
            "process.args in the spec file");
    validate_spec_file(s, text, file.empty() ? "command line" : file);
    return s;
}

bool unprivileged_here(const std::string &uri) {
    bool linux_here =
        uri.rfind("linux:///", 0) == 0 || uri.rfind("local:///", 0) == 0 || uri == "local";
    return linux_here && ::geteuid() != 0;
}

}  // namespace ct::cli
