// libct_container_switch: the calling process joins a running container's namespaces and
// root, as setns(2) allows for a process on the same machine. TASKLESS containers keep their
// namespaces open here after their init has gone.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "internal.hpp"

using namespace ct::capi;

namespace {

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

std::string sys_error(const std::string &what) {
    return what + ": " + std::strerror(errno);
}

// The namespaces of `pid` that differ from the caller's, and its root.
void open_namespaces(int64_t pid, HeldNamespaces &out) {
    std::string base = "/proc/" + std::to_string(pid);
    for (const auto &[type, name] : kNamespaces) {
        std::string path = base + "/ns/" + name;
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT && ::access(base.c_str(), F_OK) == 0) continue;  // no such ns kind
            int e = errno;
            out.release();
            throw Failure(-e, "open " + path + ": " + std::strerror(e));
        }
        if (same_file(fd, std::string("/proc/self/ns/") + name)) {
            ::close(fd);
            continue;
        }
        out.ns.emplace_back(fd, type);
    }
    out.root = ::open((base + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (out.root < 0) {
        int e = errno;
        out.release();
        throw Failure(-e, "open " + base + "/root: " + std::strerror(e));
    }
}

void join(const HeldNamespaces &h, const std::string &name) {
    for (const auto &[fd, type] : h.ns) {
        if (::setns(fd, type) != 0) {
            int e = errno;
            std::string hint = e == EINVAL && (type == CLONE_NEWNS || type == CLONE_NEWUSER)
                                   ? " (a multi-threaded process cannot join a mount or user "
                                     "namespace)"
                                   : "";
            errno = e;
            throw Failure(-e, sys_error("switch into container '" + name + "': setns") + hint);
        }
        if (type == CLONE_NEWUSER) {
            // Be the container's root, as its own processes see it (what nsenter does).
            if (::syscall(SYS_setresgid, 0, 0, 0) != 0 || ::syscall(SYS_setresuid, 0, 0, 0) != 0)
                throw Failure(-errno, sys_error("switch into container '" + name +
                                                "': become root of its user namespace"));
        }
    }
    if (::fchdir(h.root) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0)
        throw Failure(-errno, sys_error("switch into container '" + name + "': enter its root"));
}

}  // namespace

namespace ct::capi {

void HeldNamespaces::hold(int64_t pid) {
    release();
    open_namespaces(pid, *this);
}

void HeldNamespaces::release() {
    for (const auto &[fd, type] : ns) ::close(fd);
    ns.clear();
    if (root >= 0) ::close(root);
    root = -1;
}

}  // namespace ct::capi

extern "C" int libct_container_switch(ct_handler_t ct) {
    return guard([&] {
        auto l = lock(ct);
        if (!ct->s->local)
            throw Failure(-LCTERR_OPNOTSUPP, "container '" + ct->name +
                                                 "': switching into a container needs it on "
                                                 "this machine (backend linux), not backend " +
                                                 ct->s->session.backend().name);
        if (ct->held.active()) {
            join(ct->held, ct->name);
            return 0;
        }
        if (ct->backend_state() != ct::State::running)
            throw Failure(-LCTERR_BADCTSTATE, "container '" + ct->name + "' is not running");
        HeldNamespaces ns;
        open_namespaces(ct->ct->info().pid, ns);
        try {
            join(ns, ct->name);
        } catch (...) {
            ns.release();
            throw;
        }
        ns.release();
        return 0;
    });
}
