// Private area "overlay": overlayfs with read-only lower dirs and a writable upper dir (and
// its work dir), mounted at `rootfs` inside the container's mount namespace. The container's
// changes land in the upper dir; the lower dirs are never written, so several containers can
// share them.
#include <sys/stat.h>

#include <cerrno>

#include "fs/private_area.hpp"
#include "support.hpp"

namespace ct::linux_native::fs {
namespace {

class OverlayArea final : public PrivateArea {
  public:
    explicit OverlayArea(const Spec &s)
        : rootfs_(s.rootfs), area_(s.private_area), mountns_(false), userns_(false) {
        for (const auto &n : s.effective_namespaces()) {
            if (n.type == Namespace::mount && n.path.empty()) mountns_ = true;
            if (n.type == Namespace::user && n.path.empty()) userns_ = true;
        }
    }

    void validate() const override {
        auto bad = [](const std::string &field, const std::string &why) {
            throw Error(Errc::invalid_spec, "invalid spec: private." + field + ": " + why);
        };
        if (area_.lower.empty()) bad("lower", "an overlay needs at least one lower dir");
        if (area_.work.empty())
            bad("work", "an overlay needs a work dir (empty, on the upper dir's filesystem)");
        if (area_.work == area_.path) bad("work", "must differ from the upper dir (path)");
    }

    void check_host() const override {
        validate();
        if (!mountns_)
            throw Error(Errc::invalid_spec,
                        "private: an overlay is mounted in the container's mount namespace; the "
                        "spec needs a new mount namespace");
        require_dir(rootfs_, "rootfs");
        require_dir(area_.path, "private.path");
        require_dir(area_.work, "private.work");
        for (size_t i = 0; i < area_.lower.size(); ++i)
            require_dir(area_.lower[i], "private.lower[" + std::to_string(i) + "]");
        // The option string separates with ',' and ':' and escapes with '\': keep it simple.
        auto plain = [](const std::string &p, const std::string &field) {
            if (p.find_first_of(",:\\") != std::string::npos)
                throw Error(Errc::invalid_spec, field + " '" + p +
                                                    "': an overlay path cannot contain ',', ':' "
                                                    "or '\\'");
        };
        plain(area_.path, "private.path");
        plain(area_.work, "private.work");
        for (size_t i = 0; i < area_.lower.size(); ++i)
            plain(area_.lower[i], "private.lower[" + std::to_string(i) + "]");
        struct stat up, wk;
        if (::stat(area_.path.c_str(), &up) == 0 && ::stat(area_.work.c_str(), &wk) == 0 &&
            up.st_dev != wk.st_dev)
            throw Error(Errc::invalid_spec, "private.work " + area_.work +
                                                " must be on the same filesystem as private.path " +
                                                area_.path);
    }

    void plan(LaunchPlan &p) const override {
        std::string lower;
        for (const auto &l : area_.lower) lower += (lower.empty() ? "" : ":") + l;
        p.root_fstype = "overlay";
        p.root_data = "lowerdir=" + lower + ",upperdir=" + area_.path + ",workdir=" + area_.work;
        // In a user namespace overlayfs cannot use trusted.* xattrs: it keeps its metadata in
        // user.overlay.* instead (Linux 5.11+).
        if (userns_) p.root_data += ",userxattr";
    }

    std::vector<std::string> layers() const override {
        std::vector<std::string> l{area_.path};
        l.insert(l.end(), area_.lower.begin(), area_.lower.end());
        return l;
    }

  private:
    std::string rootfs_;
    ct::PrivateArea area_;
    bool mountns_, userns_;
};

}  // namespace

std::unique_ptr<PrivateArea> make_overlay_area(const Spec &spec) {
    return std::make_unique<OverlayArea>(spec);
}

}  // namespace ct::linux_native::fs
