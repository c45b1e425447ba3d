// Child side of the confinement: the sysctls, masked and read-only paths, the seccomp filter, the
// LSM label.
// Only system calls between clone and exec (launch.hpp).
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "launch/child_util.hpp"

namespace ct::linux_native::child {
namespace {

// The path relative to the container's root ("/proc/kcore" -> "proc/kcore").
const char *rel(const std::string &abs) {
    const char *r = abs.c_str();
    while (*r == '/') ++r;
    return r;
}

constexpr unsigned long kFsFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

// Whether `path` lies on the /proc or /sys this child mounted itself (and /dev/null is the
// one it made): nothing of the image's can be on the way there, so the path is used as it is,
// two system calls fewer each than the resolution a path of the image needs.
bool own_fs(const LaunchPlan &p, const std::string &path) {
    if (!p.own_dev_null) return false;
    return (p.mount_proc && path.rfind("/proc/", 0) == 0) ||
           (p.mount_sys && path.rfind("/sys/", 0) == 0);
}

// A file gets /dev/null over it, a directory an empty read-only tmpfs; false if absent.
bool mask_own(const std::string &path) {
    if (::mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) == 0) return true;
    if (errno == ENOENT) return false;
    if (errno != ENOTDIR)  // bind of a node on a directory
        fail(Msg() << "mask " << path << " (/dev/null over it)", errno);
    if (::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY | kFsFlags,
                "size=0k,nr_inodes=1,mode=0555") < 0)
        fail(Msg() << "mask " << path << " (an empty read-only tmpfs over it)", errno);
    return true;
}

void readonly_own(const std::string &path) {
    if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
        if (errno == ENOENT) return;
        fail(Msg() << "make " << path << " read-only (bind it on itself)", errno);
    }
    // proc and sysfs were mounted nosuid, nodev, noexec: the bind repeats them.
    if (::mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | kFsFlags,
                nullptr) < 0)
        fail(Msg() << "remount " << path << " read-only", errno);
}

}  // namespace

void mask_paths(const LaunchPlan &p) {
    if (p.masked_paths.empty() && p.readonly_paths.empty()) return;
    // After pivot_root the working directory is the container's root: resolve in it.
    int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) fail(Msg() << "open the container's root", errno);
    // Files are hidden under the container's own /dev/null (made by the setup, so it is the
    // real null device: checked, since a bind of anything else would show it instead).
    int null = -1;
    for (const auto &path : p.masked_paths) {
        if (own_fs(p, path)) {
            mask_own(path);
            continue;
        }
        int fd = openat2_in_root(root, rel(path), O_PATH);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR) continue;  // nothing there to hide
            fail(Msg() << "open the masked path " << path, errno);
        }
        struct stat st;
        if (::fstat(fd, &st) < 0) fail(Msg() << "stat the masked path " << path, errno);
        FdPath target(fd);
        if (S_ISDIR(st.st_mode)) {
            if (::mount("tmpfs", target.c_str(), "tmpfs",
                        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "size=0k,nr_inodes=1,mode=0555") < 0)
                fail(Msg() << "mask " << path << " (an empty read-only tmpfs over it)", errno);
        } else {
            if (null < 0) {
                null = openat2_in_root(root, "dev/null", O_PATH);
                struct stat ns;
                if (null < 0 || ::fstat(null, &ns) < 0 || !S_ISCHR(ns.st_mode) ||
                    ns.st_rdev != makedev(1, 3))
                    fail(Msg() << "mask " << path << ": the container's /dev/null is not the null "
                               << "device (a spec mount over /dev hides the one made for it: "
                               << "add the device, or mask nothing)",
                         null < 0 ? errno : EINVAL);
            }
            FdPath source(null);
            if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) < 0)
                fail(Msg() << "mask " << path << " (/dev/null over it)", errno);
        }
        ::close(fd);
    }
    if (null >= 0) ::close(null);
    for (const auto &path : p.readonly_paths) {
        if (own_fs(p, path)) {
            readonly_own(path);
            continue;
        }
        int fd = openat2_in_root(root, rel(path), O_PATH);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR) continue;
            fail(Msg() << "open the read-only path " << path, errno);
        }
        FdPath at(fd);
        if (::mount(at.c_str(), at.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
            fail(Msg() << "make " << path << " read-only (bind it on itself)", errno);
        ::close(fd);
        // The path again, now resolving to the bind on top of it.
        fd = openat2_in_root(root, rel(path), O_PATH);
        if (fd < 0) fail(Msg() << "reopen " << path, errno);
        remount_bind(fd, MS_RDONLY, 0, path.c_str());
        ::close(fd);
    }
    ::close(root);
}

// A spec mount over part of /proc/sys (a volume a container filled before) would take the
// write elsewhere: into a file of the volume, or through a symlink to a knob that is not
// namespaced (/proc/sys/vm/..., /proc/sysrq-trigger), which the validator refused by name.
// Each write goes to a file of the container's procfs, reached from its /proc/sys without
// crossing a mount or following a link.
void write_sysctls(const LaunchPlan &p) {
    if (p.sysctls.empty()) return;
    int sys = ::open("/proc/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct statfs sf {};
    if (sys < 0 || ::fstatfs(sys, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
        fail(Msg() << "set sysctls: /proc/sys of the container is not its procfs",
             sys < 0 ? errno : EXDEV);
    struct open_how how {};
    how.flags = O_WRONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    for (const auto &[path, value] : p.sysctls) {
        const char *under = path.c_str() + sizeof "/proc/sys/" - 1;
        int fd = static_cast<int>(::syscall(SYS_openat2, sys, under, &how, sizeof how));
        if (fd < 0 && (errno == EXDEV || errno == ELOOP))
            fail(Msg() << "set sysctl " << path << ": not a file of the container's procfs (a "
                       << "mount or a symlink is on the way)",
                 errno);
        if (fd < 0 || ::write(fd, value.data(), value.size()) < 0)
            fail(Msg() << "set sysctl " << path, errno);
        ::close(fd);
    }
    ::close(sys);
}

namespace {
void load_filter(const SeccompProgram &f, const char *what) {
    struct sock_fprog prog {};
    prog.len = static_cast<unsigned short>(f.insns.size());
    prog.filter = const_cast<struct sock_filter *>(f.insns.data());
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f.flags, &prog) < 0)
        fail(Msg() << "load " << what, errno);
}
}  // namespace

void load_seccomp(const LaunchPlan &p) {
    // The guard first: the profile may refuse seccomp(2) itself.
    if (p.seccomp_guard) load_filter(*p.seccomp_guard, "the terminal injection guard (seccomp)");
    if (p.seccomp) load_filter(*p.seccomp, "the seccomp filter");
}

void set_lsm_label(const LaunchPlan &p) {
    if (p.lsm_attr.empty()) return;
    Msg path;
    path << "/proc/thread-self/" << p.lsm_attr;
    int fd = ::open(path.buf, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, p.lsm_value.data(), p.lsm_value.size()) < 0)
        fail(Msg() << "set the security label of the exec (" << p.lsm_value << ")", errno);
    ::close(fd);
}

}  // namespace ct::linux_native::child
