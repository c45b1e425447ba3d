#include "plan.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <map>

#include "sys.hpp"

namespace ct::linux_native {
namespace {

constexpr const char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int clone_flag(Namespace ns) {
    switch (ns) {
        case Namespace::mount: return CLONE_NEWNS;
        case Namespace::uts: return CLONE_NEWUTS;
        case Namespace::ipc: return CLONE_NEWIPC;
        case Namespace::pid: return CLONE_NEWPID;
        case Namespace::net: return CLONE_NEWNET;
        case Namespace::user: return CLONE_NEWUSER;
        case Namespace::cgroup: return CLONE_NEWCGROUP;
        case Namespace::time: return CLONE_NEWTIME;
    }
    return 0;
}

int rlimit_resource(const std::string &name) {
    static const std::map<std::string, int> kRes = {
        {"as", RLIMIT_AS},         {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
        {"data", RLIMIT_DATA},     {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
        {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
        {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
        {"rtprio", RLIMIT_RTPRIO}, {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
        {"stack", RLIMIT_STACK}};
    auto it = kRes.find(name);
    if (it == kRes.end()) throw Error(Errc::invalid_spec, "unknown rlimit '" + name + "'");
    return it->second;
}

void must_exist(const std::string &path, const std::string &field, bool dir) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw Error(Errc::not_found, field + " " + path + ": " + errstr(errno), errno);
    if (dir && !S_ISDIR(st.st_mode))
        throw Error(Errc::invalid_spec, field + " " + path + " is not a directory");
}

}  // namespace

void check_host_paths(const Spec &s) {
    must_exist(s.rootfs, "rootfs", true);
    if (s.private_area.type == "dir") must_exist(s.private_area.path, "private.path", true);
    for (size_t i = 0; i < s.mounts.size(); ++i)
        if (s.mounts[i].type == "bind")
            must_exist(s.mounts[i].source, "mounts[" + std::to_string(i) + "].source", false);
    for (const auto &n : s.effective_namespaces())
        if (!n.path.empty())
            must_exist(n.path, std::string("namespace ") + namespace_name(n.type) + " path", false);
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
        {"ro", MS_RDONLY, 0},          {"rw", 0, MS_RDONLY},
        {"nosuid", MS_NOSUID, 0},      {"suid", 0, MS_NOSUID},
        {"nodev", MS_NODEV, 0},        {"dev", 0, MS_NODEV},
        {"noexec", MS_NOEXEC, 0},      {"exec", 0, MS_NOEXEC},
        {"sync", MS_SYNCHRONOUS, 0},   {"async", 0, MS_SYNCHRONOUS},
        {"noatime", MS_NOATIME, 0},    {"atime", 0, MS_NOATIME},
        {"nodiratime", MS_NODIRATIME, 0}, {"relatime", MS_RELATIME, 0},
        {"strictatime", MS_STRICTATIME, 0}, {"rbind", MS_REC, 0},
        {"bind", 0, MS_REC},           {"norbind", 0, MS_REC},
    };
    static const std::pair<const char *, unsigned long> kProp[] = {
        {"private", MS_PRIVATE},          {"rprivate", MS_PRIVATE | MS_REC},
        {"slave", MS_SLAVE},              {"rslave", MS_SLAVE | MS_REC},
        {"shared", MS_SHARED},            {"rshared", MS_SHARED | MS_REC},
        {"unbindable", MS_UNBINDABLE},    {"runbindable", MS_UNBINDABLE | MS_REC}};
    for (const auto &o : m.options) {
        bool known = false;
        for (const auto &f : kFlags)
            if (o == f.name) {
                if ((o == "rbind" || o == "bind" || o == "norbind") && !op.bind)
                    throw Error(Errc::invalid_spec, field + ".options: '" + o +
                                                        "' only applies to bind mounts");
                op.flags = (op.flags | f.set) & ~f.clear;
                known = true;
            }
        for (const auto &[name, p] : kProp)
            if (o == name) {
                op.propagation = p;
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
    p.cgroup_procs = cg.open_procs_files(false);

    for (const auto &n : s.effective_namespaces()) {
        int flag = clone_flag(n.type);
        if (!n.path.empty()) {
            Fd fd(::open(n.path.c_str(), O_RDONLY | O_CLOEXEC));
            if (!fd) throw_sys(std::string("open ") + namespace_name(n.type) + " namespace " + n.path, errno);
            p.join_ns.emplace_back(std::move(fd), flag);
            if (n.type == Namespace::mount) p.new_mountns = false;
            continue;
        }
        if (n.type == Namespace::cgroup) p.new_cgroupns = true;
        else p.clone_flags |= static_cast<unsigned long long>(flag);
        if (n.type == Namespace::mount) p.new_mountns = true;
        if (n.type == Namespace::net) p.lo_up = true;
    }
    p.rootfs = s.rootfs;
    if (s.private_area.type == "dir") p.root_source = s.private_area.path;
    p.readonly_rootfs = s.readonly_rootfs;
    // A fresh /proc only shows the container's processes with a pid namespace; without one it
    // is still the right /proc for the mount namespace. sysfs needs its own net namespace to
    // show the container's interfaces, else it shows the host's: then leave it out.
    p.mount_proc = p.new_mountns;
    p.mount_dev = p.new_mountns;
    p.mount_sys = p.new_mountns && (p.clone_flags & CLONE_NEWNET);
    for (size_t i = 0; i < s.mounts.size(); ++i)
        p.mounts.push_back(mount_op(s.mounts[i], "mounts[" + std::to_string(i) + "]"));

    p.hostname = s.hostname;
    for (const auto &[k, v] : s.sysctl) {
        std::string path = "/proc/sys/" + k;
        for (size_t i = 10; i < path.size(); ++i)
            if (path[i] == '.') path[i] = '/';
        p.sysctls.emplace_back(path, v);
    }
    plan_process(p, proc);
    return p;
}

void plan_process(LaunchPlan &p, const ProcessSpec &proc) {
    for (const auto &r : proc.rlimits) {
        struct rlimit rl {};
        rl.rlim_cur = r.soft;
        rl.rlim_max = r.hard;
        p.rlimits.emplace_back(rlimit_resource(r.type), rl);
    }
    p.no_new_privs = proc.no_new_privileges;
    p.uid = proc.user.uid;
    p.gid = proc.user.gid;
    p.groups.assign(proc.user.additional_gids.begin(), proc.user.additional_gids.end());
    p.cwd = proc.cwd;
    p.args = proc.args;
    p.env = proc.env;
    p.path_env = kDefaultPath;
    for (const auto &e : proc.env)
        if (e.rfind("PATH=", 0) == 0) p.path_env = e.substr(5);
    p.terminal = proc.terminal;
}

}  // namespace ct::linux_native
