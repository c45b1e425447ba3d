// A linux-native backend session: one state root and cgroup parent, and the processes this
// session started (its children, waited for directly).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "cgroups/manager.hpp"
#include "ct/driver.h"
#include "ct/info.hpp"
#include "launch/launch.hpp"
#include "security/devices.hpp"
#include "security/seccomp.hpp"
#include "session/state.hpp"
#include "support.hpp"

namespace ct::linux_native {

struct SessionOptions {
    std::string state_root;     // ?root=DIR
    std::string cgroup_parent;  // ?cgroup_parent=NAME (relative to each hierarchy root)
};

// Parses "linux:///?root=/run/ct&cgroup_parent=ct". Throws invalid_argument on anything else.
SessionOptions parse_session_uri(const std::string &uri);

// What this backend does not do (yet): refused up front with Errc::unsupported.
void check_supported(const Spec &spec);

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

    // Running containers (session_run.cpp).
    int64_t exec(const std::string &name, const ct_proc_args &args);
    void pause(const std::string &name);
    void resume(const std::string &name);
    void update(const std::string &name, const std::string &resources_doc);
    std::string stats(const std::string &name);
    std::string processes(const std::string &name);

    // On this machine only (session/host_access.cpp): files of the container's cgroups, its
    // namespaces held, the caller moved into them.
    std::string cgroup_read(const std::string &name, const std::string &controller,
                            const std::string &file);
    void cgroup_write(const std::string &name, const std::string &controller,
                      const std::string &file, const std::string &value);
    void hold(const std::string &name, uint32_t flags);
    void join(const std::string &name);

  private:
    struct Child {
        std::string name;
        Fd pidfd;
        bool exec = false;          // exec'd, not init
        std::optional<int> status;  // reaped early (see wait_init_exit), not yet collected
    };

    ContainerInfo describe(const std::string &name, StateStore::Entry &e) const;
    // Live state: a "running" record whose init is gone becomes "stopped".
    State current_state(const StateStore::Entry &e) const;
    std::optional<int> known_exit(const StateStore::Entry &e) const;
    // Waits for init of `e` to exit; returns its wait status if known.
    std::optional<int> wait_init(const std::string &name, const ContainerState &st,
                                 int64_t timeout_ms);
    int64_t start_detached(StateStore::Entry &e, LaunchPlan &plan, const AfterClone &after_clone);
    // Start and restore share these: a child left from the container's previous run is reaped;
    // the started init recorded (state saved, the child kept), or killed if that fails.
    void reap_previous_run(const std::string &name, int64_t pid);
    void record_running(StateStore::Entry &e, const std::string &name, int64_t pid, Fd pidfd,
                        const char *status = "running");
    // Starts the command of a container whose init waits for it (session/deferred.cpp).
    int64_t start_deferred(StateStore::Entry &e, const std::string &name);
    // Crash recovery (session/recovery.cpp). A start whose process died mid-way is undone: the
    // processes in the container's cgroups killed, its network given back, its status back to
    // what it was before. back_from_starting() only restores the status (a failed start).
    void undo_start(StateStore::Entry &e, const std::string &name);
    void back_from_starting(StateStore::Entry &e);
    // A start without cgroups: its child noted (before it runs anything) and, after a crash,
    // killed and waited for.
    static void note_starting(StateStore::Entry &e, pid_t child);
    static void kill_unrecorded_start(StateStore::Entry &e);
    // Where create() puts the cgroups of a container with this spec (for one whose state does
    // not record them: an older libct's crash, or a restore interrupted before it made them).
    ContainerCgroups::Paths planned_cgroups(const Spec &spec) const;
    // A name with no state directory at all (removed by hand) whose cgroups are left under
    // the session's cgroup parent: they would block the name (create: "File exists"). info
    // shows it incomplete; destroy --force removes them, in every hierarchy, if they hold no
    // process (else throws: they are not known to be this container's, another session's with
    // the same cgroup parent may run there). Empty / false: no such cgroups.
    ContainerCgroups::Paths orphan_cgroups(const std::string &name) const;
    bool remove_orphan_cgroups(const std::string &name) const;
    // The cgroups a restore puts the container in: its own, if it exists stopped; else made
    // as create() makes them (their undo in `rb`).
    ContainerCgroups restore_cgroups(std::optional<StateStore::Entry> &e, const std::string &name,
                                     const Spec &spec, int64_t created, Rollback &rb);

    // Processes exec'd into a container (session_run.cpp): wait() and kill() with a pid that
    // is not init's.
    int wait_exec(const std::string &name, int64_t pid, int64_t timeout_ms);
    void kill_exec(const std::string &name, const StateStore::Entry &e, int64_t pid, int sig);
    // Waits up to timeout_ms for init (`pidfd`) of container `name` to exit. Meanwhile reaps
    // this session's exec'd children of it that exit: a pid namespace is only torn down once
    // every process of it is reaped, and they are ours to reap (their status is kept).
    bool wait_init_exit(const std::string &name, int pidfd, int64_t timeout_ms);
    // Reaps every child of this session that belongs to container `name` (destroy).
    void reap_children(const std::string &name);
    // Waits for the monitors of the container's detached execs (they write into its state
    // directory) before it is removed.
    void wait_exec_monitors(const StateStore::Entry &e);

    // Namespaces (and root) of a container held open (hold()).
    struct Held {
        std::vector<std::pair<Fd, int>> ns;  // (fd, CLONE_NEW*), user first
        Fd root;
    };
    Held open_namespaces(const std::string &name);

    SessionOptions opts_;
    StateStore store_;
    std::unique_ptr<CgroupManager> cgroups_;  // chosen once, for this host's hierarchies
    std::mutex mu_;
    std::map<int64_t, Child> children_;  // pid -> child started by this session
    std::map<std::string, Held> held_;   // container -> its namespaces, held
    DeviceProgramCache device_programs_;
    SeccompCache seccomp_;  // compiled profiles, here and in SeccompCache::default_dir()
};

}  // namespace ct::linux_native
