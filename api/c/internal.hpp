// The libct C API's handles and the helpers every C API file shares. The C API is a thin layer
// over the C++ API: settings are recorded in these handles while a container is stopped and
// become a ct::Spec when it is spawned.
#pragma once

// Every function the headers declare is exported from libct.so (built -fvisibility=hidden).
#pragma GCC visibility push(default)
#include <libct-log-levels.h>
#include <libct.h>
#pragma GCC visibility pop

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "ct/error.hpp"
#include "ct/session.hpp"

namespace ct::capi {

// A failure the C API itself detects: `code` is what the call returns (-errno or -LCTERR_*).
class Failure : public std::runtime_error {
  public:
    Failure(int code, const std::string &what) : std::runtime_error(what), code_(code) {}
    int code() const noexcept { return code_; }

  private:
    int code_;
};

// The C return value for a C++ API error (-errno when the backend reported one, else the
// LCTERR_* closest to the error's code).
int code_of(const ct::Error &e);

// Writes "libct: <text>" to the log fd when `level` passes (log.cpp).
void log(unsigned level, const std::string &text);

// Runs `body` and turns any exception into a negative return value, logging the message
// (the C API's only channel for it) at LOG_ERROR.
template <class F>
int guard(F &&body) noexcept {
    try {
        return body();
    } catch (const Failure &f) {
        log(LOG_ERROR, f.what());
        return f.code();
    } catch (const ct::Error &e) {
        log(LOG_ERROR, e.what());
        return code_of(e);
    } catch (const std::bad_alloc &) {
        log(LOG_ERROR, "out of memory");
        return -12;  // -ENOMEM
    } catch (const std::exception &e) {
        log(LOG_ERROR, e.what());
        return -LCTERR_INVARG;
    }
}

// The same for calls returning a handle: a failure is encoded in the pointer.
template <class T, class F>
T guard_handle(F &&body) noexcept {
    T out = nullptr;
    int rc = guard([&] {
        out = body();
        return 0;
    });
    return rc ? static_cast<T>(libct_err_to_handle(rc)) : out;
}

// True for NULL and for error-encoded handles: neither may be dereferenced.
inline bool bad_handle(const void *h) {
    return h == nullptr || libct_handle_is_err(const_cast<void *>(h));
}

// Throws -LCTERR_INVARG naming `what` when `h` is not a usable handle.
void need(const void *h, const char *what);
// A required C string argument.
std::string need_str(const char *s, const char *what);

// The caller's environment ("KEY=value" entries only).
std::vector<std::string> caller_env();

// The commands of libct_fs_add_mount_with_actions as hooks of the mount (commands.cpp): the
// path resolved now in the command's PATH (without envp: the caller's environment, as now),
// `dir` entered through /bin/sh. Throws -LCTERR_CANTMOUNT naming `what` when not found.
std::vector<ct::Hook> mount_hooks(const struct libct_cmd *c, const std::string &what);

// A cgroup file write the spec cannot express, queued until the container exists.
struct CgroupKnob {
    int controller;
    std::string param, value;
};

// The namespaces of a TASKLESS container, which the backend's session holds after its init
// has exited (Container::hold_namespaces).
struct HeldNamespaces {
    std::optional<ct::Container> by;
    // Asks the session to hold the namespaces of `c` (its init still alive).
    void hold(ct::Container &c);
    // Lets go of them (best effort: the session lets go at its end anyway).
    void release();
    bool active() const { return by.has_value(); }
};

}  // namespace ct::capi

struct ct_net_route_nh {
    struct ct_handler *ct = nullptr;
    std::string gw, dev;
};

struct ct_net_route {
    struct ct_handler *ct = nullptr;
    std::string dst, dev;
    std::vector<std::unique_ptr<ct_net_route_nh>> nhs;
};

struct ct_net {
    struct ct_handler *ct = nullptr;
    ct::NetInterfaceSpec spec;
    std::unique_ptr<ct_net> peer;  // the host end of a veth, made on demand
    ct_net *owner = nullptr;       // set on a peer: the veth it is the host end of
};

struct ct_handler {
    libct_session *s = nullptr;
    std::string name;
    std::mutex mu;  // one call per handle at a time

    // Settings, recorded while stopped (spawn.cpp turns them into a spec).
    ct::Spec spec;  // rootfs, private area, hostname, maps, mounts, devices, sysctl, resources
    bool root_set = false;
    unsigned long nsmask = 0;
    std::map<int, std::string> nspaths;  // CLONE_NEW* -> namespace file to join
    std::vector<std::unique_ptr<ct_net>> nets;
    std::vector<std::unique_ptr<ct_net_route>> routes;
    std::set<int> controllers;
    std::vector<ct::capi::CgroupKnob> knobs;
    bool opt_proc = false, opt_killable = false, opt_nosetsid = false, opt_taskless = false;
    std::optional<std::string> cgroup_submount;  // LIBCT_OPT_CGROUP_SUBMOUNT's path
    int console_fd = -1;                         // ours (a dup), or -1

    // The backend's container, once spawned (or opened).
    std::optional<ct::Container> ct;
    ct::capi::HeldNamespaces held;  // TASKLESS

    ~ct_handler();
    // Throws -LCTERR_BADCTSTATE unless settings may change (no backend container runs).
    void require_stopped();
    ct::State backend_state();
};

struct libct_session {
    ct::Session session;
    // The backend runs in this process on this machine (it has the LOCAL operations, as
    // linux:/// has): what only such a backend allows (switching into a container, host
    // commands, callbacks, the caller's working directory and terminal) works.
    bool local = false;
    std::mutex mu;
    std::vector<std::unique_ptr<ct_handler>> containers;

    explicit libct_session(ct::Session s) : session(std::move(s)) {}
    ct_handler *add(std::unique_ptr<ct_handler> h);
    // Frees a handle of this session.
    void remove(ct_handler *h);
};

struct ct_process_desc {
    ct::ProcessSpec proc;  // user, groups, rlimits, env
    bool env_set = false;
    std::optional<unsigned long> bset, allcaps;  // libct_process_desc_set_caps masks
    int pdeathsig = 0;
    std::optional<std::vector<int>> fds;
    std::string lsm_label;
};

struct ct_process {
    ct::Container ct;
    int64_t pid = 0;
    bool init = false;
    std::optional<int> status;  // once waited for
};

namespace ct::capi {

// The lock of a container handle, after checking it.
std::unique_lock<std::mutex> lock(ct_handler *h);

// The capability names of a libct_process_desc_set_caps mask (caps.cpp).
std::vector<std::string> cap_names(unsigned long mask);

const char *controller_name(int controller);

// Writes `value` into the container's cgroup file `param` of `controller`, through its
// backend; throws Failure(-LCTERR_CGCONFIG, or -LCTERR_OPNOTSUPP where the backend has none).
void write_cgroup_file(ct::Container &c, int controller, const std::string &param,
                       const std::string &value);

// The host's namespaces and root, as the process had them before its first
// libct_container_switch (switch.cpp). While an AtHome lives, the calling process is back
// there — where the backend's state root, cgroups and host devices are — and returns into the
// container afterwards. Nothing happens for a process that never switched. Throws Failure
// when the way back is closed (a container's user namespace joined: no rights left over the
// host's namespaces).
void remember_home();
class AtHome {
  public:
    explicit AtHome(const std::string &why);
    ~AtHome();
    AtHome(const AtHome &) = delete;
    AtHome &operator=(const AtHome &) = delete;

  private:
    std::vector<int> back_;  // the container's namespaces (net, cgroup, mnt), root and cwd
};

}  // namespace ct::capi
