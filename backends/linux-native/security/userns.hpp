// The parent's side of a container's new user namespace: who may map what, and writing the
// maps while the child waits (launch's AfterClone hook).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native {

// Whether this process has capability `cap` in its effective set.
bool caller_has_cap(int cap);

// Whether this process is the host's root: uid 0 of the initial user namespace. Root of
// another user namespace (rootless Podman runs its runtime as one) holds no host privilege:
// it is treated as the unprivileged user it maps to.
bool host_root();

// Whether the user namespace this process is in maps group `gid` (devpts takes gid=5 only if
// it does).
bool own_namespace_maps_gid(uint32_t gid);
// Whether it denies setgroups (/proc/self/setgroups: an unprivileged writer of its gid_map).
bool own_namespace_denies_setgroups();

class UserNamespace {
  public:
    // Empty when the spec creates no user namespace. For an unprivileged caller, reads its
    // subordinate ranges (/etc/subuid, /etc/subgid) to decide how each map is written.
    explicit UserNamespace(const Spec &spec);
    bool empty() const { return !active_; }

    // What the caller may map. With CAP_SETUID (CAP_SETGID for gids): anything, written by
    // the kernel. Without: its own uid (gid) alone, written by the kernel with setgroups
    // denied; or lines each inside either its own id or one of its subordinate ranges,
    // written by the setuid helper newuidmap (newgidmap). Throws Errc::permission naming the
    // map, the host ids and the rule otherwise, so a helper never runs with ids the
    // administrator did not give the caller.
    void check_caller() const;

    // With setgroups denied (an unprivileged caller mapping only its own gid) the container
    // cannot set supplementary groups.
    bool setgroups_denied() const { return deny_setgroups_; }

    // Writes /proc/<pid>/setgroups (when denied), uid_map and gid_map, or runs the helpers.
    void write_maps(pid_t pid) const;

    // Whether container id `id` is mapped.
    static bool maps(const std::vector<IdMap> &m, uint32_t id);

  private:
    // How one map gets written.
    enum class Way { kernel, helper, refused };
    struct Side {
        std::vector<IdMap> map;
        Way way = Way::kernel;
        std::string refusal;  // Way::refused: why
    };
    static Side plan_side(const std::vector<IdMap> &map, bool privileged, uint32_t own,
                          const char *field, const char *cap, const char *what,
                          const char *subid_file, const char *helper);

    bool active_ = false;
    bool deny_setgroups_ = false;
    Side uid_, gid_;
};

}  // namespace ct::linux_native
