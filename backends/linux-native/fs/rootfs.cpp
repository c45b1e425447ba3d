// No private area: the rootfs directory itself is the container's root (bind-mounted onto
// itself in the container's mount namespace, so that it is a mount point for pivot_root).
#include "fs/private_area.hpp"

namespace ct::linux_native::fs {
namespace {

class RootfsArea final : public PrivateArea {
  public:
    explicit RootfsArea(std::string rootfs) : rootfs_(std::move(rootfs)) {}
    void check_host() const override { require_dir(rootfs_, "rootfs"); }
    void plan(LaunchPlan &) const override {}
    std::vector<std::string> layers() const override { return {rootfs_}; }

  private:
    std::string rootfs_;
};

}  // namespace

std::unique_ptr<PrivateArea> make_rootfs_area(const Spec &spec) {
    return std::make_unique<RootfsArea>(spec.rootfs);
}

}  // namespace ct::linux_native::fs
