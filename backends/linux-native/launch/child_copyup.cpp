// Child side of a tmpfs mount's "tmpcopyup" (runc's extension, which Podman and Docker give
// every --tmpfs): what the directory under the mount held is copied into the new tmpfs.
// Only system calls and a small buffer per directory level on the stack (64 levels fit the
// launch's child stack), no allocation.
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "launch/child_util.hpp"

namespace ct::linux_native::child {
namespace {

constexpr int kMaxDepth = 64;  // deeper trees are refused, not copied in part

struct Dirent64 {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[1];
};

// Owner, mode and times of `name` in `dir` as `st` has them. An owner this (user) namespace
// does not map (EINVAL) stays the creator's: the file is copied all the same.
void take_attributes(int dir, const char *name, const struct stat &st, const char *shown) {
    if (::fchownat(dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
        fail(Msg() << "tmpcopyup of " << shown << ": chown " << name, errno);
    if (!S_ISLNK(st.st_mode) && ::fchmodat(dir, name, st.st_mode & 07777, 0) < 0)
        fail(Msg() << "tmpcopyup of " << shown << ": chmod " << name, errno);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    ::utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW);
}

// The rootfs may be shared with a running container that changes it meanwhile: the file is
// opened as a path first and read only if it is still a regular file (never opening a device
// or a fifo that took its place).
void copy_file(int src, int dst, const char *name, const struct stat &st, const char *shown) {
    int path = ::openat(src, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat now;
    if (path < 0 || ::fstat(path, &now) < 0)
        fail(Msg() << "tmpcopyup of " << shown << ": open " << name, errno);
    if (!S_ISREG(now.st_mode))
        fail(Msg() << "tmpcopyup of " << shown << ": " << name << " changed while copied", EAGAIN);
    int in = ::open(FdPath(path).buf, O_RDONLY | O_CLOEXEC);
    if (in < 0) fail(Msg() << "tmpcopyup of " << shown << ": open " << name, errno);
    ::close(path);
    int out = ::openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) fail(Msg() << "tmpcopyup of " << shown << ": create " << name, errno);
    for (off_t left = st.st_size; left > 0;) {
        ssize_t n = ::sendfile(out, in, nullptr, static_cast<size_t>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(Msg() << "tmpcopyup of " << shown << ": copy " << name, errno);
        if (n == 0) break;  // the file shrank meanwhile
        left -= n;
    }
    ::close(in);
    ::close(out);
}

// Apart from copy_tree: its buffer is not on the stack of every directory level.
[[gnu::noinline]] void copy_link(int src, int dst, const char *name, const char *shown) {
    char target[PATH_MAX];
    ssize_t len = ::readlinkat(src, name, target, sizeof target - 1);
    if (len < 0) fail(Msg() << "tmpcopyup of " << shown << ": readlink " << name, errno);
    target[len] = 0;
    if (::symlinkat(target, dst, name) < 0)
        fail(Msg() << "tmpcopyup of " << shown << ": symlink " << name, errno);
}

void copy_tree(int src, int dst, int depth, const char *shown) {
    if (depth > kMaxDepth)
        fail(Msg() << "tmpcopyup of " << shown << ": more than " << static_cast<long>(kMaxDepth)
                   << " directory levels",
             ELOOP);
    alignas(8) char buf[1024];
    for (;;) {
        long n = ::syscall(SYS_getdents64, src, buf, sizeof buf);
        if (n < 0) fail(Msg() << "tmpcopyup of " << shown << ": read a directory", errno);
        if (n == 0) return;
        for (long at = 0; at < n;) {
            auto *d = reinterpret_cast<Dirent64 *>(buf + at);
            at += d->reclen;
            const char *name = d->name;
            if (!std::strcmp(name, ".") || !std::strcmp(name, "..")) continue;
            struct stat st;
            if (::fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                fail(Msg() << "tmpcopyup of " << shown << ": stat " << name, errno);
            if (S_ISDIR(st.st_mode)) {
                if (::mkdirat(dst, name, 0700) < 0)
                    fail(Msg() << "tmpcopyup of " << shown << ": mkdir " << name, errno);
                int s = ::openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int t = ::openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (s < 0 || t < 0)
                    fail(Msg() << "tmpcopyup of " << shown << ": open " << name, errno);
                copy_tree(s, t, depth + 1, shown);
                ::close(s);
                ::close(t);
            } else if (S_ISREG(st.st_mode)) {
                copy_file(src, dst, name, st, shown);
            } else if (S_ISLNK(st.st_mode)) {
                copy_link(src, dst, name, shown);
            } else if (::mknodat(dst, name, st.st_mode, st.st_rdev) < 0) {
                fail(Msg() << "tmpcopyup of " << shown << ": mknod " << name, errno);
            }
            take_attributes(dst, name, st, shown);
        }
    }
}

}  // namespace

int copy_up_source(int rootfd, const char *rel) {
    int fd = openat2_in_root(rootfd, rel, O_RDONLY | O_DIRECTORY);
    if (fd < 0 && errno != ENOENT && errno != ENOTDIR)
        fail(Msg() << "open /" << rel << " for tmpcopyup", errno);
    return fd;
}

void copy_up(int src, int rootfd, const char *rel, const char *shown) {
    if (src < 0) return;
    int dst = openat2_in_root(rootfd, rel, O_RDONLY | O_DIRECTORY);
    if (dst < 0) fail(Msg() << "open the new tmpfs " << shown, errno);
    copy_tree(src, dst, 1, shown);
    // The tmpfs takes the place of the directory: its mode and owner too.
    struct stat st;
    if (::fstat(src, &st) == 0) {
        if (::fchown(dst, st.st_uid, st.st_gid) < 0 && errno != EINVAL)
            fail(Msg() << "tmpcopyup of " << shown << ": chown", errno);
        if (::fchmod(dst, st.st_mode & 07777) < 0)
            fail(Msg() << "tmpcopyup of " << shown << ": chmod", errno);
    }
    ::close(dst);
    ::close(src);
}

}  // namespace ct::linux_native::child
