// Private area types: where a container's files live on the host and how its root is made
// from them. One class per type (rootfs.cpp, dir.cpp, overlay.cpp), registered in
// private_area.cpp; a new type is one new file implementing this interface.
//
// Every type mounts the root inside the container's own mount namespace (the child does it,
// after making "/" a slave): nothing is ever mounted on the host, so there is nothing to
// unmount on destroy or to roll back when a start fails; the kernel takes the mounts down
// with the namespace's last process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ct/spec.hpp"
#include "launch/launch.hpp"

namespace ct::linux_native::fs {

class PrivateArea {
  public:
    virtual ~PrivateArea() = default;

    // Checks the type's own fields of the spec (ct::validate() checks that paths are
    // absolute). No system call. Throws Errc::invalid_spec naming the `private.*` field.
    virtual void validate() const {}

    // Checks the host side (directories exist, constraints of the type) before anything is
    // made. Throws Errc::not_found / invalid_spec / unsupported naming the `private.*` field.
    virtual void check_host() const = 0;

    // How the child makes the root at plan.rootfs: fills root_source / root_fstype /
    // root_data (with a mount namespace) or points plan.rootfs at the tree to chroot into.
    virtual void plan(LaunchPlan &plan) const = 0;

    // Host directories whose union is the container's root, topmost first (to read files of
    // the container, like /etc/passwd, before it runs).
    virtual std::vector<std::string> layers() const = 0;
};

// The area of `spec`: plain `rootfs` when `private.type` is empty. Throws Errc::unsupported
// for a type this backend does not implement.
std::unique_ptr<PrivateArea> private_area(const Spec &spec);

// Factories of the types (one per file).
std::unique_ptr<PrivateArea> make_rootfs_area(const Spec &spec);
std::unique_ptr<PrivateArea> make_dir_area(const Spec &spec);
std::unique_ptr<PrivateArea> make_overlay_area(const Spec &spec);

// A host directory the area needs: exists and is a directory, else throws naming `field`.
void require_dir(const std::string &path, const std::string &field);

}  // namespace ct::linux_native::fs
