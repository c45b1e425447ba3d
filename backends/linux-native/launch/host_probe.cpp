#include "launch/host_probe.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fs/bidirectional.hpp"
#include "fs/idmap.hpp"
#include "launch/plan.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

// The kernel explains a refused parameter in the context's log ("e tmpfs: Unknown parameter
// 'frob'"); the bare errno says much less.
std::string context_log(int fd) {
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    if (n <= 2) return "";
    std::string s(buf, static_cast<size_t>(n));
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s.size() > 2 && s[1] == ' ' ? s.substr(2) : s;
}

// The name of a CLONE_NEW* type, through the one table of them (clone_flag).
const char *namespace_type_name(int nstype) {
    for (auto ns : {Namespace::mount, Namespace::uts, Namespace::ipc, Namespace::pid,
                    Namespace::net, Namespace::user, Namespace::cgroup, Namespace::time})
        if (clone_flag(ns) == nstype) return namespace_name(ns);
    return "unknown";
}

}  // namespace

void probe_mount_options(const MountOp &op, const std::string &field) {
    if (op.bind || op.fstype.empty()) return;
    Fd fs(::fsopen(op.fstype.c_str(), FSOPEN_CLOEXEC));
    if (!fs) {
        if (errno == ENODEV)
            throw Error(Errc::unsupported, field + ".type: this kernel has no filesystem '" +
                                               op.fstype + "' (see /proc/filesystems)");
        return;  // EPERM, ENOSYS: mount(2) at start decides
    }
    size_t start = 0;
    while (start < op.data.size()) {
        size_t end = op.data.find(',', start);
        if (end == std::string::npos) end = op.data.size();
        std::string opt = op.data.substr(start, end - start);
        start = end + 1;
        if (opt.empty()) continue;
        auto eq = opt.find('=');
        int r = eq == std::string::npos
                    ? ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0)
                    : ::fsconfig(fs.get(), FSCONFIG_SET_STRING, opt.substr(0, eq).c_str(),
                                 opt.c_str() + eq + 1, 0);
        // Only a refused parameter is the spec's fault; a path an option names (overlay's
        // lowerdir=) may be made between create and start.
        if (r != 0 && errno == EINVAL) {
            std::string why = context_log(fs.get());
            throw Error(Errc::invalid_spec, field + ".options: '" + opt + "' is refused by " +
                                                op.fstype + ": " +
                                                (why.empty() ? errstr(EINVAL) : why));
        }
        if (r != 0) context_log(fs.get());  // drop the message: the log holds only a few
    }
}

void check_namespace_file(const std::string &path, Namespace type, const std::string &field) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error(Errc::not_found, field + " " + path + ": " + errstr(errno), errno);
    int got = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (got < 0)
        throw Error(Errc::invalid_spec, field + " " + path +
                                            " is not a namespace file (like /proc/PID/ns/" +
                                            namespace_name(type) + " or a bind mount of one)");
    if (got != clone_flag(type))
        throw Error(Errc::invalid_spec, field + " " + path + " is a " + namespace_type_name(got) +
                                            " namespace, not " + namespace_name(type));
}

namespace {

// Whether the namespace file at `path` is the namespace `type` of the caller or of PID 1.
bool is_host_namespace(const std::string &path, Namespace type) {
    struct stat joined {};
    if (::stat(path.c_str(), &joined) != 0) return false;  // check_namespace_file names it
    for (const char *who : {"/proc/self/ns/", "/proc/1/ns/"}) {
        struct stat host {};
        std::string p = who + std::string(namespace_name(type));
        if (::stat(p.c_str(), &host) == 0 && host.st_dev == joined.st_dev &&
            host.st_ino == joined.st_ino)
            return true;
    }
    return false;
}

}  // namespace

void check_joined_host_namespaces(const Spec &s) {
    std::vector<std::pair<std::string, Namespace>> settings;  // field, the namespace it is in
    for (const auto &[key, value] : s.sysctl)
        if (auto type = sysctl_namespace(key)) settings.emplace_back("sysctl." + key, *type);
    if (!s.hostname.empty()) settings.emplace_back("hostname", Namespace::uts);
    for (const auto &[field, type] : settings)
        for (const auto &n : s.effective_namespaces())
            if (n.type == type && !n.path.empty() && is_host_namespace(n.path, n.type))
                throw Error(Errc::invalid_spec, field + ": the " + namespace_name(n.type) +
                                                    " namespace " + n.path +
                                                    " is the host's: setting it would change "
                                                    "the host");
}

void check_sysctls_exist(const Spec &s) {
    for (const auto &[key, value] : s.sysctl) {
        std::string k = key;
        for (const char *per_interface :
             {"net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh."})
            if (size_t n = std::strlen(per_interface); k.compare(0, n, per_interface) == 0)
                if (size_t end = k.find('.', n); end != std::string::npos)
                    k = per_interface + std::string("default") + k.substr(end);
        std::string path = sysctl_path(k);
        if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT)
            throw Error(Errc::invalid_spec, "sysctl." + key + ": this kernel has no such sysctl (" +
                                                path + " does not exist)");
    }
}

void probe_idmapped_mounts(const Spec &s) {
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const auto &m = s.mounts[i];
        if (!m.idmapped() || m.type != "bind") continue;
        std::string field = "mounts[" + std::to_string(i) + "]";
        fs::idmapped_tree(s, m, mount_op(m, field).flags & MS_REC, field);
    }
}

void probe_bidirectional_mounts(const Spec &s) {
    for (size_t i = 0; i < s.mounts.size(); ++i)
        if (s.mounts[i].bidirectional() && s.mounts[i].type == "bind")
            fs::check_bidirectional_source(s.mounts[i], "mounts[" + std::to_string(i) + "]");
}

}  // namespace ct::linux_native
