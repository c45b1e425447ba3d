// Finishing or undoing what a crashed process left half-done (session/state.hpp has the
// write-ahead discipline that makes it possible; docs/architecture.md, "Crash consistency").
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "cgroups/cgroups.hpp"
#include "cgroups/freezer.hpp"
#include "cgroups/placement.hpp"
#include "criu/options.hpp"
#include "ct/backend/fault.hpp"
#include "monitor/process.hpp"
#include "net/network.hpp"
#include "security/confine.hpp"
#include "session/session.hpp"
#include "support.hpp"

namespace ct::linux_native {

void LinuxSession::note_starting(StateStore::Entry &e, pid_t child) {
    e.state.starting_pid = child;
    e.state.starting_pid_start = process_start_time(child);
    e.save();
    fault_point("start: child noted");
}

void LinuxSession::kill_unrecorded_start(StateStore::Entry &e) {
    if (!e.state.starting_pid) return;
    if (Fd p = open_pidfd(static_cast<pid_t>(e.state.starting_pid), e.state.starting_pid_start)) {
        send_signal(p.get(), SIGKILL);
        wait_exit(p.get(), 10000);
    }
    e.state.starting_pid = 0;
    e.state.starting_pid_start = 0;
}

void LinuxSession::back_from_starting(StateStore::Entry &e) {
    e.state.status = e.state.previous.empty() ? "created" : e.state.previous;
    e.state.previous.clear();
    e.state.starting_pid = 0;
    e.state.starting_pid_start = 0;
    try {
        e.save();
    } catch (const Error &) {
        // Left "starting": the next start or destroy undoes it again, which is harmless.
    }
}

void LinuxSession::undo_start(StateStore::Entry &e, const std::string &name) {
    ContainerCgroups cg(e.state.cgroups);
    if (!e.state.cgroups.empty()) {
        // A v1 freezer holds even SIGKILL: a container frozen before the start stays frozen.
        Freezer(e.state.cgroups).thaw();
        // Each one waited for until it has exited, not only until it left the cgroup: a
        // start made while the interrupted run's init is still dying lost its own init to it.
        std::vector<Fd> dying;
        for (long pid : cg.pids())
            if (Fd p = open_pidfd(static_cast<pid_t>(pid), process_start_time(pid)))
                dying.push_back(std::move(p));
        cg.kill_all(SIGKILL);
        for (const auto &p : dying) wait_exit(p.get(), 10000);
        for (int i = 0; !cg.empty(); ++i) {
            if (i % 100 == 0) cg.kill_all(SIGKILL);
            if (i > 1000)
                throw Error(Errc::backend, "undo the interrupted start of container '" + name +
                                               "': its processes are still there after 10 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(i < 20 ? 1 : 10));
        }
    }
    kill_unrecorded_start(e);  // no cgroup: the child noted before it ran
    // A killed restore's bind of the root; not a mount point (EINVAL) or gone (ENOENT): none.
    std::string root_bind = criu::root_bind_dir(e.dir());
    if (::umount2(root_bind.c_str(), MNT_DETACH) == 0 || errno == EINVAL)
        ::rmdir(root_bind.c_str());
    net::Network(e.state.spec.network).release(e.dir());
    if (e.state.previous == "paused") e.state.previous = "stopped";
    back_from_starting(e);
}

ContainerCgroups::Paths LinuxSession::planned_cgroups(const Spec &spec) const {
    try {
        auto [parent, name] = cgroup_placement(spec, opts_.cgroup_parent);
        return cgroups_->plan(parent, name, spec.resources, spec.cgroups, may_mount_cgroups(spec))
            .paths();
    } catch (const Error &) {
        return {};  // e.g. a controller the spec asked for is gone: nothing of it to remove
    }
}

ContainerCgroups::Paths LinuxSession::orphan_cgroups(const std::string &name) const {
    ContainerCgroups::Paths found;
    // Right under a hierarchy's root (ct-oci's, the C API's placement), a cgroup of that name
    // may be anyone's (a service's, another runtime's container): never taken for ours.
    if (opts_.cgroup_parent.empty()) return found;  // "/" in the URI
    try {
        ContainerCgroups planned = cgroups_->plan(opts_.cgroup_parent, name, Resources{}, {}, true);
        for (const auto &[key, path] : planned.paths())
            if (::access(path.c_str(), F_OK) == 0) found.emplace(key, path);
    } catch (const Error &) {
        // not a name a cgroup can have
    }
    return found;
}

bool LinuxSession::remove_orphan_cgroups(const std::string &name) const {
    ContainerCgroups::Paths found = orphan_cgroups(name);
    if (found.empty()) return false;
    ContainerCgroups cg(found);
    if (!cg.empty())
        throw Error(Errc::bad_state,
                    "no container named '" + name + "' in this state root, but its cgroups (" +
                        found.begin()->second +
                        ", ...) hold processes (another session's with the same cgroup_parent?): "
                        "left as it is");
    if (std::string errors = cg.remove(); !errors.empty())
        throw Error(Errc::backend,
                    "remove the cgroups left by container '" + name + "': " + errors);
    return true;
}

}  // namespace ct::linux_native
