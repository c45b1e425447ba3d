#include "launch/plan.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "fs/bidirectional.hpp"
#include "fs/idmap.hpp"
#include "fs/mount_points.hpp"
#include "fs/private_area.hpp"
#include "launch/hooks.hpp"
#include "launch/host_probe.hpp"
#include "security/caps.hpp"
#include "security/devices.hpp"
#include "security/passwd.hpp"
#include "security/userns.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

constexpr const char kDefaultPath[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int rlimit_resource(const std::string &name) {
    static const std::map<std::string, int> kRes = {{"as", RLIMIT_AS},
                                                    {"core", RLIMIT_CORE},
                                                    {"cpu", RLIMIT_CPU},
                                                    {"data", RLIMIT_DATA},
                                                    {"fsize", RLIMIT_FSIZE},
                                                    {"locks", RLIMIT_LOCKS},
                                                    {"memlock", RLIMIT_MEMLOCK},
                                                    {"msgqueue", RLIMIT_MSGQUEUE},
                                                    {"nice", RLIMIT_NICE},
                                                    {"nofile", RLIMIT_NOFILE},
                                                    {"nproc", RLIMIT_NPROC},
                                                    {"rss", RLIMIT_RSS},
                                                    {"rtprio", RLIMIT_RTPRIO},
                                                    {"rttime", RLIMIT_RTTIME},
                                                    {"sigpending", RLIMIT_SIGPENDING},
                                                    {"stack", RLIMIT_STACK}};
    auto it = kRes.find(name);
    if (it == kRes.end()) throw Error(Errc::invalid_spec, "unknown rlimit '" + name + "'");
    return it->second;
}

// A propagation name (mount option or rootfs_propagation) -> MS_* flags; 0: not one.
unsigned long propagation_flags(const std::string &name) {
    static const std::pair<const char *, unsigned long> kProp[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC}};
    for (const auto &[n, flags] : kProp)
        if (name == n) return flags;
    return 0;
}

// The lines /proc/<pid>/timens_offsets takes: "<clock> <secs> <nanosecs>".
std::string timens_offsets_text(const TimeOffsets &t) {
    std::string out;
    for (auto [clock, c] :
         {std::pair{"monotonic", &t.monotonic}, std::pair{"boottime", &t.boottime}})
        if (*c != ClockOffset{})
            out += std::string(clock) + " " + std::to_string(c->secs) + " " +
                   std::to_string(c->nanosecs) + "\n";
    return out;
}

void must_exist(const std::string &path, const std::string &field, bool dir) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw Error(Errc::not_found, field + " " + path + ": " + errstr(errno), errno);
    if (dir && !S_ISDIR(st.st_mode))
        throw Error(Errc::invalid_spec, field + " " + path + " is not a directory");
}

}  // namespace

int clone_flag(Namespace ns) {
    switch (ns) {
        case Namespace::mount:
            return CLONE_NEWNS;
        case Namespace::uts:
            return CLONE_NEWUTS;
        case Namespace::ipc:
            return CLONE_NEWIPC;
        case Namespace::pid:
            return CLONE_NEWPID;
        case Namespace::net:
            return CLONE_NEWNET;
        case Namespace::user:
            return CLONE_NEWUSER;
        case Namespace::cgroup:
            return CLONE_NEWCGROUP;
        case Namespace::time:
            return CLONE_NEWTIME;
    }
    return 0;
}

void check_host_paths(const Spec &s) {
    fs::private_area(s)->check_host();
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        std::string field = "mounts[" + std::to_string(i) + "]";
        if (s.mounts[i].type == "bind") must_exist(s.mounts[i].source, field + ".source", false);
        // What start would refuse in the mount options, refused now (cgroup mounts are
        // planned from the container's cgroups, which do not exist yet).
        if (s.mounts[i].type != "cgroup") probe_mount_options(mount_op(s.mounts[i], field), field);
    }
    for (const auto &n : s.effective_namespaces())
        if (!n.path.empty())
            check_namespace_file(n.path, n.type,
                                 std::string("namespace ") + namespace_name(n.type) + " path");
    check_joined_host_namespaces(s);
}

std::string sysctl_path(const std::string &key) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
        if (path[i] == '.') path[i] = '/';
    return path;
}

void check_host(const Spec &s) {
    check_host_paths(s);
    fs::check_mount_points(s);
    UserNamespace userns(s);
    userns.check_caller();
    bool new_pidns = false, new_mountns = false;
    for (const auto &n : s.effective_namespaces()) {
        new_pidns |= n.type == Namespace::pid && n.path.empty();
        new_mountns |= n.type == Namespace::mount && n.path.empty();
    }
    if (!userns.empty())
        for (const auto &n : s.effective_namespaces())
            if (!n.path.empty())
                throw Error(Errc::unsupported,
                            std::string("namespaces: joining an existing ") +
                                namespace_name(n.type) +
                                " namespace from a new user namespace is not supported by backend "
                                "linux (the new namespace has no rights over it)");
    if (!userns.empty() && new_mountns && !new_pidns)
        throw Error(Errc::invalid_spec,
                    "namespaces: a new user namespace needs a new pid namespace too: the kernel "
                    "only lets it mount a /proc for a pid namespace it owns");
    if (userns.setgroups_denied() && !s.process.user.additional_gids.empty())
        throw Error(Errc::permission,
                    "process.user.additional_gids: an unprivileged caller's user namespace "
                    "denies setgroups, so the container cannot have supplementary groups");
    plan_capabilities(s, s.process, "process.capabilities");
    plan_device_nodes(s, !userns.empty());
    check_sysctls_exist(s);
    probe_idmapped_mounts(s);
    probe_bidirectional_mounts(s);
    if (!s.process.user.name.empty() || !s.process.user.group.empty())
        resolve_user(s.process.user, fs::private_area(s)->layers(), "process.user");
}

MountOp mount_op(const MountSpec &m, const std::string &field) {
    MountOp op;
    op.source = m.source;
    op.target = m.target.substr(m.target.find_first_not_of('/') == std::string::npos
                                    ? m.target.size()
                                    : m.target.find_first_not_of('/'));
    op.bind = m.type == "bind";
    if (!op.bind) op.fstype = m.type;
    if (op.bind) op.flags |= MS_REC;  // like `docker -v`: submounts come along
    std::string data;
    struct Flag {
        const char *name;
        unsigned long set, clear;
    };
    static const Flag kFlags[] = {
        {"ro", MS_RDONLY, 0},
        {"rw", 0, MS_RDONLY},
        {"nosuid", MS_NOSUID, 0},
        {"suid", 0, MS_NOSUID},
        {"nodev", MS_NODEV, 0},
        {"dev", 0, MS_NODEV},
        {"noexec", MS_NOEXEC, 0},
        {"exec", 0, MS_NOEXEC},
        {"sync", MS_SYNCHRONOUS, 0},
        {"async", 0, MS_SYNCHRONOUS},
        {"noatime", MS_NOATIME, 0},
        {"atime", 0, MS_NOATIME},
        {"nodiratime", MS_NODIRATIME, 0},
        {"relatime", MS_RELATIME, 0},
        {"strictatime", MS_STRICTATIME, 0},
        {"rbind", MS_REC, 0},
        {"bind", 0, MS_REC},
        {"norbind", 0, MS_REC},
        {"idmap", 0, 0},  // fs/idmap.hpp: the tree is made by plan_init
        {"ridmap", 0, 0},
        {"bidirectional", 0, 0},  // fs/bidirectional.hpp: the tree is made by plan_init
    };
    for (const auto &o : m.options) {
        bool known = false;
        for (const auto &f : kFlags)
            if (o == f.name) {
                if ((o == "rbind" || o == "bind" || o == "norbind" || o == "idmap" ||
                     o == "ridmap" || o == "bidirectional") &&
                    !op.bind)
                    throw Error(Errc::invalid_spec,
                                field + ".options: '" + o + "' only applies to bind mounts");
                op.flags = (op.flags | f.set) & ~f.clear;
                op.clear_flags = (op.clear_flags | f.clear) & ~f.set;
                known = true;
            }
        if (unsigned long p = propagation_flags(o)) {
            op.propagation = p;
            known = true;
        }
        if (o == "tmpcopyup") {
            if (m.type != "tmpfs")
                throw Error(Errc::invalid_spec,
                            field + ".options: 'tmpcopyup' only applies to tmpfs mounts");
            op.copy_up = true;
            known = true;
        }
        if (!known) {
            if (op.bind)
                throw Error(Errc::invalid_spec,
                            field + ".options: unknown bind mount option '" + o + "'");
            data += (data.empty() ? "" : ",") + o;  // filesystem-specific: mode=, size=, ...
        }
    }
    if (op.bind) {
        // Only per-mount attributes can be cleared by a remount; MS_REC is not one.
        op.clear_flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                          MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
        op.readonly = op.flags & MS_RDONLY;
        op.flags &= ~static_cast<unsigned long>(MS_RDONLY);
        struct stat st;
        op.target_is_file = ::stat(m.source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    }
    op.data = data;
    return op;
}

LaunchPlan plan_init(const Spec &s, const ProcessSpec &proc, const ContainerCgroups &cg) {
    LaunchPlan p;
    p.devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!p.devnull) throw_sys("open /dev/null", errno);

    p.cgroup2_dir = cg.open_v2_dir();
    p.cgroup_procs = cg.open_join_files(false);

    for (const auto &n : s.effective_namespaces()) {
        int flag = clone_flag(n.type);
        if (!n.path.empty()) {
            Fd fd(::open(n.path.c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd)
                throw_sys(std::string("open ") + namespace_name(n.type) + " namespace " + n.path,
                          errno);
            p.join_ns.emplace_back(std::move(fd), flag);
            if (n.type == Namespace::mount) p.new_mountns = false;
            // setns() into a pid or time namespace moves only the caller's children: the
            // container's process is a fork made after the join (else it would stay in the
            // host's pid namespace, and its /proc would show the host's processes).
            if (n.type == Namespace::pid || n.type == Namespace::time) p.fork_after_join = true;
            continue;
        }
        if (n.type == Namespace::time && !s.time_offsets.empty())
            p.time_offsets = timens_offsets_text(s.time_offsets);  // unshared by the child
        else if (n.type == Namespace::cgroup)
            p.new_cgroupns = true;
        else
            p.clone_flags |= static_cast<unsigned long long>(flag);
        if (n.type == Namespace::mount) p.new_mountns = true;
        if (n.type == Namespace::net) p.lo_up = true;
    }
    p.rootfs = s.rootfs;
    auto area = fs::private_area(s);
    area->plan(p);
    p.readonly_rootfs = s.readonly_rootfs;
    p.root_propagation = propagation_flags(s.rootfs_propagation);
    // A fresh /proc only shows the container's processes with a pid namespace; without one it
    // is still the right /proc for the mount namespace. sysfs needs its own net namespace to
    // show the container's interfaces, else it shows the host's: then leave it out.
    p.mount_proc = p.new_mountns;
    p.mount_dev = p.new_mountns;
    // Engines give /dev/shm a tmpfs (or a bind) of their own: no default one under it. A
    // sysfs of the spec's at /sys (a privileged engine container's, read-write) replaces the
    // read-only default: the kernel refuses a second mount of the same sysfs on it.
    auto spec_mounts_at = [&](const char *target, const char *type) {
        return std::any_of(s.mounts.begin(), s.mounts.end(), [&](const MountSpec &m) {
            auto end = m.target.find_last_not_of('/');
            return end != std::string::npos && m.target.substr(0, end + 1) == target &&
                   (!type || m.type == type);
        });
    };
    p.mount_sys =
        p.new_mountns && (p.clone_flags & CLONE_NEWNET) && !spec_mounts_at("/sys", "sysfs");
    p.dev_shm = !spec_mounts_at("/dev/shm", nullptr);
    p.own_dev_null = p.mount_dev && !spec_mounts_at("/dev", nullptr) &&
                     !spec_mounts_at("/dev/null", nullptr) &&
                     std::none_of(s.devices.begin(), s.devices.end(),
                                  [](const DeviceNode &d) { return d.path == "/dev/null"; });
    // A sysfs is the host's kernel settings (CPU hot-plug, power, module parameters) whatever
    // the namespaces: writable for a container that could remount it so (CAP_SYS_ADMIN: a
    // privileged engine container's, whose options just leave ro out) or whose options say rw
    // (validate: only with CAP_SYS_ADMIN), read-only for the others.
    auto bounding = container_capabilities(s, s.process, "process.capabilities").bounding;
    bool sys_admin = std::find(bounding.begin(), bounding.end(), "CAP_SYS_ADMIN") != bounding.end();
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        std::string field = "mounts[" + std::to_string(i) + "]";
        size_t first = p.mounts.size();
        if (s.mounts[i].type != "cgroup") {
            MountOp op = mount_op(s.mounts[i], field);
            if (s.mounts[i].type == "sysfs" && !sys_admin) op.flags |= MS_RDONLY;
            if (s.mounts[i].idmapped())
                op.tree = fs::idmapped_tree(s, s.mounts[i], op.flags & MS_REC, field);
            else if (s.mounts[i].bidirectional())
                op.tree = fs::bidirectional_tree(s.mounts[i], op.flags & MS_REC, field);
            p.mounts.push_back(std::move(op));
        } else {
            auto parts = cgroup_mounts(s.mounts[i], cg);  // the tmpfs first, then the binds
            for (const auto &m : parts) p.mounts.push_back(mount_op(m, field));
            // Read-only unless asked: the binds are (cgroup_mounts), and the tmpfs holding
            // them once they are made.
            if (s.mounts[i].options != std::vector<std::string>{"rw"}) {
                MountOp ro = mount_op(parts.front(), field);
                ro.remount_only = true;
                ro.flags = MS_RDONLY;
                p.mounts.push_back(std::move(ro));
            }
        }
        if (p.mounts.size() > first) {
            p.mounts[first].pre = child_hooks(s.mounts[i].hooks.pre, field + ".hooks.pre");
            p.mounts.back().post = child_hooks(s.mounts[i].hooks.post, field + ".hooks.post");
        }
    }

    p.hostname = s.hostname;
    for (const auto &[k, v] : s.sysctl) p.sysctls.emplace_back(sysctl_path(k), v);
    plan_process(p, s, proc, area->layers());
    p.bind_dev_nodes = p.userns || !host_root();
    p.devices = plan_device_nodes(s, p.bind_dev_nodes);
    return p;
}

void plan_process(LaunchPlan &p, const Spec &s, const ProcessSpec &proc,
                  const std::vector<std::string> &root_layers) {
    for (const auto &r : proc.rlimits) {
        struct rlimit rl {};
        rl.rlim_cur = r.soft;
        rl.rlim_max = r.hard;
        p.rlimits.push_back({rlimit_resource(r.type), rl, r.type});
    }
    p.no_new_privs = proc.no_new_privileges;
    p.new_session = proc.new_session;
    p.pdeathsig = proc.parent_death_signal;
    p.new_keyring = !s.inherit_keyring;
    if (!s.personality.empty())
        p.personality = s.personality == "linux32" ? PER_LINUX32 : PER_LINUX;
    UserSpec user = proc.user;
    if (!user.name.empty() || !user.group.empty())
        user = resolve_user(proc.user, root_layers, "process.user");
    p.uid = user.uid;
    p.gid = user.gid;
    p.groups.assign(user.additional_gids.begin(), user.additional_gids.end());
    p.caps = plan_capabilities(s, proc, "process.capabilities");

    UserNamespace userns(s);
    p.userns = !userns.empty();
    // Outside a user namespace the process can only keep capabilities the caller has.
    // (A non-root caller there cannot make the namespaces either: the clone says so first.)
    if (!p.userns && ::geteuid() == 0) check_caller_has(p.caps, "process.capabilities");
    bool groups_denied = false;
    if (p.userns) {
        p.become_root = UserNamespace::maps(s.uid_map, 0) && UserNamespace::maps(s.gid_map, 0);
        p.devpts_gid = UserNamespace::maps(s.gid_map, 5);
        groups_denied = userns.setgroups_denied();
    } else if (!host_root()) {
        // Root of the caller's own user namespace (`unshare -r`, rootless Podman): what that
        // namespace maps and allows.
        p.devpts_gid = own_namespace_maps_gid(5);
        groups_denied = own_namespace_denies_setgroups();
    }
    if (groups_denied) {
        // Groups found through /etc/group cannot be set either: they are dropped, as they
        // would be for any process of this user outside a container.
        if (!proc.user.additional_gids.empty())
            throw Error(Errc::permission,
                        "process.user.additional_gids: an unprivileged caller's user "
                        "namespace denies setgroups, so the container cannot have "
                        "supplementary groups");
        p.groups.clear();
        p.set_groups = false;
    }
    p.cwd = proc.cwd;
    p.args = proc.args;
    p.env = proc.env;
    p.path_env = kDefaultPath;
    for (const auto &e : proc.env)
        if (e.rfind("PATH=", 0) == 0) p.path_env = e.substr(5);
    p.terminal = proc.terminal;
    if (proc.umask) p.umask = static_cast<mode_t>(*proc.umask);
    if (proc.oom_score_adj) p.oom_score_adj = std::to_string(*proc.oom_score_adj);
    if (proc.console_size) {
        p.console_rows =
            static_cast<unsigned short>(std::min<uint32_t>(proc.console_size->rows, 65535));
        p.console_cols =
            static_cast<unsigned short>(std::min<uint32_t>(proc.console_size->cols, 65535));
    }
}

}  // namespace ct::linux_native
