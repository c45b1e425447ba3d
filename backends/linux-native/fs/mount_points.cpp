#include "fs/mount_points.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "support.hpp"

namespace ct::linux_native::fs {
namespace {

// Whether `path` is `dir` or under it (both absolute, without a trailing slash but "/").
bool under(const std::string &path, const std::string &dir) {
    if (dir == "/") return true;
    return path.compare(0, dir.size(), dir) == 0 &&
           (path.size() == dir.size() || path[dir.size()] == '/');
}

}  // namespace

std::string normal_target(const std::string &target) {
    std::string out;
    for (size_t pos = 0; pos < target.size();) {
        size_t slash = target.find('/', pos);
        if (slash == std::string::npos) slash = target.size();
        std::string comp = target.substr(pos, slash - pos);
        pos = slash + 1;
        if (!comp.empty() && comp != ".") out += "/" + comp;
    }
    return out.empty() ? "/" : out;
}

namespace {

Fd open_in_root(int rootfd, const std::string &rel, int flags) {
    struct open_how how {};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return Fd(static_cast<int>(::syscall(SYS_openat2, rootfd, rel.c_str(), &how, sizeof how)));
}

void make_one(int rootfd, const MountPoint &p) {
    std::string what = "make the mount point " + p.target + " in the container's root";
    std::string rel;  // the components so far, relative to the root
    for (size_t pos = 1; pos <= p.target.size();) {
        size_t slash = p.target.find('/', pos);
        if (slash == std::string::npos) slash = p.target.size();
        std::string comp = p.target.substr(pos, slash - pos);
        bool last = slash == p.target.size();
        pos = slash + 1;
        if (comp.empty()) continue;
        std::string next = rel.empty() ? comp : rel + "/" + comp;
        Fd existing = open_in_root(rootfd, next, O_PATH);
        int e = errno;
        if (existing) {
            rel = next;
            continue;
        }
        if (e != ENOENT) throw_sys(what + ": open /" + next, e);
        Fd parent = rel.empty() ? Fd(::fcntl(rootfd, F_DUPFD_CLOEXEC, 0))
                                : open_in_root(rootfd, rel, O_PATH | O_DIRECTORY);
        if (!parent) throw_sys(what + ": open /" + rel, errno);
        int r;
        if (last && p.is_file) {
            Fd f(::openat(parent.get(), comp.c_str(),
                          O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
            r = f ? 0 : -1;
        } else {
            r = ::mkdirat(parent.get(), comp.c_str(), 0755);
        }
        if (r != 0 && errno == EEXIST)
            throw Error(Errc::invalid_spec,
                        what + ": /" + next + " is a link to a path that does not exist");
        if (r != 0) throw_sys(what + ": create /" + next, errno);
        rel = next;
    }
}

}  // namespace

std::vector<MountPoint> root_mount_points(const Spec &spec) {
    std::vector<MountPoint> out = {{"/proc", false}, {"/dev", false}, {"/sys", false}};
    // Targets a start mounts over (and so a later target under them is not the root's).
    std::vector<std::string> mounted = {"/proc", "/dev", "/sys"};
    for (const auto &m : spec.mounts) {
        std::string target = normal_target(m.target);
        bool covered = target == "/";
        for (const auto &d : mounted) covered = covered || under(target, d);
        mounted.push_back(target);
        if (covered) continue;
        bool is_file = false;
        if (m.type == "bind") {
            struct stat st;
            is_file = ::stat(m.source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
        }
        out.push_back({target, is_file});
    }
    return out;
}

void make_mount_points(int rootfd, const std::vector<MountPoint> &points) {
    for (const auto &p : points) make_one(rootfd, p);
}

}  // namespace ct::linux_native::fs
