// Private area "dir": a host directory bind-mounted (recursively) as the root, at `rootfs`.
// Without a mount namespace the container is chrooted into the directory instead.
#include "fs/private_area.hpp"

namespace ct::linux_native::fs {
namespace {

class DirArea final : public PrivateArea {
  public:
    DirArea(std::string rootfs, std::string path)
        : rootfs_(std::move(rootfs)), path_(std::move(path)) {}
    void check_host() const override {
        require_dir(rootfs_, "rootfs");
        require_dir(path_, "private.path");
    }
    void plan(LaunchPlan &p) const override {
        if (p.new_mountns)
            p.root_source = path_;
        else
            p.rootfs = path_;
    }
    std::vector<std::string> layers() const override { return {path_}; }

  private:
    std::string rootfs_, path_;
};

}  // namespace

std::unique_ptr<PrivateArea> make_dir_area(const Spec &spec) {
    return std::make_unique<DirArea>(spec.rootfs, spec.private_area.path);
}

}  // namespace ct::linux_native::fs
