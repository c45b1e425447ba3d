// What a caller on this machine can do with a container beyond its life cycle: read and write
// files of its own cgroups, keep its namespaces, and move itself into them (the libct C API's
// controller_* calls, TASKLESS containers and libct_container_switch).
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "session/session.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

std::string q(const std::string &name) {
    return "'" + name + "'";
}

// User first: the container's other namespaces may belong to it.
const std::pair<int, const char *> kNamespaces[] = {
    {CLONE_NEWUSER, "user"},    {CLONE_NEWNS, "mnt"},  {CLONE_NEWUTS, "uts"},
    {CLONE_NEWIPC, "ipc"},      {CLONE_NEWNET, "net"}, {CLONE_NEWPID, "pid"},
    {CLONE_NEWCGROUP, "cgroup"}};

bool same_file(int fd, const std::string &path) {
    struct stat a, b;
    return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

// The file `file` of the container's cgroup directory of `controller`, checked to be a plain
// name of that directory.
std::string cgroup_file(const StateStore::Entry &e, const std::string &name,
                        const std::string &controller, const std::string &file, bool unified) {
    if (file.empty() || file.size() > 255 || file[0] == '.' ||
        file.find('/') != std::string::npos || file.find('\0') != std::string::npos)
        throw Error(Errc::invalid_argument, "'" + file + "' is not a cgroup file name");
    auto it = e.state.cgroups.find(controller);
    // A cgroup-v2 host has one directory for every controller.
    if (it == e.state.cgroups.end() && unified) it = e.state.cgroups.find("unified");
    if (it == e.state.cgroups.end())
        throw Error(
            Errc::not_found, "container " + q(name) + " has no '" + controller +
                                 "' cgroup (it has " +
                                 [&] {
                                     std::string keys;
                                     for (const auto &[k, p] : e.state.cgroups)
                                         keys += (keys.empty() ? "" : ", ") + k;
                                     return keys.empty() ? std::string("none") : keys;
                                 }() +
                                 ")");
    return it->second + "/" + file;
}

}  // namespace

std::string LinuxSession::cgroup_read(const std::string &name, const std::string &controller,
                                      const std::string &file) {
    auto e = store_.open(name, false);
    bool unified = cgroups_->layout().mode == CgroupMode::unified;
    std::string path = cgroup_file(e, name, controller, file, unified), out;
    if (!read_file(path, out)) throw_sys("read " + path, errno);
    return out;
}

void LinuxSession::cgroup_write(const std::string &name, const std::string &controller,
                                const std::string &file, const std::string &value) {
    auto e = store_.open(name, false);
    bool unified = cgroups_->layout().mode == CgroupMode::unified;
    std::string path = cgroup_file(e, name, controller, file, unified);
    if (!write_file(path, value)) {
        int err = errno;
        throw_sys("write '" + value + "' to " + path, err,
                  err == EINVAL || err == ERANGE ? Errc::invalid_argument : Errc::backend);
    }
}

LinuxSession::Held LinuxSession::open_namespaces(const std::string &name) {
    auto e = store_.open(name, false);
    State st = current_state(e);
    if (st != State::running && st != State::paused)
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    std::string base = "/proc/" + std::to_string(e.state.pid);
    Held h;
    for (const auto &[type, ns] : kNamespaces) {
        std::string path = base + "/ns/" + ns;
        Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT && ::access(base.c_str(), F_OK) == 0) continue;  // no such kind
            throw_sys("open " + path, errno);
        }
        if (same_file(fd.get(), std::string("/proc/self/ns/") + ns)) continue;
        h.ns.emplace_back(std::move(fd), type);
    }
    h.root.reset(::open((base + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!h.root) throw_sys("open " + base + "/root", errno);
    // Opened by pid: if init died and its pid was reused meanwhile, they are someone else's.
    if (!process_alive(e.state.pid, e.state.pid_start))
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    return h;
}

void LinuxSession::hold(const std::string &name, uint32_t flags) {
    if (flags & CT_HOLD_RELEASE) {
        std::lock_guard lock(mu_);
        held_.erase(name);
        return;
    }
    Held h = open_namespaces(name);
    std::lock_guard lock(mu_);
    held_[name] = std::move(h);
}

void LinuxSession::join(const std::string &name) {
    Held own;
    const Held *h = nullptr;
    {
        std::lock_guard lock(mu_);
        if (auto it = held_.find(name); it != held_.end()) {
            // Dup'ed: the held ones stay for a later join.
            for (const auto &[fd, type] : it->second.ns)
                own.ns.emplace_back(Fd(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0)), type);
            own.root.reset(::fcntl(it->second.root.get(), F_DUPFD_CLOEXEC, 0));
            h = &own;
        }
    }
    if (!h) {
        own = open_namespaces(name);
        h = &own;
    }
    for (const auto &[fd, type] : h->ns) {
        if (::setns(fd.get(), type) != 0) {
            int e = errno;
            throw_sys("join container " + q(name) + " (setns)" +
                          (e == EINVAL && (type == CLONE_NEWNS || type == CLONE_NEWUSER)
                               ? std::string(": a multi-threaded process cannot join a mount or "
                                             "user namespace")
                               : std::string()),
                      e);
        }
        if (type == CLONE_NEWUSER &&
            (::syscall(SYS_setresgid, 0, 0, 0) != 0 || ::syscall(SYS_setresuid, 0, 0, 0) != 0))
            throw_sys("join container " + q(name) + ": become root of its user namespace", errno);
    }
    if (::fchdir(h->root.get()) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0)
        throw_sys("join container " + q(name) + ": enter its root", errno);
}

}  // namespace ct::linux_native
