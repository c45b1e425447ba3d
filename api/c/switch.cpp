// libct_container_switch: the calling process joins a running container's namespaces and
// root, through the backend (its join slot: only a backend whose containers are on this
// machine has it). TASKLESS containers: the backend's session holds their namespaces after
// their init has gone (hold).
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "internal.hpp"

using namespace ct::capi;

namespace ct::capi {

void HeldNamespaces::hold(ct::Container &c) {
    release();
    c.hold_namespaces();
    by = c;
}

void HeldNamespaces::release() {
    if (!by) return;
    try {
        by->hold_namespaces(false);
    } catch (const ct::Error &) {
        // The session lets go of them when it closes anyway.
    }
    by.reset();
}

namespace {

// Joined back in this order: the mount namespace last, as it changes the view of the paths.
const std::pair<const char *, int> kHomeNs[] = {
    {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS}};

// Fds of the host's namespaces (kHomeNs order), user namespace, root and working directory,
// opened before the process's first switch: a switched process reaches the host's paths
// (the state root, the cgroup trees) through them. Process-wide, as the switch is.
struct Home {
    std::mutex mu;
    bool saved = false;
    int ns[3] = {-1, -1, -1};
    int user = -1, root = -1, cwd = -1;
};

Home &home() {
    static Home h;
    return h;
}

int open_ns(int dirfd, const char *rel) {
    return ::openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
}

ino_t ino_of(int fd) {
    struct stat st;
    return fd >= 0 && ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

void enter(int ns_fd, int type, const std::string &why, const char *where) {
    if (::setns(ns_fd, type) != 0)
        throw Failure(-errno,
                      why + ": go back into " + where + " (setns): " + std::strerror(errno));
}

void enter_root(int root, int cwd, const std::string &why, const char *where) {
    if (::fchdir(root) != 0 || ::chroot(".") != 0 || ::fchdir(cwd) != 0)
        throw Failure(-errno, why + ": go back to the root of " + std::string(where) + ": " +
                                  std::strerror(errno));
}

}  // namespace

void remember_home() {
    Home &h = home();
    std::lock_guard l(h.mu);
    if (h.saved) return;
    for (size_t i = 0; i < 3; ++i) {
        h.ns[i] =
            open_ns(AT_FDCWD, (std::string("/proc/thread-self/ns/") + kHomeNs[i].first).c_str());
        if (h.ns[i] < 0)
            throw Failure(-errno, std::string("open this process's ") + kHomeNs[i].first +
                                      " namespace before switching");
    }
    h.user = open_ns(AT_FDCWD, "/proc/thread-self/ns/user");
    h.root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    h.cwd = ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (h.user < 0 || h.root < 0 || h.cwd < 0)
        throw Failure(-errno, "open this process's root before switching");
    h.saved = true;
}

AtHome::AtHome(const std::string &why) {
    Home &h = home();
    std::lock_guard l(h.mu);
    if (!h.saved) return;
    // Where the process is now, opened through the host's /proc (the container may have none).
    int self_user = open_ns(h.root, "proc/thread-self/ns/user");
    bool same_user = ino_of(self_user) == ino_of(h.user);
    if (self_user >= 0) ::close(self_user);
    if (!same_user)
        throw Failure(-LCTERR_OPNOTSUPP,
                      why +
                          ": this process switched into a container's user namespace, which "
                          "leaves it no rights over the host's namespaces, where the "
                          "container's state and cgroups are; call it from a process that has "
                          "not switched");
    auto close_back = [&] {
        for (int fd : back_)
            if (fd >= 0) ::close(fd);
        back_.clear();
    };
    for (const auto &[name, type] : kHomeNs) {
        back_.push_back(open_ns(h.root, (std::string("proc/thread-self/ns/") + name).c_str()));
        if (back_.back() < 0) {
            int e = errno;
            close_back();
            throw Failure(-e, why + ": open the container's " + name + " namespace");
        }
    }
    back_.push_back(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    back_.push_back(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (back_[3] < 0 || back_[4] < 0) {
        int e = errno;
        close_back();
        throw Failure(-e, why + ": open the container's root");
    }
    try {
        for (size_t i = 0; i < 3; ++i)
            enter(h.ns[i], kHomeNs[i].second, why, "the host's namespaces");
        enter_root(h.root, h.cwd, why, "the host");
    } catch (...) {
        for (size_t i = 0; i < 3; ++i) ::setns(back_[i], kHomeNs[i].second);
        if (::fchdir(back_[3]) == 0 && ::chroot(".") == 0) ::fchdir(back_[4]);
        close_back();
        throw;
    }
}

AtHome::~AtHome() {
    if (back_.empty()) return;
    // Back into the container, as the caller switched: best effort (a destructor), logged.
    try {
        for (size_t i = 0; i < 3; ++i)
            enter(back_[i], kHomeNs[i].second, "return into the container", "its namespaces");
        enter_root(back_[3], back_[4], "return into the container", "the container");
    } catch (const Failure &f) {
        log(LOG_ERROR, f.what());
    }
    for (int fd : back_) ::close(fd);
}

}  // namespace ct::capi

extern "C" int libct_container_switch(ct_handler_t ct) {
    return guard([&] {
        auto l = lock(ct);
        const auto &ops = ct->s->session.backend().operations;
        if (std::find(ops.begin(), ops.end(), "join") == ops.end())
            throw Failure(-LCTERR_OPNOTSUPP, "container '" + ct->name +
                                                 "': switching into a container needs it on "
                                                 "this machine (operation 'join'), which backend " +
                                                 ct->s->session.backend().name + " does not have");
        remember_home();
        if (ct->held.active()) {
            ct->held.by->join();
            return 0;
        }
        if (ct->backend_state() != ct::State::running)
            throw Failure(-LCTERR_BADCTSTATE, "container '" + ct->name + "' is not running");
        ct->ct->join();
        return 0;
    });
}
