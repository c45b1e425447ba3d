// Filesystem settings: root, private area, bind and other mounts, device nodes, and the host
// commands run around a mount.
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "internal.hpp"

using namespace ct::capi;

namespace {

const int kMountFlags = CT_FS_RDONLY | CT_FS_PRIVATE | CT_FS_BIND | CT_FS_NOEXEC | CT_FS_NOSUID |
                        CT_FS_NODEV | CT_FS_STRICTATIME | CT_FS_REC;

// A host path as the backend needs it: absolute. Relative paths were relative to the
// caller's working directory, which only means something for a backend on this machine.
std::string host_path(ct_handler *ct, const std::string &p) {
    if (p.empty() || p[0] == '/' || !ct->s->local) return p;
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) throw Failure(-errno, "getcwd");
    return std::string(cwd) + "/" + p;
}

// Destinations are relative to the container's root ("dir" and "/dir" alike).
std::string in_root(const std::string &p) {
    auto first = p.find_first_not_of('/');
    return "/" + (first == std::string::npos ? std::string() : p.substr(first));
}

std::vector<std::string> flag_options(int flags, bool bind) {
    std::vector<std::string> o;
    if (flags & CT_FS_RDONLY) o.push_back("ro");
    if (flags & CT_FS_NOSUID) o.push_back("nosuid");
    if (flags & CT_FS_NODEV) o.push_back("nodev");
    if (flags & CT_FS_NOEXEC) o.push_back("noexec");
    if (flags & CT_FS_STRICTATIME) o.push_back("strictatime");
    if (bind) o.push_back(flags & CT_FS_REC ? "rbind" : "bind");
    if (flags & CT_FS_PRIVATE) o.push_back(flags & CT_FS_REC ? "rprivate" : "private");
    return o;
}

// Mounts and device nodes are made in the container's own mount namespace. Without one the
// historical library made them in the caller's, i.e. the host's: a container reaching beyond
// itself (docs/security.md). Refused here, by the call that asks for it (docs/c-api.md,
// "Differences"), never later at spawn.
void need_mount_ns(ct_handler *ct, const char *call) {
    if (ct->nspaths.count(CLONE_NEWNS))
        throw Failure(-LCTERR_NONS, std::string(call) + ": container '" + ct->name +
                                        "' joins an existing mount namespace "
                                        "(libct_container_set_nspath): mounts and device "
                                        "nodes need a new one of its own");
    if (!(ct->nsmask & CLONE_NEWNS))
        throw Failure(-LCTERR_NONS,
                      std::string(call) + ": container '" + ct->name +
                          "' has no mount namespace of its own: set CLONE_NEWNS with "
                          "libct_container_set_nsmask first (without one the mount would be "
                          "made in the host's namespace)");
}

int add_mount(ct_handler *ct, const char *call, const char *src, const char *dst, int flags,
              const char *fstype, const char *data, struct libct_cmd *pre, struct libct_cmd *post) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        if (flags & ~kMountFlags)
            throw Failure(-LCTERR_INVARG, "mount flags " + std::to_string(flags) +
                                              " include bits that are not CT_FS_* flags");
        need_mount_ns(ct, call);
        ct::MountSpec m;
        m.source = need_str(src, "mount source");
        m.target = in_root(need_str(dst, "mount destination"));
        bool bind = (flags & CT_FS_BIND) || (fstype && std::string(fstype) == "bind");
        if (bind) {
            m.type = "bind";
            m.source = host_path(ct, m.source);
        } else {
            m.type = need_str(fstype, "filesystem type");
        }
        m.options = flag_options(flags, bind);
        // Filesystem data: comma-separated options, passed on as mount(8) would.
        std::string d = data ? data : "";
        for (size_t pos = 0; pos < d.size();) {
            auto comma = d.find(',', pos);
            std::string opt = d.substr(pos, comma == std::string::npos ? comma : comma - pos);
            if (!opt.empty()) m.options.push_back(opt);
            pos = comma == std::string::npos ? d.size() : comma + 1;
        }
        if ((pre || post) && !ct->s->local)
            throw Failure(-LCTERR_OPNOTSUPP, "mount commands run on this machine: backend " +
                                                 ct->s->session.backend().name +
                                                 " runs containers elsewhere");
        m.hooks.pre = mount_hooks(pre, "pre-mount command of " + m.target);
        m.hooks.post = mount_hooks(post, "post-mount command of " + m.target);
        ct->spec.mounts.push_back(std::move(m));
        return 0;
    });
}

}  // namespace

extern "C" {

int libct_fs_set_root(ct_handler_t ct, const char *root_path) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        ct->spec.rootfs = host_path(ct, need_str(root_path, "libct_fs_set_root: path"));
        ct->root_set = true;
        return 0;
    });
}

int libct_fs_set_private(ct_handler_t ct, enum ct_fs_type type, void *arg) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        switch (type) {
            case CT_FS_NONE:
                ct->spec.private_area = {};
                return 0;
            case CT_FS_SUBDIR: {
                // Checked before anything changes: a refused call leaves the settings as they were.
                std::string dir = host_path(ct, need_str(static_cast<const char *>(arg),
                                                         "libct_fs_set_private: directory"));
                ct->spec.private_area = {};
                ct->spec.private_area.type = "dir";
                ct->spec.private_area.path = std::move(dir);
                return 0;
            }
        }
        throw Failure(-LCTERR_BADTYPE, "unknown private area type " + std::to_string(type));
    });
}

int libct_fs_add_bind_mount(ct_handler_t ct, const char *source, const char *destination,
                            int flags) {
    return add_mount(ct, "libct_fs_add_bind_mount", source, destination, flags | CT_FS_BIND,
                     nullptr, nullptr, nullptr, nullptr);
}

int libct_fs_del_bind_mount(ct_handler_t ct, const char *destination) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        std::string t = in_root(need_str(destination, "libct_fs_del_bind_mount: destination"));
        auto &ms = ct->spec.mounts;
        auto it = std::find_if(ms.begin(), ms.end(), [&](const ct::MountSpec &m) {
            return m.type == "bind" && m.target == t;
        });
        if (it == ms.end())
            throw Failure(-LCTERR_NOTFOUND,
                          "container '" + ct->name + "' has no bind mount on " + t);
        ms.erase(it);  // its commands with it
        return 0;
    });
}

int libct_fs_add_mount(ct_handler_t ct, const char *src, const char *dst, int flags,
                       const char *fstype, const char *data) {
    return add_mount(ct, "libct_fs_add_mount", src, dst, flags, fstype, data, nullptr, nullptr);
}

int libct_fs_add_mount_with_actions(ct_handler_t ct, const char *src, const char *dst, int flags,
                                    const char *fstype, const char *data, struct libct_cmd *pre,
                                    struct libct_cmd *post) {
    return add_mount(ct, "libct_fs_add_mount_with_actions", src, dst, flags, fstype, data, pre,
                     post);
}

int libct_fs_add_devnode(ct_handler_t ct, const char *path, int mode, int major, int minor) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        ct::DeviceNode d;
        d.path = in_root(need_str(path, "libct_fs_add_devnode: path"));
        need_mount_ns(ct, "libct_fs_add_devnode");
        if (S_ISCHR(mode))
            d.type = "c";
        else if (S_ISBLK(mode))
            d.type = "b";
        else
            throw Failure(-LCTERR_INVARG,
                          "device node " + d.path + ": mode must include S_IFCHR or S_IFBLK");
        if (major < 0 || minor < 0)
            throw Failure(-LCTERR_INVARG, "device node " + d.path + ": negative device number");
        d.major = static_cast<uint32_t>(major);
        d.minor = static_cast<uint32_t>(minor);
        d.mode = static_cast<uint32_t>(mode) & 07777;
        ct->spec.devices.push_back(d);
        return 0;
    });
}

}  // extern "C"
