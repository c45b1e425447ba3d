#include "fs/mount_points.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "fs/in_root.hpp"
#include "fs/private_area.hpp"
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
                        what + ": /" + next +
                            " is a link to a path that does not exist in the container's root");
        if (r != 0) throw_sys(what + ": create /" + next, errno);
        rel = next;
    }
}

}  // namespace

std::vector<MountPoint> root_mount_points(const Spec &spec) {
    std::vector<MountPoint> out = {{"/proc", false}, {"/dev", false}, {"/sys", false}};
    // Targets a start mounts over (and so a later target under them is not the root's).
    std::vector<std::string> mounted = {"/proc", "/dev", "/sys"};
    for (size_t i = 0; i < spec.mounts.size(); ++i) {
        const MountSpec &m = spec.mounts[i];
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
        out.push_back({target, is_file, static_cast<int>(i)});
    }
    return out;
}

void make_mount_points(int rootfd, const std::vector<MountPoint> &points) {
    for (const auto &p : points) make_one(rootfd, p);
}

void check_mount_points(const Spec &spec) {
    bool own_mountns = false;
    for (const auto &n : spec.effective_namespaces())
        own_mountns |= n.type == Namespace::mount && n.path.empty();
    if (!own_mountns) return;
    auto layers = private_area(spec)->layers();
    if (layers.size() != 1) return;  // an overlay's union exists once it is mounted
    Fd root(::open(layers[0].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return;  // the area's own check names it
    for (const auto &p : root_mount_points(spec)) {
        std::string field = p.mount < 0 ? "rootfs" : "mounts[" + std::to_string(p.mount) + "]";
        std::string in = " in the root filesystem " + layers[0];
        Fd fd = open_in_root(root.get(), p.target.substr(1), O_PATH);
        if (!fd) {
            if (errno == ENOTDIR)
                throw Error(Errc::invalid_spec,
                            field + ": the mount point " + p.target + " is under a file" + in);
            continue;  // missing: the start makes it; anything else the start reports
        }
        struct stat st;
        if (::fstat(fd.get(), &st) != 0) continue;
        if (p.is_file && S_ISDIR(st.st_mode))
            throw Error(Errc::invalid_spec, field + ": the source " + spec.mounts[p.mount].source +
                                                " is not a directory, but the mount point " +
                                                p.target + " is one" + in);
        if (!p.is_file && !S_ISDIR(st.st_mode))
            throw Error(Errc::invalid_spec, field + ": the mount point " + p.target + " is a file" +
                                                in + ", where a " +
                                                (p.mount < 0 || spec.mounts[p.mount].type == "bind"
                                                     ? std::string("directory")
                                                     : spec.mounts[p.mount].type + " filesystem") +
                                                " is mounted");
    }
}

}  // namespace ct::linux_native::fs
