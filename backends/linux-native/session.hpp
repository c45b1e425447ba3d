// A linux-native backend session: one state root and cgroup parent, and the processes this
// session started (its children, waited for directly).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "cgroup_layout.hpp"
#include "ct/driver.h"
#include "ct/info.hpp"
#include "fd.hpp"
#include "launch.hpp"
#include "state.hpp"

namespace ct::linux_native {

struct SessionOptions {
    std::string state_root;     // ?root=DIR
    std::string cgroup_parent;  // ?cgroup_parent=NAME (relative to each hierarchy root)
};

// Parses "linux:///?root=/run/ct&cgroup_parent=ct". Throws invalid_argument on anything else.
SessionOptions parse_session_uri(const std::string &uri);

class LinuxSession {
public:
    explicit LinuxSession(const std::string &uri);

    void create(const std::string &spec_doc);
    std::string list();
    std::string info(const std::string &name);
    int64_t start(const std::string &name, const ct_proc_args &args);
    int wait(const std::string &name, int64_t pid, int64_t timeout_ms);
    void kill(const std::string &name, int64_t pid, int sig, uint32_t flags);
    void destroy(const std::string &name, uint32_t flags);
    // CRIU (criu/checkpoint.cpp, criu/restore.cpp); options are the JSON documents of
    // docs/driver-abi.md.
    void checkpoint(const std::string &name, const std::string &opts_doc);
    void restore(const std::string &name, const std::string &opts_doc);

private:
    struct Child {
        std::string name;
        Fd pidfd;
    };

    ContainerInfo describe(const std::string &name, StateStore::Entry &e) const;
    // Live state: a "running" record whose init is gone becomes "stopped".
    State current_state(const StateStore::Entry &e) const;
    std::optional<int> known_exit(const StateStore::Entry &e) const;
    // Waits for init of `e` to exit; returns its wait status if known.
    std::optional<int> wait_init(const std::string &name, const ContainerState &st,
                                 int64_t timeout_ms);
    // Runs `spawn` (which makes init a child of its caller) in a monitor process that reaps
    // init and records its exit status in the state directory.
    int64_t start_detached(StateStore::Entry &e, const std::function<Launched()> &spawn);

    SessionOptions opts_;
    StateStore store_;
    CgroupLayout layout_;
    std::mutex mu_;
    std::map<int64_t, Child> children_;  // pid -> child started by this session
};

}  // namespace ct::linux_native
