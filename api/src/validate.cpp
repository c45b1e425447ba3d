// Full validation of a spec before anything is created (DESIGN: bad input changes nothing).
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "ct/error.hpp"
#include "ct/internal/beancounters.hpp"
#include "ct/internal/validate.hpp"
#include "ct/spec.hpp"

namespace ct {
namespace {

[[noreturn]] void fail(const std::string &field, const std::string &why) {
    throw Error(Errc::invalid_spec, "invalid spec: " + field + ": " + why);
}

bool valid_name(const std::string &n) {
    if (n.empty() || n.size() > 64) return false;
    if (!std::isalnum(static_cast<unsigned char>(n[0]))) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

bool valid_hostname(const std::string &h) {
    if (h.empty() || h.size() > 64) return false;
    return std::all_of(h.begin(), h.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    });
}

// Absolute, and no ".." component: a target may never climb out of the container's root.
void check_abs_path(const std::string &field, const std::string &p) {
    if (p.empty() || p[0] != '/') fail(field, "'" + p + "' is not an absolute path");
    size_t pos = 0;
    while (pos != std::string::npos) {
        size_t next = p.find('/', pos + 1);
        std::string comp = p.substr(pos + 1, next == std::string::npos ? next : next - pos - 1);
        if (comp == "..") fail(field, "'" + p + "' contains '..'");
        pos = next;
    }
    if (p.find('\0') != std::string::npos) fail(field, "path contains a NUL byte");
}

bool valid_cpu_list(const std::string &s, unsigned max) {
    // "0-3,5,7-8"
    if (s.empty()) return false;
    size_t i = 0;
    // A number of at most `max`, which bounds its digits too.
    auto number = [&](unsigned &out) {
        size_t start = i;
        out = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 6)
            out = out * 10 + static_cast<unsigned>(s[i++] - '0');
        return i > start && out <= max &&
               (i == s.size() || !std::isdigit(static_cast<unsigned char>(s[i])));
    };
    while (i < s.size()) {
        unsigned first = 0, last = 0;
        if (!number(first)) return false;
        if (i < s.size() && s[i] == '-') {
            ++i;
            if (!number(last) || last < first) return false;
        }
        if (i < s.size()) {
            if (s[i] != ',') return false;
            if (++i == s.size()) return false;
        }
    }
    return true;
}

bool valid_cidr(const std::string &a) {
    auto slash = a.find('/');
    std::string ip = a.substr(0, slash);
    unsigned char buf[16];
    int max = 0;
    if (inet_pton(AF_INET, ip.c_str(), buf) == 1)
        max = 32;
    else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1)
        max = 128;
    else
        return false;
    if (slash == std::string::npos) return true;
    std::string len = a.substr(slash + 1);
    if (len.empty() || len.size() > 3 ||
        !std::all_of(len.begin(), len.end(), [](char c) { return std::isdigit(c); }))
        return false;
    return std::stoi(len) <= max;
}

bool valid_ip(const std::string &a) {
    unsigned char buf[16];
    return inet_pton(AF_INET, a.c_str(), buf) == 1 || inet_pton(AF_INET6, a.c_str(), buf) == 1;
}

bool valid_mac(const std::string &m) {
    if (m.size() != 17) return false;
    for (size_t i = 0; i < 17; ++i) {
        if (i % 3 == 2) {
            if (m[i] != ':') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(m[i]))) {
            return false;
        }
    }
    return true;
}

// (uid_t)-1 is no id: setresuid(), setgroups() and chown() read it as "leave unchanged", so a
// process or file given it would keep root's ids.
constexpr uint64_t kMaxId = 4294967294;

void check_id(const std::string &field, uint64_t id) {
    if (id > kMaxId)
        fail(field, std::to_string(id) + " is not an id (0.." + std::to_string(kMaxId) + ")");
}

const std::set<std::string> kRlimits = {
    "as",   "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue",
    "nice", "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};

// `system`: an OpenVZ spec, whose container boots its own init when it has no command.
void check_process(const ProcessSpec &p, const std::string &f, bool system = false) {
    if (p.args.empty() && !system)
        fail(f + ".args", "is empty: the container needs a command to run");
    if (!p.args.empty() && p.args[0].empty())
        fail(f + ".args[0]", "the executable is an empty string");
    for (size_t i = 0; i < p.env.size(); ++i)
        if (p.env[i].find('=') == std::string::npos || p.env[i][0] == '=')
            fail(f + ".env[" + std::to_string(i) + "]", "'" + p.env[i] + "' is not KEY=value");
    check_abs_path(f + ".cwd", p.cwd);
    if (p.parent_death_signal < 0 || p.parent_death_signal > 64)
        fail(f + ".parent_death_signal",
             std::to_string(p.parent_death_signal) + " is not a signal");
    if (p.terminal && !p.new_session)
        fail(f + ".new_session", "a process with a terminal leads its own session");
    for (size_t i = 0; i < p.rlimits.size(); ++i) {
        const auto &r = p.rlimits[i];
        std::string rf = f + ".rlimits[" + std::to_string(i) + "]";
        if (!kRlimits.count(r.type)) fail(rf + ".type", "unknown resource limit '" + r.type + "'");
        if (r.soft > r.hard) fail(rf, "soft limit is above the hard limit");
    }
    // Capability names: validate_security(), through libcap's table.
    auto valid_id_name = [](const std::string &n) {
        return !n.empty() && n.size() <= 256 && n.find_first_of(":/\n") == std::string::npos;
    };
    if (!p.user.name.empty()) {
        if (!valid_id_name(p.user.name))
            fail(f + ".user.name", "'" + p.user.name + "' is not a user name");
        if (p.user.uid != 0) fail(f + ".user", "give the user by name or by uid, not both");
    }
    if (!p.user.group.empty()) {
        if (!valid_id_name(p.user.group))
            fail(f + ".user.group", "'" + p.user.group + "' is not a group name");
        if (p.user.gid != 0) fail(f + ".user", "give the group by name or by gid, not both");
    }
    if (p.umask && *p.umask > 0777) fail(f + ".umask", "is not a mode (0..0777)");
    if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
        fail(f + ".oom_score_adj", std::to_string(*p.oom_score_adj) + " is not in -1000..1000");
    if (p.console_size && !p.terminal) fail(f + ".console_size", "needs terminal: true");
    check_id(f + ".user.uid", p.user.uid);
    check_id(f + ".user.gid", p.user.gid);
    for (size_t i = 0; i < p.user.additional_gids.size(); ++i)
        check_id(f + ".user.additional_gids[" + std::to_string(i) + "]", p.user.additional_gids[i]);
}

bool valid_template_name(const std::string &n) {
    return !n.empty() && n.size() <= 255 && n[0] != '.' &&
           std::all_of(n.begin(), n.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                      c == '-' || c == '+';
           });
}

void check_openvz(const Spec &s) {
    const auto &o = *s.openvz;
    if (!o.ostemplate.empty() && !valid_template_name(o.ostemplate))
        fail("openvz.ostemplate",
             "'" + o.ostemplate + "' is not a template name like centos-7-x86_64");
    if (!o.config.empty() && !valid_template_name(o.config))
        fail("openvz.config", "'" + o.config + "' is not a sample name like basic or vswap-1g");
    static const std::set<std::string> kLayouts = {"simfs", "ploop", "ploop:expanded",
                                                   "ploop:plain", "ploop:raw"};
    if (!o.layout.empty() && !kLayouts.count(o.layout))
        fail("openvz.layout", "'" + o.layout + "' is not simfs, ploop or ploop:FORMAT");
    for (size_t i = 0; i < o.ip.size(); ++i)
        if (!valid_cidr(o.ip[i]))
            fail("openvz.ip[" + std::to_string(i) + "]", "'" + o.ip[i] + "' is not an IP address");
    for (size_t i = 0; i < o.nameservers.size(); ++i)
        if (!valid_ip(o.nameservers[i]))
            fail("openvz.nameservers[" + std::to_string(i) + "]",
                 "'" + o.nameservers[i] + "' is not an IP address");
    for (size_t i = 0; i < o.searchdomains.size(); ++i)
        if (!valid_hostname(o.searchdomains[i]))
            fail("openvz.searchdomains[" + std::to_string(i) + "]",
                 "'" + o.searchdomains[i] + "' is not a domain name");
    if (o.diskspace && *o.diskspace < 1024)
        fail("openvz.diskspace", std::to_string(*o.diskspace) + " is below the minimum 1024");
    if (o.cpus && *o.cpus < 1) fail("openvz.cpus", "must be at least 1");
    if (o.ioprio && *o.ioprio > 7)
        fail("openvz.ioprio", std::to_string(*o.ioprio) + " is outside 0..7");
    for (const auto &[name, value] : o.beancounters) {
        std::string f = "openvz.beancounters." + name;
        const auto *k = ubc::find(name);
        if (!k) fail(f, "unknown beancounter (known: " + ubc::known_names() + ")");
        std::string why;
        if (!ubc::parse(value, k->unit, &why)) fail(f, why);
    }
    // One setting, one place: the generic field and its beancounter must not both be given.
    auto clash = [&](const char *ubc_name, bool generic, const char *generic_field) {
        if (generic && o.beancounters.count(ubc_name))
            fail(std::string("openvz.beancounters.") + ubc_name,
                 std::string("conflicts with ") + generic_field + " (set one of them)");
    };
    clash("physpages", s.resources.memory.has_value(), "resources.memory");
    clash("swappages", s.resources.memory_swap.has_value(), "resources.memory_swap");
    clash("numproc", s.resources.pids.has_value(), "resources.pids");
}

}  // namespace

namespace {

// The limits OCI bundles bring besides the common ones: soft memory limit, swappiness, the OOM
// killer, realtime and burst CPU, per-device block I/O, huge pages, cgroup-v2 files by name.
void validate_extra_limits(const Resources &r) {
    if (r.memory_reservation && *r.memory_reservation < -1)
        fail("resources.memory_reservation",
             std::to_string(*r.memory_reservation) + " is negative (-1 means none)");
    if (r.memory_swappiness && *r.memory_swappiness > 100)
        fail("resources.memory_swappiness",
             std::to_string(*r.memory_swappiness) + " is outside 0..100");
    const auto &c = r.cpu;
    if (c.rt_runtime_us && *c.rt_runtime_us < -1)
        fail("resources.cpu.rt_runtime_us",
             std::to_string(*c.rt_runtime_us) + " is negative (-1 means unlimited)");
    if (c.rt_period_us && (*c.rt_period_us < 1 || *c.rt_period_us > 1000000))
        fail("resources.cpu.rt_period_us",
             std::to_string(*c.rt_period_us) + " is outside 1..1000000");
    if (c.rt_runtime_us && c.rt_period_us && *c.rt_runtime_us >= 0 &&
        static_cast<uint64_t>(*c.rt_runtime_us) > *c.rt_period_us)
        fail("resources.cpu.rt_runtime_us", "must not exceed resources.cpu.rt_period_us");
    if (c.idle && *c.idle != 0 && *c.idle != 1)
        fail("resources.cpu.idle", std::to_string(*c.idle) + " is not 0 or 1");
    if (c.burst_us && *c.burst_us > 17592186044415)
        fail("resources.cpu.burst_us",
             std::to_string(*c.burst_us) + " is above the maximum 17592186044415");
    const std::pair<const char *, const std::vector<DeviceLimit> *> lists[] = {
        {"weight_device", &r.io.weight_device},
        {"read_bps", &r.io.read_bps},
        {"write_bps", &r.io.write_bps},
        {"read_iops", &r.io.read_iops},
        {"write_iops", &r.io.write_iops}};
    for (const auto &[name, list] : lists) {
        std::set<std::pair<uint32_t, uint32_t>> seen;
        for (size_t i = 0; i < list->size(); ++i) {
            const auto &d = (*list)[i];
            std::string f = std::string("resources.io.") + name + "[" + std::to_string(i) + "]";
            if (d.major > 0xfff || d.minor > 0xfffff)
                fail(f, std::to_string(d.major) + ":" + std::to_string(d.minor) +
                            " is not a device number");
            if (!seen.insert({d.major, d.minor}).second)
                fail(f, "device " + std::to_string(d.major) + ":" + std::to_string(d.minor) +
                            " is listed twice");
            if (list == &r.io.weight_device && (d.value < 1 || d.value > 10000))
                fail(f + ".value", std::to_string(d.value) + " is outside 1..10000");
        }
    }
    std::set<std::string> sizes;
    for (size_t i = 0; i < r.hugepages.size(); ++i) {
        const auto &h = r.hugepages[i];
        std::string f = "resources.hugepages[" + std::to_string(i) + "]";
        size_t digits = h.page_size.find_first_not_of("0123456789");
        std::string unit = digits == std::string::npos ? "" : h.page_size.substr(digits);
        if (digits == 0 || digits == std::string::npos || h.page_size[0] == '0' ||
            (unit != "KB" && unit != "MB" && unit != "GB"))
            fail(f + ".page_size", "'" + h.page_size + "' is not a huge page size like 2MB or 1GB");
        if (!sizes.insert(h.page_size).second)
            fail(f + ".page_size", h.page_size + " is listed twice");
        if (h.limit < -1)
            fail(f + ".limit", std::to_string(h.limit) + " is negative (-1 means unlimited)");
    }
    for (const auto &[name, value] : r.unified) {
        if (auto why = unified_file_refusal(name); !why.empty())
            fail("resources.unified." + name, why);
        if (value.find('\0') != std::string::npos)
            fail("resources.unified." + name, "the value holds a NUL byte");
    }
}

}  // namespace

std::string unified_file_refusal(const std::string &name) {
    if (name.empty()) return "an empty file name";
    if (name.find('/') != std::string::npos || name.find("..") != std::string::npos)
        return "'" + name + "' is not a file name of the container's own cgroup (no '/' or '..')";
    if (!std::all_of(name.begin(), name.end(),
                     [](char ch) {
                         // hugetlb.2MB.max: sizes are upper case
                         return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' ||
                                ch == '_';
                     }) ||
        name.find('.') == std::string::npos || name.front() == '.')
        return "'" + name + "' is not a cgroup-v2 file name like memory.high";
    // Of the core files only the limits on the container's own subtree are settable; the rest
    // move processes (procs, threads), change the tree or its mode (subtree_control, type),
    // kill or freeze it (the container's life cycle is libct's), or are read-only.
    if (name.rfind("cgroup.", 0) == 0 && name != "cgroup.max.depth" &&
        name != "cgroup.max.descendants")
        return "'" + name +
               "' is a cgroup core file that moves processes or changes the tree or the "
               "container's state; only cgroup.max.depth and cgroup.max.descendants may be set";
    return "";
}

void validate(const Resources &r) {
    auto check_limit = [](const std::optional<int64_t> &v, const char *f, int64_t min) {
        if (v && *v != -1 && *v < min)
            fail(f, std::to_string(*v) + " is below the minimum " + std::to_string(min) +
                        " (-1 means unlimited)");
    };
    check_limit(r.memory, "resources.memory", 4096);
    check_limit(r.memory_swap, "resources.memory_swap", 4096);
    check_limit(r.pids, "resources.pids", 1);
    // The kernel's largest (PID_MAX_LIMIT): pids.max refuses more.
    if (r.pids && *r.pids > 4194304)
        fail("resources.pids", std::to_string(*r.pids) + " is above the maximum 4194304");
    if (r.memory && r.memory_swap && *r.memory != -1 && *r.memory_swap != -1 &&
        *r.memory_swap < *r.memory)
        fail("resources.memory_swap", "must be at least resources.memory (it counts both)");
    if (r.cpu.shares && (*r.cpu.shares < 2 || *r.cpu.shares > 262144))
        fail("resources.cpu.shares", std::to_string(*r.cpu.shares) + " is outside 2..262144");
    if (r.cpu.period_us && (*r.cpu.period_us < 1000 || *r.cpu.period_us > 1000000))
        fail("resources.cpu.period_us",
             std::to_string(*r.cpu.period_us) + " is outside 1000..1000000");
    if (r.cpu.quota_us && *r.cpu.quota_us != -1 && *r.cpu.quota_us < 1000)
        fail("resources.cpu.quota_us",
             std::to_string(*r.cpu.quota_us) + " is below 1000 (-1 means unlimited)");
    // The kernel's largest quota (2^44-1 us: max_cfs_runtime); more is refused by cpu.max.
    if (r.cpu.quota_us && *r.cpu.quota_us > 17592186044415)
        fail("resources.cpu.quota_us",
             std::to_string(*r.cpu.quota_us) + " is above the maximum 17592186044415");
    // Linux's largest NR_CPUS is 8192 and MAX_NUMNODES 1024.
    if (!r.cpu.cpus.empty() && !valid_cpu_list(r.cpu.cpus, 8191))
        fail("resources.cpu.cpus",
             "'" + r.cpu.cpus + "' is not a CPU list like 0-1,3 (CPUs 0..8191, ranges ascending)");
    if (!r.cpu.mems.empty() && !valid_cpu_list(r.cpu.mems, 1023))
        fail("resources.cpu.mems",
             "'" + r.cpu.mems + "' is not a node list like 0 (nodes 0..1023, ranges ascending)");
    if (r.io_weight && (*r.io_weight < 1 || *r.io_weight > 10000))
        fail("resources.io_weight", std::to_string(*r.io_weight) + " is outside 1..10000");
    validate_extra_limits(r);
    for (size_t i = 0; i < r.devices.size(); ++i) {
        const auto &d = r.devices[i];
        std::string f = "resources.devices[" + std::to_string(i) + "]";
        if (d.type != "a" && d.type != "c" && d.type != "b")
            fail(f + ".type", "'" + d.type + "' is not a (all), c (char) or b (block)");
        if (d.type == "a" && (d.major || d.minor))
            fail(f, "type a (all devices) takes no major or minor");
        for (const auto &[n, v] : {std::pair{"major", &d.major}, {"minor", &d.minor}})
            if (*v && (**v < 0 || **v > 0xfffff))
                fail(f + "." + n, std::to_string(**v) + " is not a device number");
        if (d.access.empty() || d.access.size() > 3 ||
            d.access.find_first_not_of("rwm") != std::string::npos ||
            std::set<char>(d.access.begin(), d.access.end()).size() != d.access.size())
            fail(f + ".access", "'" + d.access + "' is not some of r, w and m");
    }
}

std::optional<Namespace> sysctl_namespace(const std::string &k) {
    auto starts = [&](const char *p) { return k.rfind(p, 0) == 0; };
    if (starts("net.")) return Namespace::net;
    if (starts("kernel.shm") || starts("kernel.msg") || k == "kernel.sem" || starts("fs.mqueue."))
        return Namespace::ipc;
    if (k == "kernel.hostname" || k == "kernel.domainname") return Namespace::uts;
    return std::nullopt;
}

namespace {

// Whether the spec makes namespace `t` of its own (not none, not one joined by path).
bool new_ns(const Spec &s, Namespace t) {
    for (const auto &n : s.effective_namespaces())
        if (n.type == t) return n.path.empty();
    return false;
}

void check_identity(const Spec &s) {
    if (s.name.empty()) fail("name", "is required");
    if (!valid_name(s.name))
        fail("name", "'" + s.name +
                         "' must be 1-64 characters of [A-Za-z0-9_.-], starting with "
                         "a letter or digit");
    // An OpenVZ container made from an OS template gets its root from the template.
    bool from_template = s.openvz && !s.openvz->ostemplate.empty();
    if (s.rootfs.empty() && !from_template) fail("rootfs", "is required");
    if (!s.rootfs.empty()) check_abs_path("rootfs", s.rootfs);
    if (s.openvz) check_openvz(s);
}

void check_private_area(const Spec &s) {
    // Which private-area types exist, and what each needs, is the backend's (its registry:
    // an unknown type is refused there, naming the ones it has).
    const auto &pa = s.private_area;
    if (!pa.type.empty()) {
        check_abs_path("private.path", pa.path);
        for (size_t i = 0; i < pa.lower.size(); ++i)
            check_abs_path("private.lower[" + std::to_string(i) + "]", pa.lower[i]);
        if (!pa.work.empty()) check_abs_path("private.work", pa.work);
    }
}

void check_namespaces(const Spec &s) {
    auto ns = s.effective_namespaces();
    std::set<Namespace> seen;
    for (size_t i = 0; i < ns.size(); ++i) {
        std::string f = "namespaces[" + std::to_string(i) + "]";
        if (!seen.insert(ns[i].type).second)
            fail(f, std::string("namespace '") + namespace_name(ns[i].type) + "' listed twice");
        if (!ns[i].path.empty()) check_abs_path(f + ".path", ns[i].path);
    }
    if (!s.hostname.empty()) {
        if (!valid_hostname(s.hostname))
            fail("hostname", "'" + s.hostname + "' is not a valid host name");
        // Joined by path: CRI-O sets the pod's hostname again in each container of the pod,
        // which shares the pod's namespace (the backend refuses the host's).
        if (!s.has_namespace(Namespace::uts))
            fail("hostname", "setting a hostname needs a uts namespace of the container's");
    }
}

// The lines of a uid or gid map (the user namespace's or an idmapped mount's), named `f`.
void check_map_lines(const std::string &f, const std::vector<IdMap> &m) {
    // The kernel's limit on the lines of a map (since 4.15; 5 before).
    if (m.size() > 340) fail(f, std::to_string(m.size()) + " lines: a map has at most 340");
    for (size_t i = 0; i < m.size(); ++i) {
        const auto &e = m[i];
        std::string ef = f + "[" + std::to_string(i) + "]";
        if (e.size == 0) fail(ef + ".size", "must be > 0");
        check_id(ef + ".container_id", e.container_id);
        check_id(ef + ".host_id", e.host_id);
        // A range may end at the last id but not wrap past it to (uid_t)-1 and 0.
        for (const auto &[name, first] :
             {std::pair{"container_id", e.container_id}, {"host_id", e.host_id}})
            if (uint64_t{first} + e.size - 1 > kMaxId)
                fail(ef + ".size", std::to_string(e.size) + " ids from " + name + " " +
                                       std::to_string(first) + " go past " +
                                       std::to_string(kMaxId));
    }
}

void check_id_maps(const Spec &s) {
    if ((!s.uid_map.empty() || !s.gid_map.empty()) && !new_ns(s, Namespace::user))
        fail("uid_map", "uid/gid maps need a new user namespace");
    // Neither: the backend's default for the caller (linux: its own ids and subordinate ranges
    // for a non-root caller; refused for root).
    if (new_ns(s, Namespace::user) && s.uid_map.empty() != s.gid_map.empty())
        fail("namespaces", "a new user namespace needs both uid_map and gid_map, or neither");
    check_map_lines("uid_map", s.uid_map);
    check_map_lines("gid_map", s.gid_map);
}

// A mount propagating both ways: a bind, from the host's namespace (never a user namespace's),
// kept a peer of its source (no propagation option, idmap or root propagation that would cut it
// off).
void check_bidirectional_mount(const Spec &s, const MountSpec &m, const std::string &f) {
    if (m.type != "bind")
        fail(f + ".options", "only a bind mount can be bidirectional, not a " + m.type + " mount");
    if (s.has_namespace(Namespace::user))
        fail(f + ".options",
             "'bidirectional' cannot be used with a user namespace: the mounts made in it would "
             "reach the host's namespace, where its root is not root");
    if (m.idmapped()) fail(f + ".options", "'bidirectional' and an idmapping exclude each other");
    for (const auto &o : m.options)
        if (o != "shared" && o != "rshared" &&
            (o.find("private") != std::string::npos || o.find("slave") != std::string::npos ||
             o.find("unbindable") != std::string::npos))
            fail(f + ".options", "'bidirectional' and '" + o + "' exclude each other");
    const std::string &rp = s.rootfs_propagation;
    if (rp.size() > 1 && rp[0] == 'r' && rp != "rshared")
        fail(f + ".options", "'bidirectional' is cut off by rootfs_propagation '" + rp +
                                 "' (it applies to every mount under the root)");
}

// An idmapped mount: a bind mount, with both maps of its own or the container's.
void check_idmapped_mount(const Spec &s, const MountSpec &m, const std::string &f) {
    bool idmap = false, ridmap = false;
    for (const auto &o : m.options) {
        idmap |= o == "idmap";
        ridmap |= o == "ridmap";
    }
    if (idmap && ridmap) fail(f + ".options", "'idmap' and 'ridmap' exclude each other");
    if (m.type != "bind")
        fail(f + (idmap || ridmap ? ".options" : ".uid_map"),
             "only a bind mount can be idmapped, not a " + m.type + " mount");
    if (m.uid_map.empty() != m.gid_map.empty())
        fail(f + (m.uid_map.empty() ? ".uid_map" : ".gid_map"),
             "an idmapped mount needs both uid_map and gid_map, or neither (the container's)");
    check_map_lines(f + ".uid_map", m.uid_map);
    check_map_lines(f + ".gid_map", m.gid_map);
    if (!m.uid_map.empty()) return;
    // The container's maps: those of its new user namespace, or of the one it joins.
    bool joined = false;
    for (const auto &n : s.effective_namespaces())
        joined |= n.type == Namespace::user && !n.path.empty();
    if (joined) return;
    if (!new_ns(s, Namespace::user))
        fail(f + ".options",
             "an idmapped mount without uid_map/gid_map of its own takes the container's user "
             "namespace mappings, and the container has no user namespace");
    if (s.uid_map.empty())
        fail(f + ".options",
             "an idmapped mount without uid_map/gid_map of its own takes the container's, and "
             "the spec sets none (uid_map, gid_map)");
}

// Filesystems that are the host kernel's own interfaces, the host's whatever the namespaces:
// binfmt_misc (a handler registered there runs for the host's programs), tracefs and debugfs
// (kprobes), securityfs, efivarfs, configfs, pstore, bpf, devtmpfs (the host's device nodes).
bool host_kernel_fs(const std::string &type) {
    static const std::set<std::string> kTypes = {"binfmt_misc", "tracefs",  "debugfs",
                                                 "securityfs",  "efivarfs", "configfs",
                                                 "pstore",      "bpf",      "devtmpfs"};
    return kTypes.count(type) != 0;
}

// A sysfs the options make writable: the host's kernel settings (CPU hot-plug, power, module
// parameters) whatever the namespaces. Without rw, the backend mounts it read-only unless the
// container has CAP_SYS_ADMIN (it could remount it writable itself).
bool writable_sysfs(const MountSpec &m) {
    return m.type == "sysfs" &&
           std::find(m.options.begin(), m.options.end(), "rw") != m.options.end();
}

void check_mounts(const Spec &s) {
    bool sys_admin = false;
    if (std::any_of(s.mounts.begin(), s.mounts.end(), [](const MountSpec &m) {
            return host_kernel_fs(m.type) || writable_sysfs(m);
        })) {
        auto b = effective_capabilities(s.process, "process.capabilities").bounding;
        sys_admin = std::find(b.begin(), b.end(), "CAP_SYS_ADMIN") != b.end();
    }
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const auto &m = s.mounts[i];
        std::string f = "mounts[" + std::to_string(i) + "]";
        check_abs_path(f + ".target", m.target);
        if (m.type.empty()) fail(f + ".type", "is empty");
        if (m.type == "bind") {
            if (m.source.empty()) fail(f + ".source", "a bind mount needs a source");
            check_abs_path(f + ".source", m.source);
        }
        // The kernel's cgroup2 filesystem, mounted for the container, would show the host's
        // tree without a cgroup namespace, writable (cgroup.kill of any host group); with one,
        // the container's own cgroup, writable. Type cgroup is the container's own cgroups.
        if (m.type == "cgroup2")
            fail(f + ".type",
                 "cgroup2 would mount a cgroup tree writable (without a cgroup "
                 "namespace, the host's); type cgroup mounts the container's own "
                 "cgroups, read-only unless its options say rw");
        // For a container that could mount it itself: one with CAP_SYS_ADMIN.
        if (host_kernel_fs(m.type) && !sys_admin)
            fail(f + ".type", m.type +
                                  " is an interface of the host's kernel, shared with the host "
                                  "whatever the namespaces: it is mounted only for a container "
                                  "with CAP_SYS_ADMIN (process.capabilities)");
        if (writable_sysfs(m) && !sys_admin)
            fail(f + ".options",
                 "rw: a writable sysfs is the host's kernel settings (CPU hot-plug, "
                 "power, module parameters) whatever the namespaces: it is "
                 "mounted only for a container with CAP_SYS_ADMIN "
                 "(process.capabilities); without rw it is read-only");
        // Read-only unless asked: a writable cgroup tree lets the container change its limits.
        if (m.type == "cgroup" &&
            !(m.options.empty() || m.options == std::vector<std::string>{"ro"} ||
              m.options == std::vector<std::string>{"rw"}))
            fail(f + ".options", "the container's cgroups take one option: ro (the default) or rw");
        if (!new_ns(s, Namespace::mount)) fail(f, "mounts need a new mount namespace");
        if (m.idmapped()) check_idmapped_mount(s, m, f);
        if (m.bidirectional()) check_bidirectional_mount(s, m, f);
    }
}

void check_devices(const Spec &s) {
    std::set<std::string> device_paths;
    for (size_t i = 0; i < s.devices.size(); ++i) {
        const auto &d = s.devices[i];
        std::string f = "devices[" + std::to_string(i) + "]";
        check_abs_path(f + ".path", d.path);
        if (d.path.find_first_not_of('/') == std::string::npos)
            fail(f + ".path", "a device node cannot be the root directory");
        if (!device_paths.insert(d.path).second)
            fail(f + ".path", "'" + d.path + "' is used twice");
        if (d.type != "c" && d.type != "b")
            fail(f + ".type", "'" + d.type + "' is not c (char) or b (block)");
        if (d.major > 0xfff || d.minor > 0xfffff)
            fail(f, std::to_string(d.major) + ":" + std::to_string(d.minor) +
                        " is not a device number");
        if (d.mode > 07777) fail(f + ".mode", "is not a permission mode (0000..7777)");
        check_id(f + ".uid", d.uid);
        check_id(f + ".gid", d.gid);
        if (!new_ns(s, Namespace::mount)) fail(f, "device nodes need a new mount namespace");
    }
}

void check_network(const Spec &s) {
    std::set<std::string> ifnames, host_names;
    for (size_t i = 0; i < s.network.size(); ++i) {
        const auto &n = s.network[i];
        std::string f = "network[" + std::to_string(i) + "]";
        // Which types exist, and the fields only some have, are the backend's (its registry
        // of interface types).
        if (n.type.empty()) fail(f + ".type", "is required (veth, hostnic, ...)");
        // A joined namespace belongs to whoever made it: configuring devices into it would
        // change a network this container does not own, and nothing could undo it on destroy.
        if (!new_ns(s, Namespace::net))
            fail(f,
                 "network interfaces need a new net namespace (this container joins an "
                 "existing one or shares the host's: configure that one's devices where it "
                 "is made)");
        // An interface without a name inside is named after its host device.
        std::string name = n.name.empty() ? n.host_name : n.name;
        if (name.empty() || name.size() > 15)
            fail(f + ".name", "interface names are 1-15 characters");
        if (name == "lo") fail(f + ".name", "'lo' is the container's loopback device");
        if (!ifnames.insert(name).second) fail(f + ".name", "'" + name + "' is used twice");
        if (!n.host_name.empty() && n.host_name.size() > 15)
            fail(f + ".host_name", "interface names are 1-15 characters");
        if (!n.host_name.empty() && !host_names.insert(n.host_name).second)
            fail(f + ".host_name", "'" + n.host_name + "' is used twice");
        if (!n.mac.empty() && !valid_mac(n.mac))
            fail(f + ".mac", "'" + n.mac + "' is not a MAC address like 02:00:00:00:00:01");
        if (!n.host_mac.empty() && n.type != "veth")
            fail(f + ".host_mac", "only a veth has an end on the host");
        if (!n.host_mac.empty() && !valid_mac(n.host_mac))
            fail(f + ".host_mac",
                 "'" + n.host_mac + "' is not a MAC address like 02:00:00:00:00:01");
        if (n.mtu && (n.mtu < 68 || n.mtu > 65535)) fail(f + ".mtu", "must be 68..65535");
        for (size_t k = 0; k < n.addresses.size(); ++k)
            if (!valid_cidr(n.addresses[k]))
                fail(f + ".addresses[" + std::to_string(k) + "]",
                     "'" + n.addresses[k] + "' is not an address like 10.0.0.2/24");
        if (!n.gateway.empty() && !valid_ip(n.gateway))
            fail(f + ".gateway", "'" + n.gateway + "' is not an IP address");
        for (size_t k = 0; k < n.routes.size(); ++k) {
            const auto &r = n.routes[k];
            std::string rf = f + ".routes[" + std::to_string(k) + "]";
            if (r.dst != "default" && !valid_cidr(r.dst))
                fail(rf + ".dst", "'" + r.dst + "' is not 'default' or a network like 10.1.0.0/16");
            if (!r.via.empty() && !valid_ip(r.via))
                fail(rf + ".via", "'" + r.via + "' is not an IP address");
            bool v6dst = r.dst.find(':') != std::string::npos;
            bool v6via = r.via.find(':') != std::string::npos;
            if (r.dst != "default" && !r.via.empty() && v6dst != v6via)
                fail(rf, "'" + r.dst + "' and its gateway '" + r.via +
                             "' are not of the same IP family");
        }
    }
}

// A namespace joined by path is allowed: an engine makes the network namespace of a container
// (or of its pod) itself and passes its path with the sysctls to set in it. Whether a joined
// one is the host's is for the backend to check (linux: check_host_paths).
void check_sysctls(const Spec &s) {
    for (const auto &[k, v] : s.sysctl) {
        std::string f = "sysctl." + k;
        if (k.empty() || k.find("..") != std::string::npos || k.find('/') != std::string::npos)
            fail(f, "is not a sysctl name");
        auto ns = sysctl_namespace(k);
        if (!ns) fail(f, "is not namespaced: it would change the host");
        if (!s.has_namespace(*ns))
            fail(f, std::string(*ns == Namespace::ipc ? "needs an " : "needs a ") +
                        namespace_name(*ns) +
                        " namespace of the container's (new, or joined by path)");
        (void)v;
    }
}

void check_cgroups(const Spec &s) {
    std::set<std::string> hierarchies;
    for (size_t i = 0; i < s.cgroups.size(); ++i) {
        const auto &c = s.cgroups[i];
        std::string f = "cgroups[" + std::to_string(i) + "]";
        bool named = c.rfind("name=", 0) == 0;
        std::string id = named ? c.substr(5) : c;
        bool ok = !id.empty() && id.size() <= 64;
        for (char ch : id)
            ok = ok && (std::islower(static_cast<unsigned char>(ch)) || ch == '_' ||
                        (named &&
                         (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-')));
        if (!ok) fail(f, "'" + c + "' is neither a controller name nor name=X (a named hierarchy)");
        if (!hierarchies.insert(c).second) fail(f, "'" + c + "' is listed twice");
    }
}

// One list of hooks, `field` naming it ("hooks.poststart", "mounts[2].hooks.pre").
void check_hook_list(const std::string &field, const std::vector<Hook> &list) {
    for (size_t i = 0; i < list.size(); ++i) {
        const Hook &h = list[i];
        std::string f = field + "[" + std::to_string(i) + "]";
        check_abs_path(f + ".path", h.path);
        for (size_t k = 0; k < h.env.size(); ++k)
            if (h.env[k].find('=') == std::string::npos || h.env[k][0] == '=')
                fail(f + ".env[" + std::to_string(k) + "]", "'" + h.env[k] + "' is not KEY=value");
        if (h.timeout && (*h.timeout == 0 || *h.timeout > 86400))
            fail(f + ".timeout", "must be 1..86400 seconds");
    }
}

void check_hooks(const Spec &s) {
    const std::pair<const char *, const std::vector<Hook> *> lists[] = {
        {"prestart", &s.hooks.prestart},
        {"create_runtime", &s.hooks.create_runtime},
        {"create_container", &s.hooks.create_container},
        {"start_container", &s.hooks.start_container},
        {"poststart", &s.hooks.poststart},
        {"poststop", &s.hooks.poststop}};
    for (const auto &[key, list] : lists) check_hook_list(std::string("hooks.") + key, *list);
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        std::string f = "mounts[" + std::to_string(i) + "].hooks.";
        check_hook_list(f + "pre", s.mounts[i].hooks.pre);
        check_hook_list(f + "post", s.mounts[i].hooks.post);
    }
}

// A cgroup directory below each hierarchy's root: relative components, no "." or "..".
void check_cgroup_path(const Spec &s) {
    const std::string &p = s.cgroup_path;
    if (p.empty()) return;
    if (p.size() > 4096) fail("cgroup_path", "is longer than 4096 characters");
    size_t start = p[0] == '/' ? 1 : 0;
    if (start == p.size()) fail("cgroup_path", "'/' is the hierarchy's root, not a container's");
    for (size_t i = start; i <= p.size(); ++i) {
        if (i < p.size() && p[i] != '/') {
            if (p[i] == '\0' || p[i] == '\n') fail("cgroup_path", "holds a control character");
            continue;
        }
        std::string comp = p.substr(start, i - start);
        if (comp.empty() || comp == "." || comp == "..")
            fail("cgroup_path", "'" + p + "' has an empty, '.' or '..' component");
        start = i + 1;
    }
}

// personality, rootfs_propagation and time_offsets: what the kernel takes, and the
// namespace each needs.
void check_linux_extras(const Spec &s) {
    if (!s.personality.empty() && s.personality != "linux" && s.personality != "linux32")
        fail("personality", "'" + s.personality + "' is not linux or linux32");
    if (!s.rootfs_propagation.empty()) {
        static const char *const kKinds[] = {"private", "rprivate", "slave",      "rslave",
                                             "shared",  "rshared",  "unbindable", "runbindable"};
        bool known = false;
        for (const char *k : kKinds) known = known || s.rootfs_propagation == k;
        if (!known)
            fail("rootfs_propagation", "'" + s.rootfs_propagation +
                                           "' is not one of private, slave, shared, unbindable "
                                           "(each also with r, recursive)");
        if (!new_ns(s, Namespace::mount))
            fail("rootfs_propagation", "needs a new mount namespace (the root is the host's)");
    }
    for (auto [key, c] : {std::pair{"monotonic", &s.time_offsets.monotonic},
                          std::pair{"boottime", &s.time_offsets.boottime}})
        if (c->nanosecs > 999999999)
            fail(std::string("time_offsets.") + key + ".nanosecs",
                 std::to_string(c->nanosecs) + " is not 0..999999999");
    if (!s.time_offsets.empty() && !new_ns(s, Namespace::time))
        fail("time_offsets",
             "needs a new time namespace in namespaces (the offsets are those of the new one)");
}

}  // namespace

// Section by section, in the order a reader meets them in a spec file.
void validate(const Spec &s) {
    check_identity(s);
    check_private_area(s);
    check_namespaces(s);
    check_id_maps(s);
    check_process(s.process, "process", s.openvz.has_value());
    validate(s.resources);
    check_mounts(s);
    check_devices(s);
    check_network(s);
    check_sysctls(s);
    validate_security(s, new_ns(s, Namespace::mount));
    check_cgroups(s);
    check_cgroup_path(s);
    check_hooks(s);
    check_linux_extras(s);
}

}  // namespace ct
