#include "fs/area_points.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ct::linux_native::fs {
namespace {

// Adds the components of `rel` missing under `area`, outermost first. Stops at anything the
// child resolves by itself inside the root (a symlink, "..", a file on the way): what it makes
// through those is not predictable from here, and not removed.
void missing_under(const std::string &area, const std::string &rel, std::vector<std::string> &out) {
    std::string path = area;
    for (size_t pos = 0; pos < rel.size();) {
        size_t slash = rel.find('/', pos);
        if (slash == std::string::npos) slash = rel.size();
        std::string comp = rel.substr(pos, slash - pos);
        pos = slash + 1;
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") return;
        path += "/" + comp;
        struct stat st;
        if (::lstat(path.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) return;
            continue;
        }
        if (errno != ENOENT) return;
        if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
    }
}

bool own_mount_ns(const Spec &spec) {
    for (const auto &n : spec.effective_namespaces())
        if (n.type == Namespace::mount) return n.path.empty();
    return false;
}

}  // namespace

std::vector<std::string> area_points_to_make(const Spec &spec) {
    std::vector<std::string> out;
    if (spec.private_area.type != "dir" || !own_mount_ns(spec)) return out;
    const std::string &area = spec.private_area.path;
    for (const char *d : {"proc", "dev", "sys"}) missing_under(area, d, out);
    for (const auto &m : spec.mounts) missing_under(area, m.target, out);
    for (const auto &d : spec.devices)
        if (auto slash = d.path.rfind('/'); slash != std::string::npos && slash > 0)
            missing_under(area, d.path.substr(0, slash), out);
    return out;
}

void note_area_points(std::vector<std::string> &made, const std::vector<std::string> &more) {
    for (const auto &p : more)
        if (std::find(made.begin(), made.end(), p) == made.end()) made.push_back(p);
}

void remove_area_points(const std::vector<std::string> &made) {
    // Deepest first, so that children are gone before their parents (starts after the first
    // append, so the list's own order does not say it).
    std::vector<std::string> order = made;
    std::stable_sort(order.begin(), order.end(), [](const std::string &a, const std::string &b) {
        return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
    });
    for (const auto &p : order) {
        struct stat st;
        if (::lstat(p.c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            ::rmdir(p.c_str());
        else if (S_ISREG(st.st_mode) && st.st_size == 0)
            ::unlink(p.c_str());
    }
}

}  // namespace ct::linux_native::fs
