// The container side of a launch. Runs in a clone3() copy of the caller between clone and
// execve: only system calls and the plan's read-only data. Every failure is reported to the
// parent as a ChildFailure naming the step and the object, then the child exits.
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "child_util.hpp"
#include "launch.hpp"

namespace ct::linux_native {
using namespace child;
namespace {

// "/proc/self/fd/<fd>": the way to name an O_PATH fd to mount(2).
struct FdPath {
    char buf[32];
    explicit FdPath(int fd) {
        Msg m;
        m << "/proc/self/fd/" << static_cast<long>(fd);
        std::memcpy(buf, m.buf, sizeof buf - 1);
        buf[sizeof buf - 1] = 0;
    }
    const char *c_str() const { return buf; }
};

int openat2_in_root(int rootfd, const char *rel, int flags) {
    struct open_how how {};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    // RESOLVE_IN_ROOT: symlinks inside the rootfs resolve as if rootfd were "/", so a target
    // can never escape the container's root (a rootfs may hold hostile links).
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, rootfd, rel, &how, sizeof how));
}

// Opens (creating when missing) `rel` inside the root, as an O_PATH fd. Creates directories
// for every missing component, and an empty file for the last one when `is_file`.
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
    // Walk the components; `path` is cut at each '/' in turn.
    int parent = ::dup(rootfd);
    if (parent < 0) fail(Msg() << "dup", errno);
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
                            ? ::openat(parent, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
                                                         O_CLOEXEC, 0644)
                            : ::mkdirat(parent, comp, 0755);
                if (r < 0 && errno != EEXIST)
                    fail(Msg() << "create mount target " << shown, errno);
                if (last && is_file && r >= 0) ::close(r);
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
int mount_fs(int rootfd, const char *rel, const char *fstype, unsigned long flags,
             const char *data, const char *shown) {
    int fd = open_target(rootfd, rel, false, shown);
    do_mount(fstype, fd, fstype, flags, data, shown);
    ::close(fd);
    // The old fd names the directory under the mount; reopen to get the mount itself.
    fd = openat2_in_root(rootfd, rel, O_PATH | O_DIRECTORY);
    if (fd < 0) fail(Msg() << "reopen " << shown, errno);
    return fd;
}

void setup_dev(int rootfd, bool new_ipc) {
    int dev = mount_fs(rootfd, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME | MS_NOEXEC,
                       "mode=755,size=65536k", "/dev");
    struct Node {
        const char *name;
        unsigned major, minor;
    };
    static const Node kNodes[] = {{"null", 1, 3},    {"zero", 1, 5}, {"full", 1, 7},
                                  {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    for (const auto &n : kNodes)
        if (::mknodat(dev, n.name, S_IFCHR | 0666, makedev(n.major, n.minor)) < 0)
            fail(Msg() << "create /dev/" << n.name, errno);
    static const char *const kLinks[][2] = {{"/proc/self/fd", "fd"},   {"/proc/self/fd/0", "stdin"},
                                            {"/proc/self/fd/1", "stdout"},
                                            {"/proc/self/fd/2", "stderr"},
                                            {"pts/ptmx", "ptmx"},      {"/proc/kcore", "core"}};
    for (const auto &l : kLinks)
        if (::symlinkat(l[0], dev, l[1]) < 0) fail(Msg() << "create /dev/" << l[1], errno);
    int pts = mount_fs(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                       "newinstance,ptmxmode=0666,mode=0620,gid=5", "/dev/pts");
    ::close(pts);
    if (::mkdirat(dev, "shm", 01777) < 0) fail(Msg() << "create /dev/shm", errno);
    int shm = mount_fs(rootfd, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       "mode=1777,size=65536k", "/dev/shm");
    ::close(shm);
    if (new_ipc) {
        int mq = mount_fs(rootfd, "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          nullptr, "/dev/mqueue");
        ::close(mq);
    }
    ::close(dev);
}

void user_mount(int rootfd, const MountOp &m) {
    Msg shown;
    shown << "/" << m.target;
    int fd = open_target(rootfd, m.target.c_str(), m.target_is_file, shown.buf);
    const char *src = m.source.empty() ? (m.fstype.empty() ? "none" : m.fstype.c_str())
                                       : m.source.c_str();
    if (m.bind) {
        do_mount(src, fd, nullptr, MS_BIND | (m.flags & MS_REC), nullptr, shown.buf);
    } else {
        do_mount(src, fd, m.fstype.c_str(), m.flags, m.data.empty() ? nullptr : m.data.c_str(),
                 shown.buf);
    }
    ::close(fd);
    bool remount = m.bind && (m.readonly || (m.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)));
    if (remount || m.propagation) {
        fd = openat2_in_root(rootfd, m.target.c_str(), O_PATH);
        if (fd < 0) fail(Msg() << "reopen " << shown.buf, errno);
        if (remount)
            do_mount(nullptr, fd, nullptr,
                     MS_REMOUNT | MS_BIND | (m.readonly ? MS_RDONLY : 0) |
                         (m.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)),
                     nullptr, shown.buf);
        if (m.propagation) do_mount(nullptr, fd, nullptr, m.propagation, nullptr, shown.buf);
        ::close(fd);
    }
}

void setup_rootfs(const LaunchPlan &p) {
    // Nothing done below may propagate back to the host's mounts.
    CHECK(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make / private");
    const char *src = p.root_source.empty() ? p.rootfs.c_str() : p.root_source.c_str();
    if (::mount(src, p.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
        fail(Msg() << "bind-mount the root filesystem " << src << " on " << p.rootfs, errno);
    int rootfd = ::open(p.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) fail(Msg() << "open rootfs " << p.rootfs, errno);

    bool new_ipc = p.clone_flags & CLONE_NEWIPC;
    if (p.mount_proc)
        ::close(mount_fs(rootfd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr,
                         "/proc"));
    if (p.mount_dev) setup_dev(rootfd, new_ipc);
    if (p.mount_sys)
        ::close(mount_fs(rootfd, "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                         nullptr, "/sys"));
    for (const auto &m : p.mounts) user_mount(rootfd, m);
    if (p.readonly_rootfs) {
        FdPath rp(rootfd);
        CHECK(::mount(nullptr, rp.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr),
              "remount the root filesystem read-only");
    }

    // pivot_root(".", "."): the old root ends up stacked on the new one and is detached at
    // once, so no directory inside the container is needed for it.
    CHECK(::fchdir(rootfd), "chdir to the rootfs");
    if (::syscall(SYS_pivot_root, ".", ".") < 0)
        fail(Msg() << "pivot_root to " << p.rootfs, errno);
    CHECK(::umount2(".", MNT_DETACH), "detach the old root");
    CHECK(::chdir("/"), "chdir /");
    ::close(rootfd);
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
}

[[noreturn]] void exec_command(const LaunchPlan &p) {
    const char *file = p.args[0].c_str();
    if (std::strchr(file, '/')) {
        ::execve(file, p.argv.data(), p.envp.data());
        int e = errno;
        fail(Msg() << "exec " << file, e, true);
    }
    // PATH search with the container's PATH, inside the container's root.
    char buf[PATH_MAX];
    bool eacces = false;
    const char *s = p.path_env.c_str();
    size_t flen = std::strlen(file);
    while (true) {
        const char *colon = std::strchr(s, ':');
        size_t dlen = colon ? static_cast<size_t>(colon - s) : std::strlen(s);
        if (dlen + 1 + flen < sizeof buf) {
            size_t n = 0;
            if (dlen == 0) buf[n++] = '.';
            std::memcpy(buf + n, s, dlen);
            n += dlen;
            buf[n++] = '/';
            std::memcpy(buf + n, file, flen + 1);
            ::execve(buf, p.argv.data(), p.envp.data());
            if (errno == EACCES) eacces = true;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) {
                int e = errno;
                fail(Msg() << "exec " << buf, e, true);
            }
        }
        if (!colon) break;
        s = colon + 1;
    }
    fail(Msg() << "exec " << file << ": not found in PATH=" << p.path_env, eacces ? EACCES : ENOENT,
         true);
}

}  // namespace

void child_main(const LaunchPlan &p, int errfd, int gofd) noexcept {
    g_errfd = errfd;
    // A caller's blocked or ignored signals must not leak into the container.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
        struct sigaction sa {};
        if (::sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN) {
            sa.sa_handler = SIG_DFL;
            ::sigaction(sig, &sa, nullptr);
        }
    }
    ::umask(0);
    if (p.fds.empty()) setup_stdio(p);  // else laid out last (map_fds)
    // Its own session: the caller's terminal signals go to the caller, which forwards them.
    ::setsid();

    for (const auto &fd : p.cgroup_procs)
        if (::write(fd.get(), "0", 1) < 0) fail(Msg() << "join the container's cgroups", errno);
    if (gofd >= 0) {
        // The parent maps ids / sets up interfaces now; EOF without "g" means it gave up.
        char go = 0;
        ssize_t n;
        do n = ::read(gofd, &go, 1);
        while (n < 0 && errno == EINTR);
        if (n != 1 || go != 'g') ::_exit(126);
        ::close(gofd);
    }
    for (const auto &[fd, type] : p.join_ns)
        if (::setns(fd.get(), type) < 0) fail(Msg() << "join namespace (setns)", errno);
    if (p.new_cgroupns) CHECK(::unshare(CLONE_NEWCGROUP), "create the cgroup namespace");
    if (p.fork_after_join) fork_into_namespaces(p);

    if (p.root_fd) {
        enter_root(p);
    } else if (p.new_mountns) {
        setup_rootfs(p);
    } else {
        if (::chroot(p.rootfs.c_str()) < 0) fail(Msg() << "chroot to " << p.rootfs, errno);
        CHECK(::chdir("/"), "chdir /");
    }
    if (!p.hostname.empty())
        CHECK(::sethostname(p.hostname.c_str(), p.hostname.size()), "set the hostname");
    if (p.lo_up) bring_lo_up();
    for (const auto &[path, value] : p.sysctls) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0 || ::write(fd, value.data(), value.size()) < 0)
            fail(Msg() << "set sysctl " << path, errno);
        ::close(fd);
    }
    if (p.terminal) setup_console(p);
    for (const auto &[res, rl] : p.rlimits)
        if (::setrlimit(static_cast<__rlimit_resource>(res), &rl) < 0)
            fail(Msg() << "set rlimit " << static_cast<long>(res), errno);
    // Raw system calls: glibc's wrappers broadcast credential changes to every thread it
    // believes the process has, and a clone of a multi-threaded caller has only one. They
    // would wait forever for threads that do not exist here.
    if (::syscall(SYS_setgroups, p.groups.size(), p.groups.data()) < 0)
        fail(Msg() << "set supplementary groups", errno);
    if (::syscall(SYS_setresgid, p.gid, p.gid, p.gid) < 0)
        fail(Msg() << "setgid " << static_cast<long>(p.gid), errno);
    if (::syscall(SYS_setresuid, p.uid, p.uid, p.uid) < 0)
        fail(Msg() << "setuid " << static_cast<long>(p.uid), errno);
    if (p.no_new_privs) CHECK(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs");
    if (::chdir(p.cwd.c_str()) < 0) fail(Msg() << "chdir to the working directory " << p.cwd, errno);
    ::umask(022);
    int first = first_free_fd(p);
    if (!p.fds.empty()) map_fds(p);
    if (p.fn) run_fn(p, first);
    // Nothing of the caller's but the process's own fds crosses exec.
    ::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, CLOSE_RANGE_CLOEXEC);
    exec_command(p);
}

}  // namespace ct::linux_native
