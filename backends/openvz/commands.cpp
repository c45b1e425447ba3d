#include "commands.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "ct/error.hpp"
#include "ct/internal/uri.hpp"
#include "limits.hpp"
#include "netif.hpp"
#include "options.hpp"

namespace ct::openvz {
namespace {

[[noreturn]] void unsupported(const std::string &field, const std::string &why) {
    throw Error(Errc::unsupported, field + " is not supported by backend openvz: " + why);
}

// openvz.layout as the generation's vzctl create takes it.
Argv layout_options(const std::string &layout, Generation generation) {
    if (generation == Generation::legacy) return {"--layout", layout};
    if (layout == "ploop") return {"--ve_layout", "ploop"};
    if (layout == "ploop:expanded") return {"--ve_layout", "ploop", "--expanded"};
    if (layout == "ploop:plain") return {"--ve_layout", "ploop", "--preallocated"};
    if (layout == "ploop:raw") return {"--ve_layout", "ploop", "--raw"};
    unsupported("openvz.layout '" + layout + "'",
                "OpenVZ 7's vzctl creates ploop containers only (--ve_layout ploop)");
}

std::string disk_arg(int64_t bytes) {
    // vzctl reads a bare --diskspace number as KiB: always give a unit.
    int64_t kib = (bytes + 1023) / 1024;
    if (kib % (1 << 20) == 0) return std::to_string(kib >> 20) + "G";
    if (kib % (1 << 10) == 0) return std::to_string(kib >> 10) + "M";
    return std::to_string(kib) + "K";
}

// A beancounter value of a spec as vzctl takes it: a number of LONG_MAX or more (how older
// vzctl wrote "unlimited" into confs, which specs copy) goes as `unlimited`, which every vzctl
// reads, instead of a number it may not parse.
std::string beancounter_arg(const std::string &value) {
    std::string out;
    size_t start = 0;
    for (;;) {
        size_t end = value.find(':', start);
        std::string part = value.substr(start, end == std::string::npos ? end : end - start);
        uint64_t v = 0;
        auto r = std::from_chars(part.data(), part.data() + part.size(), v);
        bool digits = !part.empty() && r.ptr == part.data() + part.size();
        bool huge = digits && (r.ec == std::errc::result_out_of_range || v >= ubc::kUnlimited);
        out += huge ? "unlimited" : part;
        if (end == std::string::npos) return out;
        out += ':';
        start = end + 1;
    }
}

}  // namespace

std::string size_arg(int64_t bytes) {
    if (bytes != 0 && bytes % (1LL << 30) == 0) return std::to_string(bytes >> 30) + "G";
    if (bytes != 0 && bytes % (1LL << 20) == 0) return std::to_string(bytes >> 20) + "M";
    if (bytes != 0 && bytes % (1LL << 10) == 0) return std::to_string(bytes >> 10) + "K";
    return std::to_string(bytes);
}

void check_process(const ProcessSpec &p, const std::string &field) {
    auto root_name = [](const std::string &n) { return n.empty() || n == "root"; };
    if (p.user.uid != 0 || p.user.gid != 0 || !p.user.additional_gids.empty() ||
        !root_name(p.user.name) || !root_name(p.user.group))
        unsupported(field + ".user", "vzctl exec2 runs commands as root");
    if (!p.rlimits.empty()) unsupported(field + ".rlimits", "vzctl exec2 cannot set them");
    if (p.capabilities)
        unsupported(field + ".capabilities",
                    "vzctl exec2 has no per-process capabilities (OpenVZ sets them per container)");
    if (p.no_new_privileges) unsupported(field + ".no_new_privileges", "vzctl exec2 cannot set it");
    if (!p.new_session) unsupported(field + ".new_session", "vzctl exec2 always starts a session");
    if (p.parent_death_signal)
        unsupported(field + ".parent_death_signal", "vzctl exec2 cannot set it");
}

void check_spec(const Spec &s, Generation generation) {
    if (s.namespaces) {
        bool have[8] = {};
        for (size_t i = 0; i < s.namespaces->size(); ++i) {
            const auto &n = (*s.namespaces)[i];
            std::string f = "namespaces[" + std::to_string(i) + "]";
            if (!n.path.empty())
                unsupported(f, "an OpenVZ container cannot join an existing namespace");
            if (n.type == Namespace::user || n.type == Namespace::time)
                unsupported(f + " '" + namespace_name(n.type) + "'",
                            "OpenVZ containers have no " + std::string(namespace_name(n.type)) +
                                " namespace of their own");
            have[static_cast<int>(n.type)] = true;
        }
        for (auto t :
             {Namespace::mount, Namespace::uts, Namespace::ipc, Namespace::pid, Namespace::net})
            if (!have[static_cast<int>(t)])
                unsupported("namespaces without '" + std::string(namespace_name(t)) + "'",
                            "an OpenVZ container always has its own mount, uts, ipc, pid and net "
                            "namespaces; a subset cannot be had");
    }
    if (!s.uid_map.empty()) unsupported("uid_map", "OpenVZ containers have no user namespace");
    if (!s.gid_map.empty()) unsupported("gid_map", "OpenVZ containers have no user namespace");
    if (s.readonly_rootfs)
        unsupported("readonly_rootfs", "vzctl mounts the private area read-write");
    if (!s.private_area.type.empty() && s.private_area.type != "dir")
        unsupported(
            "private.type '" + s.private_area.type + "'",
            "the private area is a directory (simfs) or made by vzctl (openvz.layout: ploop)");
    if (!s.mounts.empty())
        unsupported("mounts",
                    "vzctl has no bind-mount option (OpenVZ uses per-container mount "
                    "scripts, which libct does not write)");
    if (!s.sysctl.empty()) unsupported("sysctl", "vzctl has no option to set sysctls");
    if (!s.cgroups.empty())
        unsupported("cgroups", "OpenVZ containers get their cgroups from vzctl");
    if (!s.devices.empty())
        unsupported("devices",
                    "vzctl --devnodes makes only nodes named after the host's, "
                    "with the host's numbers, owner and mode");
    if (!s.personality.empty())
        unsupported("personality", "vzctl starts the container's init in the host's own");
    if (!s.rootfs_propagation.empty())
        unsupported("rootfs_propagation", "vzctl mounts the container's root itself");
    if (!s.time_offsets.empty())
        unsupported("time_offsets", "OpenVZ containers have no time namespace of their own");
    if (s.inherit_keyring)
        unsupported(
            "inherit_keyring",
            "vzctl starts the container's init: the caller's session keyring cannot reach it");
    check_process(s.process, "process");
    (void)resource_options(s.resources);
    (void)interface_options(s, generation);
    (void)create_options(s, generation);
}

Argv resource_options(const Resources &r) {
    Argv a;
    if (r.memory) {
        if (*r.memory == -1)
            a.insert(a.end(), {"--physpages", "0:unlimited"});
        else
            a.insert(a.end(), {"--ram", size_arg(*r.memory)});
    }
    if (r.memory_swap) {
        if (!r.memory)
            unsupported("resources.memory_swap without resources.memory",
                        "OpenVZ limits swap apart from RAM, so it needs both to compute the swap");
        if (*r.memory_swap == -1) {
            a.insert(a.end(), {"--swappages", "0:unlimited"});
        } else {
            if (*r.memory == -1)
                unsupported("resources.memory_swap with unlimited resources.memory",
                            "OpenVZ cannot bound RAM plus swap when RAM is unbounded");
            a.insert(a.end(), {"--swap", size_arg(*r.memory_swap - *r.memory)});
        }
    }
    if (r.pids) {
        if (*r.pids == -1)
            a.insert(a.end(), {"--numproc", "unlimited"});
        else
            a.insert(a.end(),
                     {"--numproc", std::to_string(*r.pids) + ":" + std::to_string(*r.pids)});
    }
    if (r.cpu.shares) {
        if (*r.cpu.shares < 8)
            unsupported("resources.cpu.shares " + std::to_string(*r.cpu.shares),
                        "OpenVZ cpuunits range from 8 to 500000");
        a.insert(a.end(), {"--cpuunits", std::to_string(*r.cpu.shares)});
    }
    if (r.cpu.quota_us) {
        if (*r.cpu.quota_us == -1) {
            a.insert(a.end(), {"--cpulimit", "0"});
        } else {
            uint64_t period = r.cpu.period_us ? *r.cpu.period_us : 100000;
            uint64_t q = static_cast<uint64_t>(*r.cpu.quota_us);
            uint64_t pct = (q * 100 + period - 1) / period;  // OpenVZ counts whole percents
            a.insert(a.end(), {"--cpulimit", std::to_string(pct)});
        }
    } else if (r.cpu.period_us) {
        unsupported("resources.cpu.period_us without quota_us",
                    "OpenVZ has a CPU limit in percent, not a period");
    }
    if (!r.cpu.cpus.empty()) a.insert(a.end(), {"--cpumask", r.cpu.cpus});
    if (!r.cpu.mems.empty()) a.insert(a.end(), {"--nodemask", r.cpu.mems});
    if (r.io_weight)
        unsupported("resources.io_weight", "OpenVZ has an I/O priority 0..7 (use openvz.ioprio)");
    // The cgroup limits of OCI bundles: vzctl has no option for any of them.
    const std::pair<bool, const char *> cgroup_only[] = {
        {r.memory_reservation.has_value(), "resources.memory_reservation"},
        {r.memory_swappiness.has_value(), "resources.memory_swappiness"},
        {r.oom_kill_disable.has_value(), "resources.oom_kill_disable"},
        {r.cpu.rt_runtime_us || r.cpu.rt_period_us, "resources.cpu.rt_runtime_us"},
        {r.cpu.idle.has_value(), "resources.cpu.idle"},
        {r.cpu.burst_us.has_value(), "resources.cpu.burst_us"},
        {r.io != BlockIoSpec{}, "resources.io"},
        {!r.hugepages.empty(), "resources.hugepages"},
        {!r.unified.empty(), "resources.unified"}};
    for (const auto &[set, field] : cgroup_only)
        if (set) unsupported(field, "vzctl has no such limit");
    if (!r.devices.empty())
        unsupported("resources.devices",
                    "vzctl --devices grants read/write/quota per device, "
                    "with no mknod rule and no deny rules after defaults");
    return a;
}

Argv create_options(const Spec &s, Generation generation) {
    Argv a;
    const OpenVzSpec none;
    const auto &o = s.openvz ? *s.openvz : none;
    if (!o.ostemplate.empty()) a.insert(a.end(), {"--ostemplate", o.ostemplate});
    if (!o.config.empty()) a.insert(a.end(), {"--config", o.config});
    if (!o.layout.empty()) {
        Argv l = layout_options(o.layout, generation);
        a.insert(a.end(), l.begin(), l.end());
    }
    if (s.private_area.type == "dir") a.insert(a.end(), {"--private", s.private_area.path});
    if (!s.rootfs.empty()) a.insert(a.end(), {"--root", s.rootfs});
    if (o.diskspace) a.insert(a.end(), {"--diskspace", disk_arg(*o.diskspace)});
    return a;
}

SetPlan set_options(const Spec &s, bool with_disk, Generation generation) {
    SetPlan plan;
    Argv &a = plan.main;
    if (!s.hostname.empty()) a.insert(a.end(), {"--hostname", s.hostname});
    if (s.openvz) {
        for (const auto &ip : s.openvz->ip) a.insert(a.end(), {"--ipadd", ip});
        for (const auto &ns : s.openvz->nameservers) a.insert(a.end(), {"--nameserver", ns});
        for (const auto &d : s.openvz->searchdomains) a.insert(a.end(), {"--searchdomain", d});
    }
    InterfaceOptions net = interface_options(s, generation);
    a.insert(a.end(), net.with_rest.begin(), net.with_rest.end());
    plan.more = std::move(net.separate);
    auto r = resource_options(s.resources);
    a.insert(a.end(), r.begin(), r.end());
    if (s.openvz) {
        const auto &o = *s.openvz;
        if (with_disk && o.diskspace) a.insert(a.end(), {"--diskspace", disk_arg(*o.diskspace)});
        if (o.diskinodes) {
            auto n = std::to_string(*o.diskinodes);
            a.insert(a.end(), {"--diskinodes", n + ":" + n});
        }
        if (o.cpus) a.insert(a.end(), {"--cpus", std::to_string(*o.cpus)});
        if (o.ioprio) a.insert(a.end(), {"--ioprio", std::to_string(*o.ioprio)});
        if (o.onboot) a.insert(a.end(), {"--onboot", *o.onboot ? "yes" : "no"});
        for (const auto &[name, value] : o.beancounters)
            a.insert(a.end(), {"--" + name, beancounter_arg(value)});
    }
    return plan;
}

std::string command_line(const ProcessSpec &p) {
    std::string line;
    if (!p.cwd.empty() && p.cwd != "/") line += "cd " + shell_quote(p.cwd) + " && ";
    line += "exec";
    if (!p.env.empty()) {
        line += " env -i";
        for (const auto &e : p.env) line += " " + shell_quote(e);
    }
    for (const auto &a : p.args) line += " " + shell_quote(a);
    return line;
}

MigrateTarget migrate_target(const std::string &dest, Generation generation) {
    auto bad = [&](const std::string &why) {
        return Error(Errc::invalid_argument, "migration destination '" + dest + "': " + why);
    };
    uri::Uri u = uri::parse_uri(dest);
    if (u.scheme == "openvz")
        throw bad("that is this host: vzmigrate moves containers to another host");
    if (u.scheme != "openvz+ssh")
        throw Error(Errc::unsupported,
                    "migration to '" + dest +
                        "' is not supported by backend openvz: vzmigrate moves containers only to "
                        "other OpenVZ hosts (openvz+ssh://[user@]host/)");
    MigrateTarget t;
    std::vector<std::string> ssh;
    const std::string &user = u.user, &host = u.host;
    std::string port = u.port ? std::to_string(u.port) : "";
    auto plain = [](const std::string &v) {
        return !v.empty() && std::none_of(v.begin(), v.end(), [](char c) {
            return std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"' ||
                   c == '\\' || c == '$' || c == '`';
        });
    };
    if (!plain(host) || (!user.empty() && !plain(user))) throw bad("malformed host or user");
    if (!port.empty()) ssh.insert(ssh.end(), {"-p", port});
    for (const auto &item : u.items) {
        const std::string &k = item.key, &v = item.value;
        // vzmigrate passes --ssh= options to ssh split at blanks: no quoting survives it.
        if (k != "agent" && !plain(v))
            throw bad("option " + k + ": '" + v + "' must be a plain word (no blanks or quotes)");
        if (k == "identity")
            ssh.insert(ssh.end(), {"-i", v});
        else if (k == "known_hosts")
            ssh.insert(ssh.end(), {"-o", "UserKnownHostsFile=" + v});
        else if (k == "host_key" && v == "strict")
            ssh.insert(ssh.end(), {"-o", "StrictHostKeyChecking=yes"});
        else if (k == "host_key" && v == "accept-new")
            ssh.insert(ssh.end(), {"-o", "StrictHostKeyChecking=accept-new"});
        else if (k == "host_key")
            throw bad("host_key must be strict or accept-new");
        else if (k == "keepalive") {
            if (!std::all_of(v.begin(), v.end(), ::isdigit)) throw bad("keepalive must be seconds");
            ssh.insert(ssh.end(), {"-o", "ServerAliveInterval=" + v});
        } else if (k == "agent") {
            // ct-agent's path on the far side: the session libct opens there, not vzmigrate.
        } else {
            throw bad("unknown option '" + k +
                      "' (known: identity, known_hosts, host_key, "
                      "keepalive, agent)");
        }
    }
    if (generation == Generation::legacy && !user.empty() && user != "root")
        throw bad(
            "legacy OpenVZ's vzmigrate always logs in as root (it runs ssh root@<host>): "
            "user '" +
            user + "' cannot be used; give root@" + host + " or just " + host);
    t.destination = generation == Generation::legacy || user.empty() ? host : user + "@" + host;
    for (const auto &w : ssh) t.ssh_options += (t.ssh_options.empty() ? "" : " ") + w;
    return t;
}

}  // namespace ct::openvz
