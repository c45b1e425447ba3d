// The parent's side of a container's new user namespace: who may map what, and writing the
// maps while the child waits (launch's AfterClone hook).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native {

class UserNamespace {
  public:
    // Empty when the spec creates no user namespace.
    explicit UserNamespace(const Spec &spec);
    bool empty() const { return !active_; }

    // What the caller may map. Without CAP_SETUID/CAP_SETGID (a non-root caller) the kernel
    // allows one id each: the caller's own uid and gid, with setgroups denied. Throws
    // Errc::permission naming the map and the rule otherwise.
    void check_caller() const;

    // With setgroups denied (an unprivileged caller) the container cannot set supplementary
    // groups.
    bool setgroups_denied() const { return deny_setgroups_; }

    // Writes /proc/<pid>/setgroups (when denied), uid_map and gid_map.
    void write_maps(pid_t pid) const;

    // Whether container id `id` is mapped.
    static bool maps(const std::vector<IdMap> &m, uint32_t id);

  private:
    bool active_ = false;
    bool deny_setgroups_ = false;
    std::vector<IdMap> uid_map_, gid_map_;
};

}  // namespace ct::linux_native
