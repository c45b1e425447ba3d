// The cgroups of one container, as directories: creating them, moving processes in, killing
// and removing them. Which directories, and the limits in them, are the session's manager's
// (manager.hpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cgroups/layout.hpp"
#include "ct/spec.hpp"
#include "support.hpp"

namespace ct::linux_native {

class ContainerCgroups {
  public:
    // Directory key ("memory", "cpu", "pids", ..., "unified" for a cgroup2 tree) -> path.
    using Paths = std::map<std::string, std::string>;

    ContainerCgroups() = default;
    // Directories a manager planned (manager.hpp): key -> path, key -> its hierarchy's mount
    // point, and the keys in creation order (one per directory: co-mounted controllers share).
    ContainerCgroups(Paths paths, Paths roots, std::vector<std::string> order)
        : paths_(std::move(paths)), roots_(std::move(roots)), order_(std::move(order)) {}
    // Re-attaches to directories recorded in a container's state.
    explicit ContainerCgroups(Paths paths) : paths_(std::move(paths)) {}

    const Paths &paths() const { return paths_; }

    // The cgroup2 controllers the container's limits need enabled in its ancestors'
    // cgroup.subtree_control (a hybrid host's hugetlb, ...): the manager's create() enables
    // them after the directories exist. Not recorded in state: only create() needs it.
    void set_v2_enable(std::vector<std::string> controllers) {
        v2_enable_ = std::move(controllers);
    }
    const std::vector<std::string> &v2_enable() const { return v2_enable_; }

    // mkdir every directory (and missing parents); on failure removes what it made and throws.
    // The name is checked for a leftover directory first: an existing one is an error.
    void create() const;
    // rmdir every directory, retrying while the kernel still tears processes down, then the
    // empty parents this object's create() made. Returns an error text for what could not be
    // removed ("" if all gone).
    std::string remove() const;

    // Opens, in every directory a new single-threaded process must join, the file it writes
    // "0" into to join it ("tasks" on v1, "cgroup.procs" on v2); the cgroup2 directory is
    // opened separately for clone3(CLONE_INTO_CGROUP).
    std::vector<Fd> open_join_files(bool include_v2) const;
    Fd open_v2_dir() const;

    // Every pid in the container's cgroup.
    std::vector<long> pids() const;
    // Signals every process; SIGKILL uses cgroup.kill when the host has it.
    // `removing`: the cgroup is about to be removed, so SIGKILL may use cgroup.kill. Not on a
    // cgroup that lives on: on this kernel (6.18) every process later cloned into a cgroup
    // that was ever cgroup.kill'ed (CLONE_INTO_CGROUP) is killed at birth, so a container
    // restarted after `kill --all` lost its new init.
    void kill_all(int sig, bool removing = false) const;
    // True once no process is left.
    bool empty() const;

  private:
    std::string tracking_dir() const;  // the directory whose cgroup.procs lists every process
    Paths paths_;
    Paths roots_;                     // key -> hierarchy mount point (only when planned)
    std::vector<std::string> order_;  // creation order
    std::vector<std::string> v2_enable_;
    // What create() made, parents included, for remove() to undo a failed create.
    mutable std::vector<std::string> made_;
};

// A mount of type "cgroup" (the container's own cgroups, e.g. at /sys/fs/cgroup) as plain
// mounts: a tmpfs at its target, and each of the container's cgroup directories bound under
// it by controller (a named hierarchy "name=X" as X; the cgroup2 tree as "unified"), so that
// the container can make sub-groups of its own.
std::vector<MountSpec> cgroup_mounts(const MountSpec &m, const ContainerCgroups &cg);

}  // namespace ct::linux_native
