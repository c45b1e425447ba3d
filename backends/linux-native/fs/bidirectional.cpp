#include "fs/bidirectional.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

namespace ct::linux_native::fs {
namespace {

struct MountLine {
    std::string mount_point;
    std::string optional;  // "shared:N master:M ..." (empty: private)
};

// The mountinfo line of the mount holding `path`, found by mount id (statx, Linux 5.8).
std::optional<MountLine> mount_of(const std::string &path) {
    struct statx sx {};
    if (::statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &sx) != 0 || !(sx.stx_mask & STATX_MNT_ID))
        return std::nullopt;
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        unsigned long long id = 0;
        std::string parent, dev, root, point, opts, field, optional;
        if (!(f >> id >> parent >> dev >> root >> point >> opts)) continue;
        if (id != sx.stx_mnt_id) continue;
        while (f >> field && field != "-") optional += (optional.empty() ? "" : " ") + field;
        return MountLine{point, optional};
    }
    return std::nullopt;
}

}  // namespace

void check_bidirectional_source(const MountSpec &m, const std::string &field) {
    auto line = mount_of(m.source);
    if (!line) return;  // no statx mount id: open_tree will say what is wrong
    if (line->optional.find("shared:") != std::string::npos) return;
    throw Error(Errc::invalid_spec,
                field + ".options: 'bidirectional' needs its source " + m.source +
                    " on a shared mount, and the mount holding it (" + line->mount_point + ") is " +
                    (line->optional.empty() ? "private" : line->optional) +
                    " (mount --make-shared " + line->mount_point +
                    ", or bind the source onto "
                    "itself and make that shared)");
}

Fd bidirectional_tree(const MountSpec &m, bool recursive, const std::string &field) {
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
    Fd tree(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, m.source.c_str(), flags)));
    if (!tree) {
        int e = errno;
        if (e == ENOSYS)
            throw Error(Errc::unsupported,
                        field + ": bidirectional mounts need open_tree (Linux 5.2)", e);
        throw_sys(field + ".source: clone the mount of " + m.source, e);
    }
    return tree;
}

}  // namespace ct::linux_native::fs
