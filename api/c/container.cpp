// Container handles: state, namespaces, sysctls, hostname, options, console.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "internal.hpp"

using namespace ct::capi;

namespace ct::capi {

std::unique_lock<std::mutex> lock(ct_handler *h) {
    need(h, "container");
    return std::unique_lock(h->mu);
}

namespace {

const unsigned long kKnownNamespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
                                       CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWCGROUP;

const char *ns_file(unsigned long flag) {
    switch (flag) {
        case CLONE_NEWNS:
            return "mnt";
        case CLONE_NEWUTS:
            return "uts";
        case CLONE_NEWIPC:
            return "ipc";
        case CLONE_NEWNET:
            return "net";
        case CLONE_NEWPID:
            return "pid";
        case CLONE_NEWUSER:
            return "user";
        case CLONE_NEWCGROUP:
            return "cgroup";
    }
    return nullptr;
}

// What only a mount namespace of the container's own can hold.
bool has_mounts(const ct_handler *ct) {
    return !ct->spec.mounts.empty() || !ct->spec.devices.empty() || ct->cgroup_submount;
}

}  // namespace

}  // namespace ct::capi

ct_handler::~ct_handler() {
    if (console_fd >= 0) ::close(console_fd);
    held.release();
}

ct::State ct_handler::backend_state() {
    if (held.active()) return ct::State::running;
    if (!ct) return ct::State::stopped;
    try {
        return ct->state();
    } catch (const ct::Error &e) {
        if (e.code() != ct::Errc::not_found) throw;
        ct.reset();  // destroyed behind our back: start afresh
        return ct::State::stopped;
    }
}

void ct_handler::require_stopped() {
    auto st = backend_state();
    if (st == ct::State::running || st == ct::State::paused)
        throw Failure(-LCTERR_BADCTSTATE, "container '" + name + "' is " + ct::state_name(st) +
                                              ": its settings can only change while it is "
                                              "stopped");
}

extern "C" {

enum ct_state libct_container_state(ct_handler_t ct) {
    if (bad_handle(ct)) return CT_ERROR;
    enum ct_state out = CT_ERROR;
    guard([&] {
        auto l = lock(ct);
        switch (ct->backend_state()) {
            case ct::State::running:
                out = CT_RUNNING;
                break;
            case ct::State::paused:
                out = CT_PAUSED;
                break;
            case ct::State::created:
            case ct::State::stopped:
            case ct::State::incomplete:  // nothing runs; destroy removes it
                out = CT_STOPPED;
                break;
        }
        return 0;
    });
    return out;
}

int libct_container_set_nsmask(ct_handler_t ct, unsigned long mask) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        // -LCTERR_NONS, as the old library answered any flag outside the namespaces it knew.
        if (mask & ~kKnownNamespaces)
            throw Failure(
                -LCTERR_NONS, "namespace mask 0x" + [&] {
                    char b[32];
                    std::snprintf(b, sizeof b, "%lx", mask & ~kKnownNamespaces);
                    return std::string(b);
                }() + " has flags that are not namespaces");
        // What this kernel lacks can only be known for a backend on this machine.
        if (ct->s->local)
            for (unsigned long f = 1; f; f <<= 1)
                if ((mask & f) &&
                    ::access(("/proc/self/ns/" + std::string(ns_file(f))).c_str(), F_OK) != 0)
                    throw Failure(-LCTERR_NONS,
                                  std::string("this kernel has no ") + ns_file(f) + " namespace");
        // Mounts recorded need the mount namespace they were accepted with (libct_fs_*).
        if (!(mask & CLONE_NEWNS) && has_mounts(ct))
            throw Failure(-LCTERR_INVARG,
                          "libct_container_set_nsmask: container '" + ct->name +
                              "' has mounts or device nodes, which need CLONE_NEWNS in the mask "
                              "(without it they would be made in the host's mount namespace)");
        ct->nsmask = mask;
        return 0;
    });
}

int libct_container_set_nspath(ct_handler_t ct, int ns, const char *path) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        std::string p = need_str(path, "libct_container_set_nspath: path");
        auto f = static_cast<unsigned long>(ns);
        if (!ns_file(f))
            throw Failure(-LCTERR_INVARG, "libct_container_set_nspath: " + std::to_string(ns) +
                                              " is not one CLONE_NEW* flag");
        if (f == CLONE_NEWNS && has_mounts(ct))
            throw Failure(-LCTERR_INVARG,
                          "libct_container_set_nspath: container '" + ct->name +
                              "' has mounts or device nodes, which need a new mount namespace "
                              "of its own, not an existing one");
        ct->nspaths[ns] = p;
        return 0;
    });
}

int libct_container_set_sysctl(ct_handler_t ct, const char *name, const char *val) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        std::string n = need_str(name, "libct_container_set_sysctl: name");
        std::string v = need_str(val, "libct_container_set_sysctl: value");
        for (auto &c : n)
            if (c == '/') c = '.';  // net/ipv4/ip_forward, as under /proc/sys
        ct->spec.sysctl[n] = v;
        return 0;
    });
}

int libct_container_uname(ct_handler_t ct, const char *host, const char *domain) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        if (!(ct->nsmask & CLONE_NEWUTS))
            throw Failure(-LCTERR_NONS, "container '" + ct->name +
                                            "': a host or domain name needs CLONE_NEWUTS in "
                                            "the namespace mask");
        if (host) ct->spec.hostname = host;
        if (domain) ct->spec.sysctl["kernel.domainname"] = domain;
        return 0;
    });
}

int libct_container_set_option(ct_handler_t ct, int opt, void *arg) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        switch (opt) {
            case LIBCT_OPT_AUTO_PROC_MOUNT:
                ct->opt_proc = true;
                break;
            case LIBCT_OPT_CGROUP_SUBMOUNT:
                if (!(ct->nsmask & CLONE_NEWNS) || ct->nspaths.count(CLONE_NEWNS))
                    throw Failure(-LCTERR_NONS,
                                  "libct_container_set_option(LIBCT_OPT_CGROUP_SUBMOUNT): "
                                  "container '" +
                                      ct->name +
                                      "' has no mount namespace of its own (set CLONE_NEWNS "
                                      "with libct_container_set_nsmask first)");
                ct->cgroup_submount = arg ? static_cast<const char *>(arg) : "/sys/fs/cgroup";
                if (ct->cgroup_submount->empty() || (*ct->cgroup_submount)[0] != '/')
                    ct->cgroup_submount = "/" + *ct->cgroup_submount;
                break;
            case LIBCT_OPT_KILLABLE:
                ct->opt_killable = true;
                break;
            case LIBCT_OPT_NOSETSID:
                ct->opt_nosetsid = true;
                break;
            case LIBCT_OPT_SYSTEMD:
                throw Failure(-LCTERR_OPNOTSUPP,
                              "container '" + ct->name +
                                  "': LIBCT_OPT_SYSTEMD (registering with systemd-machined) "
                                  "is not supported");
            case LIBCT_OPT_TASKLESS: {
                const auto &ops = ct->s->session.backend().operations;
                if (std::find(ops.begin(), ops.end(), "hold") == ops.end())
                    throw Failure(-LCTERR_OPNOTSUPP,
                                  "container '" + ct->name +
                                      "': LIBCT_OPT_TASKLESS needs a backend that holds a "
                                      "container's namespaces (operation 'hold'), which "
                                      "backend " +
                                      ct->s->session.backend().name + " does not have");
            }
                ct->opt_taskless = true;
                break;
            default:
                throw Failure(-LCTERR_BADTYPE, "container '" + ct->name + "': unknown option " +
                                                   std::to_string(opt));
        }
        return 0;
    });
}

int libct_container_set_console_fd(ct_handler_t ct, int tty_fd) {
    return guard([&] {
        auto l = lock(ct);
        ct->require_stopped();
        if (!ct->s->local)
            throw Failure(-LCTERR_OPNOTSUPP, "container '" + ct->name +
                                                 "': a terminal of this process cannot be the "
                                                 "console of a container of backend " +
                                                 ct->s->session.backend().name);
        if (!::isatty(tty_fd))
            throw Failure(-LCTERR_INVARG, "container '" + ct->name + "': console fd " +
                                              std::to_string(tty_fd) + " is not a terminal");
        int fd = ::fcntl(tty_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) return -errno;
        if (ct->console_fd >= 0) ::close(ct->console_fd);
        ct->console_fd = fd;
        return 0;
    });
}

}  // extern "C"
