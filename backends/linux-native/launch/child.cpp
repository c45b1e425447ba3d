// The container side of a launch. Runs in a clone3() copy of the caller between clone and
// execve: only system calls and the plan's read-only data. Every failure is reported to the
// parent as a ChildFailure naming the step and the object, then the child exits.
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "launch/child_util.hpp"
#include "launch/launch.hpp"

namespace ct::linux_native {
namespace child {

FdPath::FdPath(int fd) {
    Msg m;
    m << "/proc/self/fd/" << static_cast<long>(fd);
    std::memcpy(buf, m.buf, sizeof buf - 1);
    buf[sizeof buf - 1] = 0;
}

int openat2_in_root(int rootfd, const char *rel, int flags) {
    struct open_how how {};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    // RESOLVE_IN_ROOT: symlinks inside the rootfs resolve as if rootfd were "/", so a target
    // can never escape the container's root (a rootfs may hold hostile links).
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, rootfd, rel, &how, sizeof how));
}

constexpr unsigned long kAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

// Changes the flags of a (non-recursive) bind mount. MS_REMOUNT|MS_BIND replaces all of them,
// and in a user namespace the flags the mount came with from the host (nosuid, nodev, ...)
// are locked: leaving one out is EPERM. So the current flags are read back and repeated.
void remount_bind(int fd, unsigned long want, unsigned long clear, const char *shown) {
    struct statfs sf;
    if (::fstatfs(fd, &sf) < 0) fail(Msg() << "read the flags of " << shown, errno);
    static const unsigned long kMap[][2] = {
        {ST_RDONLY, MS_RDONLY},    {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},
        {ST_NOEXEC, MS_NOEXEC},    {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME},
        {ST_RELATIME, MS_RELATIME}};
    unsigned long now = 0;
    for (const auto &f : kMap)
        if (static_cast<unsigned long>(sf.f_flags) & f[0]) now |= f[1];
    if (want & kAtimeFlags) now &= ~kAtimeFlags;  // an atime option replaces the current one
    unsigned long flags = (now | want) & ~clear;
    FdPath fp(fd);
    if (::mount(nullptr, fp.c_str(), nullptr, MS_REMOUNT | MS_BIND | flags, nullptr) < 0)
        fail(Msg() << "remount the bind mount " << shown << " with its options", errno);
}

}  // namespace child

using namespace child;
namespace {

// Appends `s` to the NUL-terminated `buf` of PATH_MAX bytes; false when it does not fit.
bool append(char *buf, size_t &len, const char *s) {
    size_t n = std::strlen(s);
    if (len + n + 1 > PATH_MAX) return false;
    std::memcpy(buf + len, s, n + 1);
    len += n;
    return true;
}

// Opens (creating when missing) `rel` inside the root, as an O_PATH fd. Creates directories
// for every missing component, and an empty file for the last one when `is_file`. A link in
// the way whose target is missing is followed by hand, inside the root (an absolute target
// starts again at the root, ".." stops there), and the target is created: nothing is ever
// made outside the root, whatever links the rootfs holds.
int open_target(int rootfd, const char *rel, bool is_file, const char *shown) {
    int fd = openat2_in_root(rootfd, rel, O_PATH);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0) fail(Msg() << "open mount target " << shown, errno);
        return fd;
    }
    char path[PATH_MAX];
    size_t len = std::strlen(rel);
    if (len >= sizeof path) fail(Msg() << "mount target " << shown << " is too long", ENAMETOOLONG);
    std::memcpy(path, rel, len + 1);
    int parent = ::dup(rootfd);
    if (parent < 0) fail(Msg() << "dup", errno);
    int links = 0;
    // Walk the components; `path` is cut at each '/' in turn.
    size_t start = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && path[end] != '/') ++end;
        bool last = end == len;
        path[end] = 0;
        const char *comp = path + start;
        if (*comp) {
            int next = openat2_in_root(rootfd, path, O_PATH);
            if (next < 0 && errno == ENOENT) {
                int r = (last && is_file)
                            ? ::openat(parent, comp,
                                       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)
                            : ::mkdirat(parent, comp, 0755);
                if (r < 0 && errno == EEXIST) {
                    // A dangling link: restart the walk at its target, plus the rest.
                    char target[PATH_MAX], joined[PATH_MAX];
                    ssize_t n = ::readlinkat(parent, comp, target, sizeof target - 1);
                    if (n < 0) fail(Msg() << "create mount target " << shown, EEXIST);
                    target[n] = 0;
                    if (++links > 40) fail(Msg() << "mount target " << shown, ELOOP);
                    size_t jl = 0;
                    joined[0] = 0;
                    bool ok = true;
                    if (target[0] != '/') {
                        path[start] = 0;  // the directory holding the link
                        ok = append(joined, jl, path);
                    }
                    ok = ok && append(joined, jl, target);
                    if (!last)
                        ok = ok && append(joined, jl, "/") && append(joined, jl, path + end + 1);
                    if (!ok)
                        fail(Msg() << "mount target " << shown << " is too long", ENAMETOOLONG);
                    size_t skip = 0;
                    while (joined[skip] == '/') ++skip;
                    len = jl - skip;
                    std::memcpy(path, joined + skip, len + 1);
                    ::close(parent);
                    parent = ::dup(rootfd);
                    if (parent < 0) fail(Msg() << "dup", errno);
                    start = 0;
                    continue;
                }
                if (r < 0) fail(Msg() << "create mount target " << shown, errno);
                if (last && is_file) ::close(r);
                next = openat2_in_root(rootfd, path, O_PATH);
            }
            if (next < 0) fail(Msg() << "open mount target " << shown, errno);
            ::close(parent);
            parent = next;
        }
        if (!last) path[end] = '/';
        start = end + 1;
    }
    return parent;
}

void do_mount(const char *src, int fd, const char *fstype, unsigned long flags, const char *data,
              const char *shown) {
    FdPath p(fd);
    if (::mount(src, p.c_str(), fstype, flags, data) < 0)
        fail(Msg() << "mount " << (fstype ? fstype : "bind") << " on " << shown, errno);
}

// Mounts `fstype` at `rel` (a directory made if missing) and returns an fd of the new mount.
int mount_fs(int rootfd, const char *rel, const char *fstype, unsigned long flags, const char *data,
             const char *shown) {
    int fd = open_target(rootfd, rel, false, shown);
    do_mount(fstype, fd, fstype, flags, data, shown);
    ::close(fd);
    // The old fd names the directory under the mount; reopen to get the mount itself.
    fd = openat2_in_root(rootfd, rel, O_PATH | O_DIRECTORY);
    if (fd < 0) fail(Msg() << "reopen " << shown, errno);
    return fd;
}

// A host node bind-mounted over an empty file at `rel`: how a user namespace gets devices.
void bind_host_node(int rootfd, const char *host, const char *rel, const char *shown) {
    int fd = open_target(rootfd, rel, true, shown);
    do_mount(host, fd, nullptr, MS_BIND, nullptr, shown);
    ::close(fd);
}

void setup_dev(int rootfd, bool new_ipc, bool userns, bool devpts_gid, bool shm) {
    int dev = mount_fs(rootfd, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME | MS_NOEXEC,
                       "mode=755,size=65536k", "/dev");
    struct Node {
        const char *name;
        unsigned major, minor;
    };
    static const Node kNodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                                  {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    for (const auto &n : kNodes) {
        if (userns) {
            Msg host, rel;
            host << "/dev/" << n.name;
            rel << "dev/" << n.name;
            bind_host_node(rootfd, host.buf, rel.buf, host.buf);
        } else if (::mknodat(dev, n.name, S_IFCHR | 0666, makedev(n.major, n.minor)) < 0) {
            fail(Msg() << "create /dev/" << n.name, errno);
        }
    }
    static const char *const kLinks[][2] = {
        {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},         {"/proc/kcore", "core"}};
    for (const auto &l : kLinks)
        if (::symlinkat(l[0], dev, l[1]) < 0) fail(Msg() << "create /dev/" << l[1], errno);
    int pts = mount_fs(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                       devpts_gid ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
                                  : "newinstance,ptmxmode=0666,mode=0620",
                       "/dev/pts");
    ::close(pts);
    if (::mkdirat(dev, "shm", 01777) < 0) fail(Msg() << "create /dev/shm", errno);
    if (shm)
        ::close(mount_fs(rootfd, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         "mode=1777,size=65536k", "/dev/shm"));
    if (new_ipc) {
        int mq = mount_fs(rootfd, "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr,
                          "/dev/mqueue");
        ::close(mq);
    }
    ::close(dev);
}

constexpr unsigned long kAttrFlags =
    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | kAtimeFlags;

// The same for a recursive bind: mount_setattr(AT_RECURSIVE) changes only the named
// attributes, on the whole tree (a remount would leave the submounts writable).
void setattr_recursive(int fd, const MountOp &m, const char *shown) {
    struct mount_attr attr {};
    static const unsigned long kMap[][2] = {{MS_RDONLY, MOUNT_ATTR_RDONLY},
                                            {MS_NOSUID, MOUNT_ATTR_NOSUID},
                                            {MS_NODEV, MOUNT_ATTR_NODEV},
                                            {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
                                            {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}};
    unsigned long want = (m.flags & kAttrFlags) | (m.readonly ? MS_RDONLY : 0);
    for (const auto &f : kMap) {
        if (want & f[0]) attr.attr_set |= f[1];
        if (m.clear_flags & f[0]) attr.attr_clr |= f[1];
    }
    if (want & kAtimeFlags) {
        attr.attr_clr |= MOUNT_ATTR__ATIME;
        attr.attr_set |= (want & MS_NOATIME)       ? MOUNT_ATTR_NOATIME
                         : (want & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
                                                   : MOUNT_ATTR_RELATIME;
    }
    if (::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) <
        0) {
        int e = errno;
        if (e == ENOSYS)
            fail(Msg() << "set the options of the recursive bind " << shown
                       << " (mount_setattr needs Linux 5.12; use the 'bind' option for a "
                          "non-recursive bind)",
                 e);
        fail(Msg() << "set the options of the recursive bind " << shown, e);
    }
}

void user_mount(int rootfd, const MountOp &m) {
    Msg shown;
    shown << "/" << m.target;
    if (m.remount_only) {
        int fd = openat2_in_root(rootfd, m.target.c_str(), O_PATH);
        if (fd < 0) fail(Msg() << "open " << shown.buf, errno);
        remount_bind(fd, m.flags, 0, shown.buf);
        ::close(fd);
        return;
    }
    int fd = open_target(rootfd, m.target.c_str(), m.target_is_file, shown.buf);
    int copy_from = m.copy_up ? copy_up_source(rootfd, m.target.c_str()) : -1;
    const char *src =
        m.source.empty() ? (m.fstype.empty() ? "none" : m.fstype.c_str()) : m.source.c_str();
    if (m.tree) {
        // The caller's copy of the source, idmapped (fs/idmap.hpp) or a peer of it
        // (fs/bidirectional.hpp), attached here.
        if (::syscall(SYS_move_mount, m.tree.get(), "", fd, "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            fail(Msg() << "move the prepared mount of " << src << " onto " << shown.buf, errno);
        ::close(m.tree.get());  // this process's copy; the caller's Fd closes its own
    } else if (m.bind) {
        do_mount(src, fd, nullptr, MS_BIND | (m.flags & MS_REC), nullptr, shown.buf);
    } else {
        // A read-only tmpfs is filled first, then made read-only.
        unsigned long flags =
            m.copy_up ? m.flags & ~static_cast<unsigned long>(MS_RDONLY) : m.flags;
        do_mount(src, fd, m.fstype.c_str(), flags, m.data.empty() ? nullptr : m.data.c_str(),
                 shown.buf);
    }
    ::close(fd);
    if (m.copy_up) {
        copy_up(copy_from, rootfd, m.target.c_str(), shown.buf);
        if (m.flags & MS_RDONLY) {
            fd = openat2_in_root(rootfd, m.target.c_str(), O_PATH);
            if (fd < 0) fail(Msg() << "reopen " << shown.buf, errno);
            do_mount(nullptr, fd, nullptr, MS_REMOUNT | m.flags,
                     m.data.empty() ? nullptr : m.data.c_str(), shown.buf);
            ::close(fd);
        }
    }
    bool reflag = m.bind && (m.readonly || (m.flags & kAttrFlags) || m.clear_flags);
    if (reflag || m.propagation) {
        // The target again, now resolving to the new mount on top of it.
        fd = openat2_in_root(rootfd, m.target.c_str(), O_PATH);
        if (fd < 0) fail(Msg() << "reopen " << shown.buf, errno);
        if (reflag) {
            if (m.flags & MS_REC)
                setattr_recursive(fd, m, shown.buf);
            else
                remount_bind(fd, (m.flags & kAttrFlags) | (m.readonly ? MS_RDONLY : 0),
                             m.clear_flags, shown.buf);
        }
        if (m.propagation) do_mount(nullptr, fd, nullptr, m.propagation, nullptr, shown.buf);
        ::close(fd);
    }
}

void make_device(int rootfd, const DeviceOp &d) {
    Msg shown;
    shown << "/" << d.path;
    if (!d.host_path.empty()) {
        bind_host_node(rootfd, d.host_path.c_str(), d.path.c_str(), shown.buf);
        return;
    }
    // The parent directory (made if missing, inside the root), then the node in it.
    char dir[PATH_MAX];
    size_t len = d.path.size();
    if (len >= sizeof dir)
        fail(Msg() << "device " << shown.buf << " path is too long", ENAMETOOLONG);
    std::memcpy(dir, d.path.c_str(), len + 1);
    char *slash = std::strrchr(dir, '/');
    const char *name = dir;
    int dirfd = rootfd;
    if (slash) {
        *slash = 0;
        name = slash + 1;
        dirfd = open_target(rootfd, dir, false, shown.buf);
    }
    if (::mknodat(dirfd, name, d.mode, d.dev) < 0) {
        // Replace what the rootfs (or the default /dev) has there.
        if (errno != EEXIST || ::unlinkat(dirfd, name, 0) < 0 ||
            ::mknodat(dirfd, name, d.mode, d.dev) < 0)
            fail(Msg() << "create device " << shown.buf, errno);
    }
    if (::fchownat(dirfd, name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) < 0)
        fail(Msg() << "chown device " << shown.buf, errno);
    if (dirfd != rootfd) ::close(dirfd);
}

// rootfs_propagation, on the container's root once it is "/" (after the pivot) and the masks
// are bound (an unbindable tree could not be bound from). The root was bound from a slave of
// the host's mounts, so even "shared" makes a peer group of the container's own (still
// receiving the host's mounts), never one with the host's.
void set_root_propagation(const LaunchPlan &p) {
    if (p.root_propagation && ::mount(nullptr, "/", nullptr, p.root_propagation, nullptr) < 0)
        fail(Msg() << "set the propagation of the container's root (rootfs_propagation)", errno);
}

void setup_rootfs(const LaunchPlan &p, ChildNet &net) {
    // Nothing done below may propagate back to the host's mounts; a slave (not private) still
    // receives the host's new mounts, which binds with "slave" propagation rely on.
    CHECK(::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr), "make / a slave mount");
    // The host's root itself (the C API without libct_fs_set_root): it stays the root, seen
    // through this private mount namespace, where the default and spec mounts are made over
    // it. Nothing to bind, nothing to pivot to: pivot_root cannot make "/" its own new root.
    bool host_root = p.rootfs == "/" && p.root_fstype.empty() && p.root_source.empty();
    if (host_root) {
        // "/" is already the mount the container's tree starts at.
    } else if (!p.root_fstype.empty()) {
        if (::mount(p.root_fstype.c_str(), p.rootfs.c_str(), p.root_fstype.c_str(), 0,
                    p.root_data.c_str()) < 0)
            fail(Msg() << "mount the " << p.root_fstype << " root on " << p.rootfs << " ("
                       << p.root_data << ")",
                 errno);
    } else {
        const char *src = p.root_source.empty() ? p.rootfs.c_str() : p.root_source.c_str();
        if (::mount(src, p.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
            fail(Msg() << "bind-mount the root filesystem " << src << " on " << p.rootfs, errno);
    }
    int rootfd = ::open(p.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) fail(Msg() << "open rootfs " << p.rootfs, errno);

    bool new_ipc = p.clone_flags & CLONE_NEWIPC;
    if (p.mount_proc)
        ::close(
            mount_fs(rootfd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, "/proc"));
    if (p.mount_dev) setup_dev(rootfd, new_ipc, p.bind_dev_nodes, p.devpts_gid, p.dev_shm);
    // sysfs shows the network namespace of whoever mounts it (a spec's mount may be one).
    net_join(p, net);
    if (p.mount_sys)
        ::close(mount_fs(rootfd, "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                         nullptr, "/sys"));
    bool hooked = false;
    for (const auto &m : p.mounts) {
        run_child_hooks(p, m.pre);
        user_mount(rootfd, m);
        run_child_hooks(p, m.post);
        hooked = hooked || !m.pre.empty() || !m.post.empty();
    }
    if (hooked) end_mount_hooks(p);
    for (const auto &d : p.devices) make_device(rootfd, d);
    if (p.readonly_rootfs) remount_bind(rootfd, MS_RDONLY, 0, "the root filesystem");

    sync_before_root(p);  // the create hooks see the mounts, and the host's root still
    if (host_root) {
        CHECK(::chdir("/"), "chdir /");
        ::close(rootfd);
        return;
    }
    // pivot_root(".", "."): the old root ends up stacked on the new one and is detached at
    // once, so no directory inside the container is needed for it.
    CHECK(::fchdir(rootfd), "chdir to the rootfs");
    if (::syscall(SYS_pivot_root, ".", ".") < 0) fail(Msg() << "pivot_root to " << p.rootfs, errno);
    CHECK(::umount2(".", MNT_DETACH), "detach the old root");
    CHECK(::chdir("/"), "chdir /");
    ::close(rootfd);
}

// A time namespace with offsets: they can only be written while no process is in it, so it
// is unshared (for our children), given its offsets, then entered, before anything forks.
void enter_time_namespace(const LaunchPlan &p) {
    CHECK(::unshare(CLONE_NEWTIME), "create the time namespace");
    int fd = ::open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, p.time_offsets.data(), p.time_offsets.size()) < 0) {
        int e = errno;
        char shown[128] = {};  // the lines on one line: "monotonic 10 0; boottime 5 0"
        size_t n = 0;
        for (char c : p.time_offsets)
            if (n + 2 < sizeof shown) {
                shown[n++] = c == '\n' ? ';' : c;
                if (c == '\n') shown[n++] = ' ';
            }
        while (n > 0 && (shown[n - 1] == ' ' || shown[n - 1] == ';')) shown[--n] = 0;
        Msg m;
        m << "set time_offsets of the new time namespace (" << shown << ")";
        if (e == ERANGE) m << ": a clock would go below 0 or too far ahead";
        fail(m, e);
    }
    ::close(fd);
    fd = ::open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWTIME) < 0) fail(Msg() << "enter the time namespace", errno);
    ::close(fd);
}

void bring_lo_up() {
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) fail(Msg() << "socket for lo", errno);
    struct ifreq ifr {};
    std::memcpy(ifr.ifr_name, "lo", 3);
    CHECK(::ioctl(s, SIOCGIFFLAGS, &ifr), "read flags of lo");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    CHECK(::ioctl(s, SIOCSIFFLAGS, &ifr), "bring lo up");
    ::close(s);
}

void setup_stdio(const LaunchPlan &p) {
    int src[3];
    for (int i = 0; i < 3; ++i) {
        int from = p.stdio[i] < 0 ? p.devnull.get() : p.stdio[i];
        // Move out of the way first: a source may be one of 0..2 itself.
        src[i] = ::fcntl(from, F_DUPFD_CLOEXEC, 3);
        if (src[i] < 0) fail(Msg() << "stdio fd " << static_cast<long>(from), errno);
    }
    for (int i = 0; i < 3; ++i)
        if (::dup2(src[i], i) < 0) fail(Msg() << "set up stdio " << static_cast<long>(i), errno);
    // Close-on-exec is not enough: a created container's process waits before its exec, and
    // the copies would hold the caller's stdio open (a pipe whose reader waits for EOF, as
    // containerd's shim does on `create`'s output, would wait as long) after the terminal
    // replaced them.
    for (int i = 0; i < 3; ++i) ::close(src[i]);
}

// Explicitly passed fds: fds[i] becomes i. Done last, when no fd of the plan is needed any
// more but the error pipe, which is moved out of the way first.
void setup_passed_fds(const LaunchPlan &p) {
    int n = static_cast<int>(p.fds.size());
    int tmp[kMaxPassedFds];
    int moved = ::fcntl(g_errfd, F_DUPFD_CLOEXEC, n);
    if (moved < 0) fail(Msg() << "move the error pipe", errno);
    g_errfd = moved;
    for (int i = 0; i < n; ++i) {
        int from = p.fds[i] < 0 ? p.devnull.get() : p.fds[i];
        tmp[i] = ::fcntl(from, F_DUPFD_CLOEXEC, n);
        if (tmp[i] < 0) fail(Msg() << "passed fd " << static_cast<long>(from), errno);
    }
    for (int i = 0; i < n; ++i) {
        if (p.terminal && i < 3) continue;  // the pty is the process's stdio
        if (::dup2(tmp[i], i) < 0)
            fail(Msg() << "set up passed fd " << static_cast<long>(i), errno);
    }
}

// The command runs through the sealed exec stub (security/exec_stub.c), which does the PATH
// search: the error pipe is handed to it as fd `first` (kept open across its exec only), the
// stub itself as `first + 1`; every other fd from `first` on is already close-on-exec.
[[noreturn]] void exec_command(const LaunchPlan &p, int first) {
    int err = ::fcntl(g_errfd, F_DUPFD_CLOEXEC, first + 2);
    int stub = ::fcntl(p.exec_stub.get(), F_DUPFD_CLOEXEC, first + 2);
    if (err < 0 || stub < 0) fail(Msg() << "hand the exec stub its fds", errno);
    if (::dup3(err, first, 0) < 0 || ::dup3(stub, first + 1, O_CLOEXEC) < 0)
        fail(Msg() << "hand the exec stub its fds", errno);
    g_errfd = first;
    ::syscall(SYS_execveat, first + 1, "", p.stub_argv.data(), p.envp.data(), AT_EMPTY_PATH);
    int e = errno;
    fail(Msg() << "exec " << p.args[0] << " through libct's exec stub (execveat of a memfd)", e);
}

// Keyrings are not namespaced: in the caller's session keyring, the container could read and
// use what the caller's user keeps there (credentials of network filesystems, disk keys). A
// kernel without keyrings has nothing to share.
void join_new_keyring() {
    if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0 && errno != ENOSYS)
        fail(Msg() << "join a new session keyring (keyctl)", errno);
}

// The path resolves inside the container, but a magic link in it (/proc/self/fd/N) leads to
// whatever the launcher still holds open: its state directory, the cgroup directory
// (CVE-2024-21626). The kernel reports a directory outside this root as unreachable, with no
// leading '/'; such a working directory is refused before anything of the container runs.
void enter_working_dir(const LaunchPlan &p) {
    if (::chdir(p.cwd.c_str()) < 0)
        fail(Msg() << "chdir to the working directory " << p.cwd, errno);
    char at[PATH_MAX];
    if (::syscall(SYS_getcwd, at, sizeof at) < 0)
        fail(Msg() << "check the working directory " << p.cwd, errno);
    if (at[0] != '/')
        fail(Msg() << "the working directory " << p.cwd << " is outside the container", EPERM);
}

}  // namespace

void child_main(const LaunchPlan &p, int errfd, int gofd) noexcept {
    g_errfd = errfd;
    if (p.net_channel_peer >= 0) ::close(p.net_channel_peer);
    // A caller's ignored or blocked signals must not leak into the container. Its handlers go
    // first, while signals are still blocked: a child sharing the caller's memory (CLONE_VM)
    // must never run one.
    for (int sig = 1; sig < NSIG; ++sig) {
        struct sigaction sa {};
        if (::sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler != SIG_DFL) {
            sa.sa_handler = SIG_DFL;
            sa.sa_flags &= ~SA_SIGINFO;
            ::sigaction(sig, &sa, nullptr);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::umask(0);
    if (p.fds.empty()) setup_stdio(p);  // else setup_passed_fds(), at the end
    // Its own session: the caller's terminal signals go to the caller, which forwards them.
    if (p.new_session) ::setsid();

    for (const auto &fd : p.cgroup_procs)
        if (::write(fd.get(), "0", 1) < 0) fail(Msg() << "join the container's cgroups", errno);
    if (gofd >= 0) {
        // The parent maps ids / sets up interfaces now; EOF without "g" means it gave up.
        char go = 0;
        ssize_t n;
        do n = ::read(gofd, &go, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1 || go != 'g') ::_exit(126);
        if (p.before_root)
            g_gofd = gofd;  // another "go" comes before the root is entered
        else
            ::close(gofd);
    }
    if (!p.oom_score_adj.empty()) {
        // First: lowering it takes CAP_SYS_RESOURCE, which the credentials change may drop.
        int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || ::write(fd, p.oom_score_adj.data(), p.oom_score_adj.size()) < 0)
            fail(Msg() << "set oom_score_adj to " << p.oom_score_adj, errno);
        ::close(fd);
    }
    // Still dumpable: in a user namespace, /proc/self must be our own to be written.
    if (!p.time_offsets.empty()) enter_time_namespace(p);
    // Not before: the parent writes our id maps through /proc/<pid>, which becomes root's.
    if (p.nondumpable) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (p.become_root) {
        // Set up the container as its own root (files it creates belong to it), not as the
        // caller's uid, which the new user namespace does not map.
        if (::syscall(SYS_setresgid, 0, 0, 0) < 0 || ::syscall(SYS_setresuid, 0, 0, 0) < 0)
            fail(Msg() << "become root of the user namespace", errno);
    }
    // The label the command is executed under, written while /proc is still the host's: once
    // in the container's mount namespace (one it may have made itself, for an exec), its /proc
    // could be anything the container mounted there (CVE-2019-16884). It holds until the exec.
    set_lsm_label(p);
    ChildNet net;  // the child's own: a CLONE_VM child shares the caller's memory
    for (const auto &[fd, type] : p.join_ns)
        if (::setns(fd.get(), type) < 0) fail(Msg() << "join namespace (setns)", errno);
    if (p.new_cgroupns) CHECK(::unshare(CLONE_NEWCGROUP), "create the cgroup namespace");
    if (p.fork_after_join) fork_into_namespaces(p);

    if (p.root_fd) {
        enter_root(p);
    } else if (p.new_mountns) {
        setup_rootfs(p, net);
    } else {
        sync_before_root(p);
        if (::chroot(p.rootfs.c_str()) < 0) fail(Msg() << "chroot to " << p.rootfs, errno);
        CHECK(::chdir("/"), "chdir /");
    }
    if (!p.hostname.empty())
        CHECK(::sethostname(p.hostname.c_str(), p.hostname.size()), "set the hostname");
    net_join(p, net);
    if (p.lo_up) bring_lo_up();
    // A sysctl may name an interface.
    if (!p.sysctls.empty()) net_wait(p, net);
    write_sysctls(p);
    // After the sysctls, which /proc/sys being read-only would refuse.
    mask_paths(p);
    if (p.new_mountns && !p.root_fd) set_root_propagation(p);
    if (p.terminal) setup_console(p);
    for (const auto &r : p.rlimits)
        if (::setrlimit(static_cast<__rlimit_resource>(r.resource), &r.limit) < 0)
            fail(Msg() << "set rlimit " << r.name.c_str(), errno);
    // Before the seccomp filter, which may not allow it; exec keeps it for the command.
    if (p.personality >= 0 && ::personality(static_cast<unsigned long>(p.personality)) < 0)
        fail(Msg() << "set the personality (personality(2))", errno);
    // Before the filter (which refuses keyctl) and the credentials change.
    if (p.new_keyring) join_new_keyring();
    // Raw system calls: glibc's wrappers broadcast credential changes to every thread it
    // believes the process has, and a clone of a multi-threaded caller has only one. They
    // would wait forever for threads that do not exist here.
    const char *step = nullptr;
    if (int e = caps_before_setuid(p.caps, &step)) fail(Msg() << step, e);
    // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which setuid may take away.
    if (!p.no_new_privs) load_seccomp(p);
    if (p.set_groups && ::syscall(SYS_setgroups, p.groups.size(), p.groups.data()) < 0)
        fail(Msg() << "set supplementary groups", errno);
    if (::syscall(SYS_setresgid, p.gid, p.gid, p.gid) < 0)
        fail(Msg() << "setgid " << static_cast<long>(p.gid), errno);
    if (::syscall(SYS_setresuid, p.uid, p.uid, p.uid) < 0)
        fail(Msg() << "setuid " << static_cast<long>(p.uid), errno);
    if (int e = caps_after_setuid(p.caps, &step)) fail(Msg() << step, e);
    if (p.no_new_privs) {
        CHECK(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs");
        load_seccomp(p);
    }
    // After setuid: a credential change clears it.
    if (p.pdeathsig)
        CHECK(::prctl(PR_SET_PDEATHSIG, p.pdeathsig, 0, 0, 0), "set the parent death signal");
    enter_working_dir(p);
    ::umask(p.umask);
    net_wait(p, net);  // before the passed fds take the numbers, the channel's too
    wait_for_start(p);
    run_child_hooks(p, p.child_hooks);
    // A terminal of the caller's, by its number there: before the passed fds take the numbers.
    if (p.ctty_fd >= 0)
        CHECK(::ioctl(p.ctty_fd, TIOCSCTTY, 0), "make the console the controlling terminal");
    // Nothing of the caller's but stdio (or the fds passed) crosses exec.
    if (!p.fds.empty()) setup_passed_fds(p);
    // The session this process leads (setsid, first thing) gets its terminal: the caller's
    // console, whose Ctrl-C and job control then reach it (CT_PROC_CONTROLLING_TTY).
    if (p.stdin_ctty) CHECK(::ioctl(0, TIOCSCTTY, 0), "make stdin the controlling terminal");
    int first = first_free_fd(p);
    if (p.fn) run_fn(p, first);
    ::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, CLOSE_RANGE_CLOEXEC);
    exec_command(p, first);
}

}  // namespace ct::linux_native
