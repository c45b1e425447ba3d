#include "criu/mount_sources.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "fs/idmap.hpp"
#include "launch/plan.hpp"
#include "support.hpp"

namespace ct::linux_native::criu {

MountSources::MountSources(const Spec &spec, const std::string &dir) {
    paths_.resize(spec.mounts.size());
    try {
        for (size_t i = 0; i < spec.mounts.size(); ++i) {
            const MountSpec &m = spec.mounts[i];
            if (m.type != "bind") continue;
            if (!m.idmapped()) {
                paths_[i] = m.source;
                continue;
            }
            std::string field = "mounts[" + std::to_string(i) + "]";
            MountOp op = mount_op(m, field);
            Fd tree = fs::idmapped_tree(spec, m, op.flags & MS_REC, field);
            std::string at = dir + "/idmap-" + std::to_string(i);
            int made = op.target_is_file
                           ? ::open(at.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)
                           : ::mkdir(at.c_str(), 0700);
            if (made < 0 && errno != EEXIST) throw_sys("create " + at, errno);
            if (op.target_is_file && made >= 0) ::close(made);
            attached_.emplace_back(at, op.target_is_file);
            if (::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, at.c_str(),
                          MOVE_MOUNT_F_EMPTY_PATH) < 0)
                throw_sys(field + ": attach the idmapped tree of " + m.source + " at " + at, errno);
            paths_[i] = at;
        }
    } catch (...) {
        detach();
        throw;
    }
}

MountSources::~MountSources() {
    detach();
}

void MountSources::detach() noexcept {
    for (const auto &[at, is_file] : attached_) {
        ::umount2(at.c_str(), MNT_DETACH);
        if (is_file)
            ::unlink(at.c_str());
        else
            ::rmdir(at.c_str());
    }
    attached_.clear();
}

}  // namespace ct::linux_native::criu
