#include "security/userns.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace ct::linux_native {
namespace {

bool caller_has(int cap) {
    struct __user_cap_header_struct h {};
    h.version = _LINUX_CAPABILITY_VERSION_3;
    struct __user_cap_data_struct d[2]{};
    if (::syscall(SYS_capget, &h, d) != 0) return false;
    return d[cap / 32].effective & (1U << (cap % 32));
}

std::string text_of(const std::vector<IdMap> &m) {
    std::string t;
    for (const auto &e : m)
        t += std::to_string(e.container_id) + " " + std::to_string(e.host_id) + " " +
             std::to_string(e.size) + "\n";
    return t;
}

void write_proc(pid_t pid, const char *file, const std::string &text, const char *field) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    // One write: the kernel takes a map only whole, and only once.
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        int e = errno;
        std::string shown = text;
        for (auto &c : shown)
            if (c == '\n') c = ';';
        throw_sys(std::string(field) + ": write '" + shown + "' to " + path, e,
                  e == EINVAL ? Errc::invalid_spec : Errc::backend);
    }
}

}  // namespace

UserNamespace::UserNamespace(const Spec &s) {
    for (const auto &n : s.effective_namespaces())
        if (n.type == Namespace::user && n.path.empty()) active_ = true;
    if (!active_) return;
    uid_map_ = s.uid_map;
    gid_map_ = s.gid_map;
    deny_setgroups_ = !caller_has(CAP_SETGID);
}

bool UserNamespace::maps(const std::vector<IdMap> &m, uint32_t id) {
    for (const auto &e : m)
        if (id >= e.container_id && id - e.container_id < e.size) return true;
    return false;
}

void UserNamespace::check_caller() const {
    if (!active_) return;
    auto check = [](const std::vector<IdMap> &m, bool privileged, uint32_t own, const char *field,
                    const char *cap, const char *what) {
        if (privileged) return;
        if (m.size() == 1 && m[0].size == 1 && m[0].host_id == own) return;
        std::string asked;
        for (const auto &e : m)
            asked += (asked.empty() ? "" : ", ") + std::to_string(e.host_id) +
                     (e.size > 1 ? "-" + std::to_string(e.host_id + e.size - 1) : "");
        throw Error(Errc::permission, std::string(field) + ": host " + what + " " + asked +
                                          " cannot be mapped by an unprivileged caller: without " +
                                          cap +
                                          " the kernel allows one line mapping the caller's own " +
                                          what + " " + std::to_string(own) + " (size 1)");
    };
    check(uid_map_, caller_has(CAP_SETUID), static_cast<uint32_t>(::geteuid()), "uid_map",
          "CAP_SETUID", "uid");
    check(gid_map_, !deny_setgroups_, static_cast<uint32_t>(::getegid()), "gid_map", "CAP_SETGID",
          "gid");
}

void UserNamespace::write_maps(pid_t pid) const {
    if (!active_) return;
    // Without CAP_SETGID, gid_map can only be written once setgroups is denied for good.
    if (deny_setgroups_) write_proc(pid, "setgroups", "deny", "gid_map");
    write_proc(pid, "uid_map", text_of(uid_map_), "uid_map");
    write_proc(pid, "gid_map", text_of(gid_map_), "gid_map");
}

}  // namespace ct::linux_native
