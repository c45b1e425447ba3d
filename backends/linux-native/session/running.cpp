// Operations on running containers: exec, pause/resume, update, stats, processes, and wait/kill
// of exec'd processes.
//
// Exec'd processes: the session that exec'd one is its parent and can wait() for its status
// and kill() it like init. A detached exec (CT_PROC_DETACH) is the child of a monitor that
// records its status in the state directory (exec.<pid>.exit, next to exec.<pid>.run), so any
// later session can wait() for it once. Any session can kill() any process of the container
// (checked against the container's cgroup), and wait() for the exit of a non-detached one it
// did not start, but not learn that one's status (Errc::bad_state).
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <sstream>

#include "cgroups/freezer.hpp"
#include "cgroups/update.hpp"
#include "ct/backend/fault.hpp"
#include "ct/internal/document.hpp"
#include "launch/exec_plan.hpp"
#include "monitor/monitor.hpp"
#include "monitor/process.hpp"
#include "security/confine.hpp"
#include "session/session.hpp"
#include "session/stats.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

std::string q(const std::string &name) {
    return "'" + name + "'";
}

// A detached exec's record: the process's start time and its monitor.
struct ExecRecord {
    unsigned long long start = 0;
    int64_t monitor = 0;
    unsigned long long monitor_start = 0;
};

std::optional<ExecRecord> read_record(const std::string &dir, const std::string &file) {
    std::string text;
    if (!read_file(dir + "/" + file, text)) return std::nullopt;
    ExecRecord r;
    std::istringstream in(text);
    if (!(in >> r.start >> r.monitor >> r.monitor_start)) return std::nullopt;
    return r;
}

// The container's processes now (init counts only while it runs).
std::vector<long> pids_of(const StateStore::Entry &e) {
    long init = process_alive(e.state.pid, e.state.pid_start) ? static_cast<long>(e.state.pid) : 0;
    return container_pids(ContainerCgroups(e.state.cgroups), init,
                          e.state.spec.has_namespace(Namespace::pid));
}

bool exited(int pidfd) {
    struct pollfd p {
        pidfd, POLLIN, 0
    };
    return ::poll(&p, 1, 0) > 0;
}

Error still_running(const std::string &name, int64_t pid, int64_t timeout_ms) {
    return Error(Errc::timeout, "process " + std::to_string(pid) + " of container " + q(name) +
                                    " is still running after " + std::to_string(timeout_ms) +
                                    " ms");
}

}  // namespace

int64_t LinuxSession::exec(const std::string &name, const ct_proc_args &args) {
    if (!args.process_doc) throw Error(Errc::invalid_argument, "no process document given");
    ProcessSpec proc = doc::decode_process(args.process_doc);
    if (proc.args.empty() && !args.fn) throw Error(Errc::invalid_spec, "process.args is empty");
    auto e = store_.open(name);
    State st = current_state(e);
    if (st == State::paused)
        throw Error(Errc::bad_state, "container " + q(name) + " is paused: resume it first");
    if (st != State::running)
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    {
        // The process is checked as the container's own would be.
        Spec probe = e.state.spec;
        probe.process = proc;
        if (proc.args.empty()) probe.process.args = {"fn"};
        validate(probe);
        check_supported(probe);
    }
    ContainerCgroups cg(e.state.cgroups);
    LaunchPlan plan = plan_exec(e.state.spec, e.state.pid, e.state.pid_start, proc, cg);
    plan_confinement(plan, e.state.spec, proc, seccomp_, false);
    plan_proc_args(plan, args);

    if (args.flags & CT_PROC_DETACH) {
        // The monitor writes the process's records (monitor/monitor.hpp).
        return launch_detached(plan, {}, e.dir(), true, "exec in container " + q(name)).pid;
    }
    Launched l = launch(plan);
    std::lock_guard lock(mu_);
    children_[l.pid] = Child{name, std::move(l.pidfd), true, std::nullopt};
    return l.pid;
}

int LinuxSession::wait_exec(const std::string &name, int64_t pid, int64_t timeout_ms) {
    // Ours: its parent, we reap it (or did, while waiting for init).
    Fd pidfd;
    {
        std::lock_guard lock(mu_);
        if (auto it = children_.find(pid); it != children_.end() && it->second.name == name) {
            if (auto ws = it->second.status) {
                children_.erase(it);
                return *ws;
            }
            pidfd.reset(::fcntl(it->second.pidfd.get(), F_DUPFD_CLOEXEC, 0));
        }
    }
    if (pidfd) {
        if (!wait_exit(pidfd.get(), timeout_ms)) throw still_running(name, pid, timeout_ms);
        int ws = reap(pidfd.get());
        std::lock_guard lock(mu_);
        auto it = children_.find(pid);
        if (ws < 0 && it != children_.end() && it->second.status) ws = *it->second.status;
        if (it != children_.end()) children_.erase(it);
        if (ws < 0)
            throw Error(Errc::bad_state, "process " + std::to_string(pid) + " of container " +
                                             q(name) + " was already waited for");
        return ws;
    }
    auto e = store_.open(name, false);
    // Detached: its monitor records the status.
    if (auto rec = read_record(e.dir(), run_file_name(pid))) {
        if (Fd p = open_pidfd(static_cast<pid_t>(pid), rec->start))
            if (!wait_exit(p.get(), timeout_ms)) throw still_running(name, pid, timeout_ms);
        if (Fd m = open_pidfd(static_cast<pid_t>(rec->monitor), rec->monitor_start))
            wait_exit(m.get(), 5000);
        std::string exit_file = exit_file_name(true, pid), text;
        bool found = read_file(e.dir() + "/" + exit_file, text);
        if (auto ws = found ? parse_exit_record(text, pid) : std::nullopt) {
            // Collected once, as waitpid() does.
            ::unlinkat(e.dirfd(), exit_file.c_str(), 0);
            ::unlinkat(e.dirfd(), run_file_name(pid).c_str(), 0);
            return *ws;
        }
        throw Error(Errc::bad_state, "process " + std::to_string(pid) + " of container " + q(name) +
                                         " has exited, but its monitor recorded no status in " +
                                         e.dir() + "/" + exit_file +
                                         (found ? " (the record is empty: the monitor died or "
                                                  "could not write it)"
                                                : ""));
    }
    // Someone else's: we can see it exit, not how.
    Fd p(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0)));
    auto pids = pids_of(e);
    if (!p || std::find(pids.begin(), pids.end(), pid) == pids.end() || exited(p.get()))
        throw Error(Errc::not_found,
                    "process " + std::to_string(pid) + " is not a process of container " + q(name));
    if (!wait_exit(p.get(), timeout_ms)) throw still_running(name, pid, timeout_ms);
    throw Error(Errc::bad_state,
                "process " + std::to_string(pid) + " of container " + q(name) +
                    " has exited, but its status is known only to the session that exec'd it");
}

void LinuxSession::kill_exec(const std::string &name, const StateStore::Entry &e, int64_t pid,
                             int sig) {
    std::string what = "send signal " + std::to_string(sig);
    {
        std::lock_guard lock(mu_);
        if (auto it = children_.find(pid); it != children_.end() && it->second.name == name) {
            if (send_signal(it->second.pidfd.get(), sig) != 0 && errno != ESRCH)
                throw_sys(what, errno);
            return;
        }
    }
    // Opened first, checked second: if it is still alive after the check, the pidfd is the
    // process that was in the container's cgroup, whatever happens to the pid later.
    Fd p(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0)));
    auto pids = pids_of(e);
    if (!p || std::find(pids.begin(), pids.end(), pid) == pids.end() || exited(p.get()))
        throw Error(Errc::not_found,
                    "process " + std::to_string(pid) + " is not a process of container " + q(name));
    // No thaw here (unlike kill() of init): on a v1 freezer, the signal takes effect on resume.
    if (send_signal(p.get(), sig) != 0 && errno != ESRCH) throw_sys(what, errno);
}

bool LinuxSession::wait_init_exit(const std::string &name, int pidfd, int64_t timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        std::vector<struct pollfd> fds = {{pidfd, POLLIN, 0}};
        std::vector<int64_t> pids;
        {
            std::lock_guard lock(mu_);
            for (const auto &[pid, c] : children_)
                if (c.exec && c.name == name && !c.status) {
                    fds.push_back({c.pidfd.get(), POLLIN, 0});
                    pids.push_back(pid);
                }
        }
        int left = -1;
        if (timeout_ms >= 0) {
            auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
            left = ms < 0 ? 0 : static_cast<int>(std::min<int64_t>(ms, INT32_MAX));
        }
        // Short slices: a child exec'd meanwhile joins the poll set on the next round.
        int slice = left < 0 || left > 100 ? 100 : left;
        int r = ::poll(fds.data(), fds.size(), slice);
        if (r < 0 && errno != EINTR) throw_sys("poll a pidfd", errno);
        if (r > 0 && fds[0].revents) return true;
        if (r > 0) {
            std::lock_guard lock(mu_);
            for (size_t i = 1; i < fds.size(); ++i) {
                if (!fds[i].revents) continue;
                auto it = children_.find(pids[i - 1]);
                if (it == children_.end() || it->second.status) continue;
                siginfo_t si{};
                if (::waitid(static_cast<idtype_t>(P_PIDFD),
                             static_cast<id_t>(it->second.pidfd.get()), &si,
                             WEXITED | WNOHANG) == 0 &&
                    si.si_pid != 0)
                    it->second.status = wstatus_from(si);
            }
        }
        if (left == 0 || (r == 0 && left >= 0 && left <= slice)) return false;
    }
}

void LinuxSession::reap_children(const std::string &name) {
    std::lock_guard lock(mu_);
    for (auto it = children_.begin(); it != children_.end();) {
        if (it->second.name != name) {
            ++it;
            continue;
        }
        if (!it->second.status) reap(it->second.pidfd.get());
        it = children_.erase(it);
    }
}

void LinuxSession::wait_exec_monitors(const StateStore::Entry &e) {
    DIR *d = ::opendir(e.dir().c_str());
    if (!d) return;
    std::vector<std::string> records;
    while (auto *ent = ::readdir(d)) {
        std::string n = ent->d_name;
        if (n.rfind("exec.", 0) == 0 && n.size() > 4 && n.compare(n.size() - 4, 4, ".run") == 0)
            records.push_back(n);
    }
    ::closedir(d);
    for (const auto &r : records)
        if (auto rec = read_record(e.dir(), r))
            if (Fd m = open_pidfd(static_cast<pid_t>(rec->monitor), rec->monitor_start))
                wait_exit(m.get(), 5000);
}

void LinuxSession::pause(const std::string &name) {
    auto e = store_.open(name);
    State st = current_state(e);
    if (st == State::paused)
        throw Error(Errc::bad_state, "container " + q(name) + " is already paused");
    if (st != State::running)
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    Freezer f(e.state.cgroups);
    f.freeze();
    fault_point("pause: frozen");
    e.state.status = "paused";
    try {
        e.save();
    } catch (...) {
        f.thaw();
        throw;
    }
}

void LinuxSession::resume(const std::string &name) {
    auto e = store_.open(name);
    if (current_state(e) != State::paused)
        throw Error(Errc::bad_state, "container " + q(name) + " is not paused");
    Freezer(e.state.cgroups).thaw();
    e.state.status = "running";
    e.save();
}

void LinuxSession::update(const std::string &name, const std::string &resources_doc) {
    auto e = store_.open(name);
    Resources delta =
        complete_delta(e.state.spec.resources,
                       doc::resources_from_json(doc::parse(resources_doc, "resources document")));
    Spec merged = e.state.spec;
    merged.resources = merge_resources(e.state.spec.resources, delta);
    validate(merged);
    ContainerCgroups cg(e.state.cgroups);
    Resources before = e.state.spec.resources;
    // An earlier update that died between its two saves: the cgroups may hold any mix of the
    // limits before and after it. The spec's are written whole first, then this delta.
    if (e.state.updating) cgroups_->apply(cg, before);
    // Noted first, so that a crash while the cgroups are written leaves a state that says so
    // (info's "updating"), never one that shows limits the cgroups do not have unmarked.
    e.state.spec.resources = merged.resources;
    e.state.updating = true;
    e.save();
    fault_point("update: noted");
    try {
        update_cgroups(*cgroups_, cg, before, delta);
    } catch (...) {
        // update_cgroups() has put the earlier limits back (its message says if it could not).
        e.state.spec.resources = before;
        e.state.updating = false;
        try {
            e.save();
        } catch (...) {
            // The update's error is the one to report.
        }
        throw;
    }
    fault_point("update: applied");
    e.state.updating = false;
    try {
        e.save();
    } catch (const Error &) {
        // The limits are in force and the spec says them; only the mark stays, and the next
        // update writes them again.
    }
}

std::string LinuxSession::stats(const std::string &name) {
    auto e = store_.open(name, false);
    State st = current_state(e);
    if (st != State::running && st != State::paused)
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    Stats s = collect_stats(ContainerCgroups(e.state.cgroups), static_cast<long>(e.state.pid),
                            e.state.spec.has_namespace(Namespace::pid),
                            e.state.spec.has_namespace(Namespace::net));
    return doc::stats_to_json(s).dump();
}

std::string LinuxSession::processes(const std::string &name) {
    auto e = store_.open(name, false);
    State st = current_state(e);
    long init = st == State::running || st == State::paused ? static_cast<long>(e.state.pid) : 0;
    auto list = list_processes(ContainerCgroups(e.state.cgroups), init,
                               e.state.spec.has_namespace(Namespace::pid));
    return doc::processes_to_json(list).dump();
}

}  // namespace ct::linux_native
