#include "session/session.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>
#include <thread>

#include "cgroups/cgroups.hpp"
#include "cgroups/freezer.hpp"
#include "cgroups/placement.hpp"
#include "ct/backend/fault.hpp"
#include "ct/internal/document.hpp"
#include "ct/internal/uri.hpp"
#include "fs/area_points.hpp"
#include "launch/deferred.hpp"
#include "launch/exec_plan.hpp"
#include "launch/hooks.hpp"
#include "launch/launch.hpp"
#include "launch/plan.hpp"
#include "monitor/monitor.hpp"
#include "monitor/process.hpp"
#include "net/beside.hpp"
#include "net/netlink.hpp"
#include "net/network.hpp"
#include "security/confine.hpp"
#include "security/devices.hpp"
#include "security/rootless.hpp"
#include "security/userns.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

std::string q(const std::string &name) {
    return "'" + name + "'";
}

std::string default_state_root() {
    // Root of another user namespace (unshare -r) cannot write the host root's directory.
    if (host_root()) return "/run/ct/linux";
    if (const char *x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/')
        return std::string(x) + "/ct/linux";
    // In a directory anyone may write to, a name someone else made first (a symlink, or a
    // directory of theirs) would hand them this user's containers: it must be the user's own.
    std::string dir = "/tmp/ct-" + std::to_string(::geteuid());
    struct stat st {};
    if (::lstat(dir.c_str(), &st) == 0 &&
        (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022)))
        throw Error(Errc::permission, "linux backend: state root " + dir +
                                          " is not a directory of this user's own (uid " +
                                          std::to_string(::geteuid()) +
                                          ", not writable by others): remove it, "
                                          "set XDG_RUNTIME_DIR, or give the URI a root=DIR");
    return dir + "/linux";
}

}  // namespace

// What this backend does not do: refused up front, never silently ignored.
void check_supported(const Spec &s) {
    if (s.openvz)
        throw Error(Errc::unsupported,
                    "openvz: settings for backend openvz are not supported by backend linux");
}

namespace {

// The first spec field that cannot work without the container's own cgroups, or "".
std::string needs_cgroups(const Spec &s) {
    if (s.resources != Resources{}) return "resources";
    if (!s.devices.empty()) return "devices (the device allow-list)";
    if (!s.cgroups.empty()) return "cgroups";
    return "";
}

}  // namespace

SessionOptions parse_session_uri(const std::string &text) {
    SessionOptions o;
    auto bad = [&](const std::string &why) {
        return Error(Errc::invalid_argument, "linux backend: URI '" + text + "': " + why);
    };
    // The shared parser refuses a host without a transport ("use linux+ssh://host/").
    uri::Uri u = uri::parse_uri(text);
    if (u.scheme != "linux") throw bad("scheme must be linux");
    bool parent_set = false;
    for (const auto &item : u.items) {
        const std::string &k = item.key;
        std::string v = item.value;
        // %00 decodes to a NUL, at which every system call would silently cut the path.
        if (v.find('\0') != std::string::npos)
            throw bad("option '" + k + "' contains a NUL byte (%00)");
        if (k == "root") {
            if (v.empty() || v[0] != '/') throw bad("root must be an absolute directory");
            o.state_root = v;
        } else if (k == "cgroup_parent") {
            // "/": right under each hierarchy's root (<hierarchy>/<name>), as libct 1.x did.
            if (v == "/")
                v.clear();
            else if (v.empty() || v.find("..") != std::string::npos || v[0] == '/')
                throw bad("cgroup_parent must be '/' or a relative cgroup path without '..'");
            o.cgroup_parent = v;
            parent_set = true;
        } else {
            throw bad("unknown option '" + k + "' (known: root, cgroup_parent)");
        }
    }
    if (o.state_root.empty()) o.state_root = default_state_root();
    if (!parent_set) o.cgroup_parent = "ct";
    return o;
}

LinuxSession::LinuxSession(const std::string &uri)
    : opts_(parse_session_uri(uri)),
      store_(opts_.state_root),
      cgroups_(CgroupManager::for_host(CgroupLayout::detect())),
      seccomp_(SeccompCache::default_dir()) {}

std::optional<int> LinuxSession::known_exit(const StateStore::Entry &e) const {
    if (e.state.exit_wstatus) return e.state.exit_wstatus;
    return e.read_exit_file(e.state.pid);
}

State LinuxSession::current_state(const StateStore::Entry &e) const {
    const auto &st = e.state;
    if (e.interrupted()) return State::incomplete;
    // A deferred start's init waits in state created; once it is gone, the container stopped.
    if (st.status == "created")
        return st.pid && !process_alive(st.pid, st.pid_start) ? State::stopped : State::created;
    // Frozen while the state says running: a pause or checkpoint was killed before it saved or
    // thawed. The kernel's word goes: paused, which resume undoes (exec would hang in it).
    if (st.status == "running" && process_alive(st.pid, st.pid_start))
        return Freezer(st.cgroups).asked() ? State::paused : State::running;
    if (st.status == "paused" && process_alive(st.pid, st.pid_start)) return State::paused;
    return State::stopped;
}

ContainerInfo LinuxSession::describe(const std::string &name, StateStore::Entry &e) const {
    ContainerInfo i;
    i.name = name;
    i.backend = "linux";
    i.state = current_state(e);
    i.pid = i.state != State::stopped && i.state != State::incomplete ? e.state.pid : 0;
    i.created = e.state.created;
    if (i.state == State::stopped)
        if (auto x = known_exit(e)) i.exit_status = ExitStatus::from_wait_status(*x);
    i.spec = e.state.spec;
    i.details["state_dir"] = e.dir();
    if (auto why = e.incomplete(); !why.empty()) i.details["incomplete"] = why;
    if (e.state.updating)
        i.details["updating"] =
            "an update was interrupted: the cgroups may still hold some of the earlier limits "
            "(the next update or start writes the spec's again)";
    i.details["cgroup_mode"] = cgroups_->layout().mode_name();
    i.details["cgroup_manager"] = cgroups_->name();
    for (const auto &[k, p] : e.state.cgroups) i.details["cgroup." + k] = p;
    for (const auto &[k, v] : net::Network(e.state.spec.network).details(e.dir())) i.details[k] = v;
    for (const auto &[k, v] : confinement_details(e.state.spec)) i.details[k] = v;
    return i;
}

void LinuxSession::create(const std::string &spec_doc) {
    Spec spec = doc::decode_spec(spec_doc);
    resolve_caller_defaults(spec);  // a non-root caller's user namespace and maps
    validate(spec);
    check_supported(spec);
    check_host(spec);
    check_confinement(spec, seccomp_);
    net::Network(spec.network).check_host();
    // Planned before anything is made, so a missing controller fails with nothing to undo.
    // A named hierarchy may have been mounted since the session opened: look again; one
    // mounted nowhere is mounted now (the spec asks to be tracked in it).
    std::unique_ptr<CgroupManager> fresh;
    const CgroupManager *manager = cgroups_.get();
    for (const auto &h : spec.cgroups)
        if (!manager->layout().v1.count(h) && h.rfind("name=", 0) == 0) {
            fresh = CgroupManager::for_host(CgroupLayout::detect());
            manager = fresh.get();
            if (!manager->layout().v1.count(h)) {
                mount_named_hierarchy(h);
                fresh = CgroupManager::for_host(CgroupLayout::detect());
                manager = fresh.get();
            }
        }
    auto [cg_parent, cg_name] = cgroup_placement(spec, opts_.cgroup_parent);
    ContainerCgroups cg =
        manager->plan(cg_parent, cg_name, spec.resources, spec.cgroups, may_mount_cgroups(spec));

    // Written ahead: a crash from here on leaves a directory whose state names the cgroups
    // that may exist, for destroy to remove.
    ContainerState initial = StateStore::creating();
    initial.spec = spec;
    initial.created = static_cast<int64_t>(std::time(nullptr));
    initial.cgroups = cg.paths();
    auto entry = store_.create(spec.name, std::move(initial));
    Rollback rb;
    rb.add([&] { store_.remove(spec.name); });
    fault_point("create: cgroups planned");
    try {
        manager->create(cg, cg_parent);
    } catch (const Error &ex) {
        // An unprivileged caller without a delegated cgroup runs its containers without one,
        // as long as nothing in the spec needs it.
        if (ex.code() != Errc::permission || host_root()) throw;
        if (auto need = needs_cgroups(spec); !need.empty())
            throw Error(Errc::permission,
                        need + " needs cgroups, and this user (uid " + std::to_string(::geteuid()) +
                            ") cannot create them: " + ex.what() +
                            " (run as root, or delegate a cgroup to the user)",
                        ex.sys_errno());
        cg = ContainerCgroups();
    }
    rb.add([&] { cg.remove(); });
    fault_point("create: cgroups made");
    manager->apply(cg, spec.resources);
    // The kernel takes device rules (v1 devices.deny, a cgroup BPF program) only with
    // CAP_SYS_ADMIN. A caller without it — a user in a delegated cgroup — reaches only the
    // devices its own permissions allow, and its container, in a user namespace, can make
    // none: as with rootless Podman, no allow-list unless the spec asks for one.
    if (caller_has_cap(CAP_SYS_ADMIN) || !spec.devices.empty() || !spec.resources.devices.empty())
        apply_device_policy(cg, spec, &device_programs_);
    fault_point("create: limits applied");

    entry.state.status = "created";
    entry.state.cgroups = cg.paths();
    entry.save();
    rb.commit();
    fault_point("create: done");
}

std::string LinuxSession::list() {
    nlohmann::json a = nlohmann::json::array();
    for (const auto &name : store_.names()) {
        try {
            auto e = store_.open(name, false);
            a.push_back(doc::info_to_json(describe(name, e)));
        } catch (const Error &ex) {
            if (ex.code() != Errc::not_found) throw;  // destroyed meanwhile
        }
    }
    return a.dump();
}

std::string LinuxSession::info(const std::string &name) {
    std::optional<StateStore::Entry> e;
    try {
        e.emplace(store_.open(name, false));
    } catch (const Error &err) {
        ContainerCgroups::Paths left;
        if (err.code() == Errc::not_found) left = orphan_cgroups(name);
        if (left.empty()) throw;
        ContainerInfo i;
        i.name = name;
        i.backend = "linux";
        i.state = State::incomplete;
        i.spec.name = name;
        i.details["incomplete"] =
            "no state directory, but cgroups left (its state directory removed by hand, or "
            "another state root's container with the same cgroup_parent): destroy --force "
            "removes them when no process is in them";
        for (const auto &[k, p] : left) i.details["cgroup." + k] = p;
        return doc::info_to_json(i).dump();
    }
    return doc::info_to_json(describe(name, *e)).dump();
}

int64_t LinuxSession::start(const std::string &name, const ct_proc_args &args) {
    auto e = store_.open(name, true, true);
    if (e.state.status == "starting") undo_start(e, name);  // its starter died: undone first
    if (e.interrupted()) throw e.incomplete_error(name);
    if (e.state.status == "created" && e.state.pid) return start_deferred(e, name);
    if (auto st = current_state(e); st == State::running || st == State::paused)
        throw Error(Errc::bad_state, "container " + q(name) + " is already running (pid " +
                                         std::to_string(e.state.pid) + ")");
    const Spec &spec = e.state.spec;
    ProcessSpec proc = args.process_doc ? doc::decode_process(args.process_doc) : spec.process;
    if (proc.args.empty() && !args.fn)
        throw Error(Errc::invalid_spec, "container " + q(name) +
                                            " has no command: process.args "
                                            "is empty");
    check_host_paths(spec);  // the rootfs may have gone since create
    ContainerCgroups cg(e.state.cgroups);
    if (!cg.empty())
        throw Error(Errc::bad_state, "container " + q(name) +
                                         " still has processes from its previous run; kill them "
                                         "(kill --all) or destroy it");
    reap_previous_run(name, e.state.pid);
    LaunchPlan plan = plan_init(spec, proc, cg);
    plan_confinement(plan, spec, proc, seccomp_, true);
    plan_proc_args(plan, args);
    plan_hooks(plan, spec);
    bool defer = args.flags & CT_PROC_DEFER_EXEC;
    if (defer) {
        plan.start_listener = listen_for_start(e.dirfd());
        plan.state_dirfd = e.dirfd();
    }
    // Its previous init died paused (or in a pause or checkpoint that was killed): the cgroup
    // is still frozen, and so would the new one be. Never so for a container not started yet
    // (`ct run`'s): no look at the freezer on that path.
    if (e.state.status != "created")
        if (Freezer f(e.state.cgroups); e.state.status == "paused" || f.asked()) f.thaw();
    ::unlinkat(e.dirfd(), "exit", 0);  // a previous detached run's record
    // An update that died half-way (ContainerState::updating): the spec's limits, whole.
    if (e.state.updating) {
        cgroups_->apply(cg, spec.resources);
        e.state.updating = false;
    }

    net::Network network(spec.network);
    UserNamespace userns(spec);
    // Written ahead: a crash from here on is undone by the next start or destroy (the cgroup's
    // processes killed, the network given back), as the rollback below does on a failure.
    e.state.previous = e.state.status;
    e.state.status = "starting";
    fs::note_area_points(e.state.area_made, fs::area_points_to_make(spec));
    e.save();
    fault_point("start: recorded as starting");
    Rollback rb;
    rb.add([&] { back_from_starting(e); });
    rb.add([&] { network.release(e.dir()); });
    // Without a user namespace, the container's new network namespace and its interfaces are
    // made on a thread while the child builds its root (net/beside.hpp): the clone has nothing
    // to wait for (launch() can share our memory). In a user namespace the network namespace
    // must be the child's own, owned by it: equipped between clone and setup, once the maps
    // are written.
    bool netns_first = !network.empty() && userns.empty() && (plan.clone_flags & CLONE_NEWNET);
    std::optional<net::AttachBeside> beside;
    if (netns_first) {
        plan.clone_flags &= ~static_cast<unsigned long long>(CLONE_NEWNET);
        beside.emplace(network, e.dir());
        plan.net_channel = beside->take_child_end();
        plan.net_channel_peer = beside->thread_end();
    }
    // Without a cgroup (a user's container, none delegated) nothing else would find what a crash
    // from here on leaves running: the child is noted before it is released to run anything.
    bool note_child = e.state.cgroups.empty();
    AfterClone after_clone;
    if ((!network.empty() && !netns_first) || !userns.empty() || note_child)
        after_clone = [&](pid_t child, int) {
            if (note_child) note_starting(e, child);
            userns.write_maps(child);  // first: the child's namespaces are owned by it
            if (!network.empty() && !netns_first) {
                Fd netns = net::open_netns(child);
                network.attach(netns.get(), e.dir());
                fault_point("start: network attached");
            }
        };

    int64_t pid;
    Fd pidfd;
    try {
        if (args.flags & CT_PROC_DETACH) {
            pid = start_detached(e, plan, after_clone);
        } else {
            Launched l = launch(plan, after_clone);
            pid = l.pid;
            pidfd = std::move(l.pidfd);
            e.state.monitor_pid = 0;
            e.state.monitor_start = 0;
        }
    } catch (...) {
        if (beside) beside->finish();  // the network's failure is why the child gave up
        throw;
    }
    // No failure to throw: the command runs, so the child had the network's "ready".
    if (beside) beside->finish();
    fault_point("start: launched");
    record_running(e, name, pid, std::move(pidfd), defer ? "created" : "running");
    rb.commit();
    if (!defer)
        run_hooks_logged(spec, spec.hooks.poststart, "poststart", oci_state(spec, "running", pid));
    return pid;
}

void LinuxSession::reap_previous_run(const std::string &name, int64_t pid) {
    // A child of ours from the previous run, never waited for: reap it now.
    std::lock_guard lock(mu_);
    if (auto it = children_.find(pid); it != children_.end() && it->second.name == name) {
        reap(it->second.pidfd.get());
        children_.erase(it);
    }
}

void LinuxSession::record_running(StateStore::Entry &e, const std::string &name, int64_t pid,
                                  Fd pidfd, const char *status) {
    e.state.status = status;
    e.state.previous.clear();
    e.state.starting_pid = 0;
    e.state.starting_pid_start = 0;
    e.state.pid = pid;
    e.state.pid_start = process_start_time(pid);
    e.state.exit_wstatus.reset();
    try {
        e.save();
    } catch (...) {
        // Unrecorded, it would run with no way to find it: it goes.
        ContainerCgroups(e.state.cgroups).kill_all(SIGKILL);
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        if (pidfd) reap(pidfd.get());
        throw;
    }
    if (pidfd) {
        std::lock_guard lock(mu_);
        children_[pid] = Child{name, std::move(pidfd)};
    }
}

int64_t LinuxSession::start_detached(StateStore::Entry &e, LaunchPlan &plan,
                                     const AfterClone &after_clone) {
    Detached d =
        launch_detached(plan, after_clone, e.dir(), false, "container " + q(e.state.spec.name));
    e.state.monitor_pid = d.monitor;
    e.state.monitor_start = d.monitor_start;
    return d.pid;
}

std::optional<int> LinuxSession::wait_init(const std::string &name, const ContainerState &st,
                                           int64_t timeout_ms) {
    Fd pidfd;
    bool ours = false;
    {
        std::lock_guard lock(mu_);
        if (auto it = children_.find(st.pid); it != children_.end() && it->second.name == name) {
            pidfd.reset(::fcntl(it->second.pidfd.get(), F_DUPFD_CLOEXEC, 0));
            ours = true;
        }
    }
    // A zombie too: another session of this process may have spawned it (below).
    if (!ours) pidfd = open_pidfd(static_cast<pid_t>(st.pid), st.pid_start, true);
    if (pidfd && !wait_init_exit(name, pidfd.get(), timeout_ms))
        throw Error(Errc::timeout, "container " + q(name) + " is still running after " +
                                       std::to_string(timeout_ms) + " ms");
    if (ours) {
        int ws = reap(pidfd.get());
        std::lock_guard lock(mu_);
        children_.erase(st.pid);
        if (ws >= 0) return ws;
        return std::nullopt;
    }
    // Not this session's child, but perhaps this process's: another session of it (the C API's
    // second handle, libct_container_open) started it, and only a wait here can reap it.
    if (pidfd)
        if (int ws = reap(pidfd.get()); ws >= 0) return ws;
    // Else its monitor (if any) records the status once it has reaped init.
    if (st.monitor_pid) {
        Fd mon = open_pidfd(static_cast<pid_t>(st.monitor_pid), st.monitor_start);
        if (mon) wait_exit(mon.get(), 5000);
    }
    return std::nullopt;
}

int LinuxSession::wait(const std::string &name, int64_t pid, int64_t timeout_ms) {
    auto peek = store_.open(name, false);
    if (pid != 0 && pid != peek.state.pid) return wait_exec(name, pid, timeout_ms);
    if (peek.interrupted()) throw peek.incomplete_error(name);
    if (peek.state.status == "created")
        throw Error(Errc::bad_state, "container " + q(name) + " has not been started");
    std::optional<int> ws;
    if (peek.state.status == "running" || peek.state.status == "paused") {
        ws = wait_init(name, peek.state, timeout_ms);
        auto e = store_.open(name);
        if (!ws) ws = known_exit(e);
        if ((e.state.status == "running" || e.state.status == "paused") &&
            e.state.pid == peek.state.pid) {
            // Died paused: a stopped container's cgroup is not left frozen for the next start.
            if (Freezer f(e.state.cgroups); e.state.status == "paused" || f.asked()) f.thaw();
            e.state.status = "stopped";
            e.state.exit_wstatus = ws;
            try {
                e.save();
            } catch (const Error &) {
                // A full disk: the status is returned all the same, and the monitor's record
                // (written in room reserved at start) still has it for later sessions.
            }
        }
    } else {
        ws = known_exit(peek);
    }
    if (!ws)
        throw Error(Errc::bad_state,
                    "container " + q(name) +
                        " has stopped, but its exit status is unknown: the process that started "
                        "it has gone without recording it in " +
                        peek.dir() + "/exit (it was killed, or could not write it)");
    return *ws;
}

void LinuxSession::kill(const std::string &name, int64_t pid, int sig, uint32_t flags) {
    if (sig < 0 || sig >= NSIG)
        throw Error(Errc::invalid_argument, "signal " + std::to_string(sig) + " is not valid");
    auto e = store_.open(name, false);
    if (!(flags & CT_KILL_ALL) && pid != 0 && pid != e.state.pid)
        return kill_exec(name, e, pid, sig);
    if (e.interrupted()) throw e.incomplete_error(name);
    State state = current_state(e);
    if (state == State::stopped || (state == State::created && !e.state.pid))
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    // A v1 freezer holds even SIGKILL until thawed: let the container die now.
    Thaw thaw_after(e.state.cgroups, state == State::paused && sig == SIGKILL);
    if (flags & CT_KILL_ALL) {
        ContainerCgroups(e.state.cgroups).kill_all(sig);
        return;
    }
    {
        std::lock_guard lock(mu_);
        if (auto it = children_.find(e.state.pid);
            it != children_.end() && it->second.name == name) {
            if (send_signal(it->second.pidfd.get(), sig) != 0 && errno != ESRCH)
                throw_sys("signal container " + q(name), errno);
            return;
        }
    }
    Fd pfd = open_pidfd(static_cast<pid_t>(e.state.pid), e.state.pid_start);
    if (pfd && send_signal(pfd.get(), sig) != 0 && errno != ESRCH)
        throw_sys("signal container " + q(name), errno);
}

void LinuxSession::destroy(const std::string &name, uint32_t flags) {
    std::optional<StateStore::Entry> opened;
    try {
        opened.emplace(store_.open(name, true, true));
    } catch (const Error &err) {
        // Its state directory removed by hand: what a crash could not leave, but its cgroups
        // would block the name (create: "File exists"). Forced, they go when empty.
        if (err.code() == Errc::not_found && (flags & CT_DESTROY_FORCE) &&
            remove_orphan_cgroups(name))
            return;
        throw;
    }
    auto &e = *opened;
    {
        std::lock_guard lock(mu_);
        held_.erase(name);
    }
    // An interrupted step left it incomplete: what it may have made goes, force or not.
    bool incomplete = e.interrupted();
    if (e.stateless || (e.state.status == "creating" && e.state.cgroups.empty()))
        e.state.cgroups = planned_cgroups(e.state.spec);
    ContainerCgroups cg(e.state.cgroups);
    auto st = current_state(e);
    // A deferred start's init waits; an interrupted start may have left processes.
    bool live = (st != State::stopped && e.state.pid) || (incomplete && !cg.empty()) ||
                e.state.starting_pid;
    // Refused before anything is touched: a running container keeps its devices.
    if (live && !incomplete && !(flags & CT_DESTROY_FORCE))
        throw Error(Errc::bad_state, "container " + q(name) + " is " + state_name(st) + " (pid " +
                                         std::to_string(e.state.pid) +
                                         "); kill it first, or destroy it with force");
    if (e.state.status != "destroying") {
        e.state.previous = e.state.status;
        e.state.status = "destroying";
        try {
            e.save();  // best effort: on a full disk the old state still names everything
        } catch (const Error &) {
        }
    }
    fault_point("destroy: recorded as destroying");
    // Host devices go back while the container's network namespace still exists.
    net::Network(e.state.spec.network).release(e.dir());
    fault_point("destroy: network released");
    if (live) {
        cg.kill_all(SIGKILL, true);
        if (Fd p = open_pidfd(static_cast<pid_t>(e.state.pid), e.state.pid_start))
            send_signal(p.get(), SIGKILL);  // no cgroup at all (e.g. none available)
        kill_unrecorded_start(e);
    }
    // Killed or long dead, frozen tasks only die once thawed (v1); a frozen cgroup goes too.
    // Whatever the state said: a killed pause or checkpoint leaves a "running" one frozen.
    Freezer(e.state.cgroups).thaw();
    fault_point("destroy: killed");

    if (Fd p = open_pidfd(static_cast<pid_t>(e.state.pid), e.state.pid_start))
        if (!wait_init_exit(name, p.get(), 10000))
            throw Error(Errc::backend,
                        "container " + q(name) + " did not die within 10 s of SIGKILL");
    // Processes outside init's pid namespace (or without one) may remain.
    for (int i = 0; !cg.empty(); ++i) {
        if (i == 0 || i % 100 == 0) cg.kill_all(SIGKILL, true);
        if (i > 1000)
            throw Error(Errc::backend, "container " + q(name) + " still has processes after 10 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(i < 20 ? 1 : 10));
    }
    // Ours and never waited for (init, exec'd processes): reap, so no zombie is left behind.
    reap_children(name);
    // A detached start's monitor writes into the state directory; let it finish first.
    wait_exec_monitors(e);
    if (e.state.monitor_pid)
        if (Fd m = open_pidfd(static_cast<pid_t>(e.state.monitor_pid), e.state.monitor_start))
            wait_exit(m.get(), 5000);
    if (auto err = cg.remove(); !err.empty())
        throw Error(Errc::backend, "remove the cgroups of container " + q(name) + ": " + err +
                                       " (its state is kept: destroy can be retried)");
    fault_point("destroy: cgroups removed");
    // Nothing of the container runs any more, so no mount of it sits on these.
    fs::remove_area_points(e.state.area_made);
    store_.remove(name);
    run_hooks_logged(e.state.spec, e.state.spec.hooks.poststop, "poststop",
                     oci_state(e.state.spec, "stopped", 0));
}

}  // namespace ct::linux_native
