#include "fs/idmap.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace ct::linux_native::fs {
namespace {

// The child owning the helper user namespace: killed and reaped whatever happens.
class Holder {
  public:
    explicit Holder(const std::string &field) {
        pid_t parent = ::getpid();
        struct clone_args args {};
        int pidfd = -1;
        args.flags = CLONE_NEWUSER | CLONE_PIDFD;
        args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
        args.exit_signal = SIGCHLD;
        long r = ::syscall(SYS_clone3, &args, sizeof args);
        if (r < 0) throw_sys(field + ": create the user namespace of the idmapping", errno);
        if (r == 0) {
            // A copy of the caller, which may have threads: system calls only, until killed.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
            if (::getppid() != parent) ::_exit(0);
            for (;;) ::pause();
        }
        pid_ = static_cast<pid_t>(r);
        pidfd_ = Fd(pidfd);
    }
    ~Holder() {
        ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
        siginfo_t si;
        while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &si, WEXITED) < 0 &&
               errno == EINTR) {
        }
    }
    Holder(const Holder &) = delete;
    Holder &operator=(const Holder &) = delete;
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
    Fd pidfd_;
};

std::string map_text(const std::vector<IdMap> &map) {
    std::string t;
    for (const auto &e : map)
        t += std::to_string(e.container_id) + " " + std::to_string(e.host_id) + " " +
             std::to_string(e.size) + "\n";
    return t;
}

std::string fs_name(const std::string &path) {
    struct statfs sf;
    if (::statfs(path.c_str(), &sf) != 0) return "?";
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(sf.f_type));
    return std::string("magic ") + hex;
}

// The filesystem type of the mount holding `path`, by name (/proc/self/mountinfo's own
// words would need parsing; statfs's magic is enough to name it for the common ones).
std::string fs_type(const std::string &path) {
    struct statfs sf;
    if (::statfs(path.c_str(), &sf) != 0) return "?";
    struct Known {
        unsigned long magic;
        const char *name;
    };
    static const Known kKnown[] = {
        {0xEF53, "ext4"},      {0x01021994, "tmpfs"},   {0x58465342, "xfs"},
        {0x9123683E, "btrfs"}, {0x794c7630, "overlay"}, {0x9fa0, "proc"},
        {0x62656572, "sysfs"}, {0x65735546, "fuse"},    {0x6969, "nfs"},
        {0x4d44, "vfat"},      {0x01021997, "9p"},      {0x858458f6, "ramfs"}};
    for (const auto &k : kKnown)
        if (static_cast<unsigned long>(sf.f_type) == k.magic) return k.name;
    return fs_name(path);
}

// The lines of the idmapping's user namespace, from a mount's maps (container id C shows the
// filesystem's id H): the kernel reads a line "F K N" as "the filesystem's id F is the
// kernel's id K", and the container sees kernel id K as U^-1(K) through its user namespace U
// (as K itself without one). So F = H and K = U(C), split along U's lines; container ids U
// does not map are left out: the container could neither see nor make them.
std::vector<IdMap> kernel_lines(const std::vector<IdMap> &mount, const std::vector<IdMap> *userns) {
    std::vector<IdMap> out;
    for (const auto &m : mount) {
        if (!userns) {
            out.push_back({m.host_id, m.container_id, m.size});
            continue;
        }
        for (const auto &u : *userns) {
            uint64_t lo = std::max<uint64_t>(m.container_id, u.container_id);
            uint64_t hi = std::min<uint64_t>(uint64_t{m.container_id} + m.size,
                                             uint64_t{u.container_id} + u.size);
            if (lo >= hi) continue;
            out.push_back({static_cast<uint32_t>(m.host_id + (lo - m.container_id)),
                           static_cast<uint32_t>(u.host_id + (lo - u.container_id)),
                           static_cast<uint32_t>(hi - lo)});
        }
    }
    return out;
}

}  // namespace

Fd userns_with_maps(const std::vector<IdMap> &uid_map, const std::vector<IdMap> &gid_map,
                    const std::string &field) {
    Holder h(field);
    std::string dir = "/proc/" + std::to_string(h.pid()) + "/";
    for (const auto &[name, map] : {std::pair{"uid_map", &uid_map}, {"gid_map", &gid_map}})
        if (!write_file(dir + name, map_text(*map)))
            throw_sys(field + "." + name + ": write the idmapping's " + name, errno);
    Fd ns(::open((dir + "ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw_sys(field + ": open the user namespace of the idmapping", errno);
    return ns;
}

Fd idmapped_tree(const Spec &s, const MountSpec &m, bool recursive_bind, const std::string &field) {
    bool new_userns = false;
    std::string joined;
    for (const auto &n : s.effective_namespaces()) {
        if (n.type != Namespace::user) continue;
        if (n.path.empty())
            new_userns = true;
        else
            joined = n.path;
    }
    Fd userns;
    if (!m.uid_map.empty()) {
        if (!joined.empty())
            throw Error(Errc::unsupported,
                        field + ".uid_map: maps of the mount's own with a joined user namespace (" +
                            joined +
                            ") are not supported by backend linux; leave them out to "
                            "use the namespace's mappings");
        auto uids = kernel_lines(m.uid_map, new_userns ? &s.uid_map : nullptr);
        auto gids = kernel_lines(m.gid_map, new_userns ? &s.gid_map : nullptr);
        if (uids.empty() || gids.empty())
            throw Error(Errc::invalid_spec,
                        field + (uids.empty() ? ".uid_map" : ".gid_map") +
                            ": none of its container ids is mapped by the container's user "
                            "namespace");
        userns = userns_with_maps(uids, gids, field);
    } else if (!joined.empty()) {
        userns = Fd(::open(joined.c_str(), O_RDONLY | O_CLOEXEC));
        if (!userns) throw_sys(field + ": open the container's user namespace " + joined, errno);
    } else {
        // The container's ids are the filesystem's: its own user namespace's lines.
        userns = userns_with_maps(s.uid_map, s.gid_map, field);
    }
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive_bind ? AT_RECURSIVE : 0);
    Fd tree(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, m.source.c_str(), flags)));
    if (!tree) {
        int e = errno;
        if (e == ENOSYS)
            throw Error(Errc::unsupported, field + ": idmapped mounts need open_tree (Linux 5.2)");
        throw_sys(field + ".source: clone the mount of " + m.source, e);
    }
    // A clone of a shared mount is a peer of it: made a slave (as the binds the container
    // makes from its own slave "/" are), nothing mounted in the container can propagate back
    // to the host, while the host's new mounts under the source still come in.
    struct mount_attr slave {};
    slave.propagation = MS_SLAVE;
    if (::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &slave,
                  sizeof slave) < 0)
        throw_sys(field + ": make the clone of " + m.source + " a slave mount", errno);
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns.get());
    unsigned at = AT_EMPTY_PATH | (m.idmap_recursive() ? AT_RECURSIVE : 0);
    if (::syscall(SYS_mount_setattr, tree.get(), "", at, &attr, sizeof attr) < 0) {
        int e = errno;
        std::string what =
            field + ": cannot idmap the mount of " + m.source + " (" + fs_type(m.source) + "): ";
        if (e == ENOSYS)
            throw Error(Errc::unsupported, what + "this kernel has no mount_setattr (Linux 5.12)",
                        e);
        if (e == EINVAL)
            throw Error(Errc::unsupported,
                        what + "its filesystem" +
                            (m.idmap_recursive() ? " (or the filesystem of a submount)" : "") +
                            " does not support idmapped mounts, or the mount is idmapped already",
                        e);
        if (e == EPERM)
            throw Error(Errc::permission,
                        what +
                            "the caller needs CAP_SYS_ADMIN over the filesystem's user "
                            "namespace (root on the host for a host filesystem)",
                        e);
        throw Error(Errc::unsupported, what + errstr(e), e);
    }
    return tree;
}

}  // namespace ct::linux_native::fs
