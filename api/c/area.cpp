// What the linux backend leaves in a private area (CT_FS_SUBDIR): the child makes the mount
// points it needs (proc/, dev/, sys/, the targets of mounts) inside the root, which is the
// area's directory itself. Programs of the libct era rmdir their area after destroy, so the
// mount points this library caused to be made go again with the container — only those that
// were missing before its spawn and are still empty.
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "internal.hpp"

namespace ct::capi {
namespace {

// Notes the components of `rel` (relative to the area) missing from `area`, outermost first.
void note_missing(const std::string &area, const std::string &rel, std::vector<std::string> &out) {
    std::string path = area;
    for (size_t pos = 0; pos < rel.size();) {
        size_t slash = rel.find('/', pos);
        if (slash == std::string::npos) slash = rel.size();
        std::string comp = rel.substr(pos, slash - pos);
        pos = slash + 1;
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") return;  // resolved inside the root by the backend: not followed here
        path += "/" + comp;
        struct stat st;
        if (::lstat(path.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) return;  // a link or a file: the backend's business
            continue;
        }
        if (errno != ENOENT) return;
        // Missing: this one and everything below it on the way will be made.
        if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
    }
}

}  // namespace

void note_area_mount_points(ct_handler *h, const ct::Spec &s) {
    h->area_made.clear();
    if (s.private_area.type != "dir" || !(h->nsmask & CLONE_NEWNS) || !h->s->local) return;
    const std::string &area = s.private_area.path;
    for (const char *d : {"proc", "dev", "sys"}) note_missing(area, d, h->area_made);
    for (const auto &m : s.mounts) note_missing(area, m.target, h->area_made);
    for (const auto &d : s.devices) {
        auto slash = d.path.rfind('/');
        if (slash != std::string::npos && slash > 0)
            note_missing(area, d.path.substr(0, slash), h->area_made);
    }
}

void remove_made_in_area(ct_handler *h) {
    // Innermost first. rmdir only takes an empty directory: whatever the container wrote
    // there stays; a bind mount's target that is a file (the backend makes an empty one) is
    // removed only when still empty.
    for (auto it = h->area_made.rbegin(); it != h->area_made.rend(); ++it) {
        struct stat st;
        if (::lstat(it->c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            ::rmdir(it->c_str());
        else if (S_ISREG(st.st_mode) && st.st_size == 0)
            ::unlink(it->c_str());
    }
    h->area_made.clear();
}

}  // namespace ct::capi
