#include "security/devices.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

namespace ct::linux_native {
namespace {

unsigned access_bits(const std::string &a) {
    unsigned bits = 0;
    for (char c : a) bits |= c == 'm' ? kAccessMknod : c == 'r' ? kAccessRead : kAccessWrite;
    return bits;
}

std::string v1_rule(const DeviceAccess &r) {
    if (r.type == 'a')
        return "a *:* " + std::string(r.access & kAccessRead ? "r" : "") +
               (r.access & kAccessWrite ? "w" : "") + (r.access & kAccessMknod ? "m" : "");
    auto num = [](int64_t v) { return v < 0 ? std::string("*") : std::to_string(v); };
    std::string acc;
    if (r.access & kAccessRead) acc += 'r';
    if (r.access & kAccessWrite) acc += 'w';
    if (r.access & kAccessMknod) acc += 'm';
    return std::string(1, r.type) + " " + num(r.major) + ":" + num(r.minor) + " " + acc;
}

bool asks_for_devices(const Spec &s) {
    return !s.devices.empty() || !s.resources.devices.empty();
}

}  // namespace

std::vector<DeviceAccess> device_allow_list(const Spec &s) {
    std::vector<DeviceAccess> l;
    l.push_back({false, 'a', -1, -1, 7});
    l.push_back({true, 'c', -1, -1, kAccessMknod});
    l.push_back({true, 'b', -1, -1, kAccessMknod});
    // Not the host's console (5:1): a container that could open it would read the host's
    // console input and, with TIOCSTI, type into it. A container's /dev/console is a pty of its
    // own (136:*), bound there when it has a terminal.
    static const int kChar[][2] = {{1, 3}, {1, 5}, {1, 7},    {1, 8},   {1, 9},
                                   {5, 0}, {5, 2}, {136, -1}, {10, 200}};
    for (const auto &d : kChar) l.push_back({true, 'c', d[0], d[1], 7});
    for (const auto &d : s.devices)
        l.push_back(
            {true, d.type[0], static_cast<int64_t>(d.major), static_cast<int64_t>(d.minor), 7});
    for (const auto &r : s.resources.devices)
        l.push_back({r.allow, r.type[0], r.major ? *r.major : -1, r.minor ? *r.minor : -1,
                     access_bits(r.access)});
    return l;
}

void apply_device_policy(const ContainerCgroups &cg, const Spec &s, DeviceProgramCache *cache) {
    const auto &paths = cg.paths();
    auto rules = device_allow_list(s);
    if (auto it = paths.find("devices"); it != paths.end()) {
        // v1: deny everything, then punch the holes, one rule per write. The cgroup has no
        // task yet.
        std::string allow = it->second + "/devices.allow", deny = it->second + "/devices.deny";
        Fd allow_fd(::open(allow.c_str(), O_WRONLY | O_CLOEXEC));
        Fd deny_fd(::open(deny.c_str(), O_WRONLY | O_CLOEXEC));
        if (!allow_fd || !deny_fd) throw_sys("open " + (allow_fd ? deny : allow), errno);
        for (const auto &r : rules) {
            std::string line = v1_rule(r);
            int fd = r.allow ? allow_fd.get() : deny_fd.get();
            if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
                throw_sys("resources.devices: write '" + line + "' to " + (r.allow ? allow : deny),
                          errno);
        }
        return;
    }
    if (auto it = paths.find("unified"); it != paths.end()) {
        Fd dir(::open(it->second.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir) throw_sys("open cgroup " + it->second, errno);
        attach_device_bpf(dir.get(), it->second, rules, cache);
        return;
    }
    if (asks_for_devices(s))
        throw Error(Errc::unsupported,
                    "devices: the container has no cgroup to enforce a device allow-list in");
}

std::vector<DeviceOp> plan_device_nodes(const Spec &s, bool userns) {
    std::vector<DeviceOp> ops;
    for (size_t i = 0; i < s.devices.size(); ++i) {
        const auto &d = s.devices[i];
        DeviceOp op;
        op.path = d.path.substr(d.path.find_first_not_of('/'));
        op.mode = (d.type == "b" ? S_IFBLK : S_IFCHR) | (d.mode & 07777);
        op.dev = makedev(d.major, d.minor);
        op.uid = d.uid;
        op.gid = d.gid;
        if (userns) {
            struct stat st;
            bool same = ::stat(d.path.c_str(), &st) == 0 &&
                        (st.st_mode & S_IFMT) == (op.mode & S_IFMT) && st.st_rdev == op.dev;
            if (!same)
                throw Error(Errc::permission,
                            "devices[" + std::to_string(i) + "]: a user namespace cannot create " +
                                "device nodes (mknod), and the host has no " + d.type + " " +
                                std::to_string(d.major) + ":" + std::to_string(d.minor) + " at " +
                                d.path + " to bind-mount instead");
            op.host_path = d.path;
        }
        ops.push_back(std::move(op));
    }
    return ops;
}

}  // namespace ct::linux_native
