// LinuxSession::checkpoint: a running container's process tree, with its namespaces, mounts and
// cgroup membership, into an image directory through CRIU (docs/checkpoint.md).
#include <criu/criu.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>

#include "cgroups/freezer.hpp"
#include "criu/criu.hpp"
#include "criu/image.hpp"
#include "criu/netns.hpp"
#include "criu/options.hpp"
#include "criu/stdio.hpp"
#include "ct/backend/fault.hpp"
#include "ct/internal/document.hpp"
#include "monitor/process.hpp"
#include "session/session.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

std::string q(const std::string &name) {
    return "'" + name + "'";
}

std::vector<std::pair<std::string, std::string>> proc_cgroups(pid_t pid) {
    std::vector<std::pair<std::string, std::string>> out;
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        out.emplace_back(line.substr(a + 1, b - a - 1), line.substr(b + 1));
    }
    return out;
}

// Makes `dir` (its parent must exist) or checks that it is empty. Returns true if it made it.
bool prepare_image_dir(const std::string &dir) {
    bool made = false;
    if (::mkdir(dir.c_str(), 0700) == 0)
        made = true;
    else if (errno == ENOENT)
        throw Error(Errc::not_found,
                    "image directory " + dir + ": its parent directory does not exist", ENOENT);
    else if (errno != EEXIST)
        throw_sys("create image directory " + dir, errno);
    if (made) return true;
    DIR *d = ::opendir(dir.c_str());
    if (!d) throw_sys("open image directory " + dir, errno);
    bool empty = true;
    while (auto *ent = ::readdir(d))
        if (std::string(ent->d_name) != "." && std::string(ent->d_name) != "..") empty = false;
    ::closedir(d);
    if (!empty)
        throw Error(Errc::exists,
                    "image directory " + dir + " is not empty" +
                        (::access((dir + "/" + criu::kPendingMetaFile).c_str(), F_OK) == 0
                             ? std::string(" (it holds an interrupted checkpoint)")
                             : std::string()) +
                        "; give a new or an empty directory");
    return false;
}

// Deletes what a failed dump wrote into `dir` (only regular files: CRIU makes no directories).
void clear_dir(const std::string &dir) {
    DIR *d = ::opendir(dir.c_str());
    if (!d) return;
    while (auto *ent = ::readdir(d))
        if (ent->d_type == DT_REG) ::unlinkat(::dirfd(d), ent->d_name, 0);
    ::closedir(d);
}

// The directory whose freezer Freezer uses, for CRIU's --freeze-cgroup.
std::string freezer_dir(const ContainerCgroups::Paths &paths, const Freezer &f) {
    auto it = paths.find(f.v1() ? "freezer" : "unified");
    return it == paths.end() ? std::string() : it->second;
}

}  // namespace

void LinuxSession::checkpoint(const std::string &name, const std::string &opts_doc) {
    auto o = criu::parse_checkpoint_options(opts_doc);
    auto e = store_.open(name);
    const State state = current_state(e);
    if (state != State::running && state != State::paused)
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    const Spec &spec = e.state.spec;
    // A joined network namespace is external like an own one (netns.hpp); the others would be
    // made anew by CRIU at restore, no longer shared with whoever the container joined.
    for (const auto &n : spec.effective_namespaces())
        if (!n.path.empty() && n.type != Namespace::net)
            throw Error(Errc::unsupported, std::string("container ") + q(name) +
                                               " joins an existing " + namespace_name(n.type) +
                                               " namespace (" + n.path +
                                               "): such a container cannot be checkpointed");
    // Under a user namespace the restored tasks cannot read their own images, nor join a
    // network namespace built outside it: not supported yet, rather than half done.
    if (spec.has_namespace(Namespace::user))
        throw Error(Errc::unsupported, "container " + q(name) +
                                           " has a user namespace: checkpointing such a "
                                           "container is not supported yet");
    // CRIU gives a restored shared mount a peer group of its own: a bidirectional bind would
    // come back cut off from the host, its propagation silently one-way.
    for (size_t i = 0; i < spec.mounts.size(); ++i)
        if (spec.mounts[i].bidirectional())
            throw Error(Errc::unsupported,
                        "container " + q(name) + ": mounts[" + std::to_string(i) + "] (" +
                            spec.mounts[i].target +
                            ") is bidirectional, which a restore cannot give back (CRIU makes "
                            "the restored mount's peer group anew): such a container cannot be "
                            "checkpointed");
    const pid_t pid = static_cast<pid_t>(e.state.pid);

    bool made = prepare_image_dir(o.dir);
    Rollback rb;
    rb.add([&] {
        clear_dir(o.dir);
        if (made) ::rmdir(o.dir.c_str());
    });
    Fd dirfd(::open(o.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd) throw_sys("open image directory " + o.dir, errno);

    criu::Request rq("into " + o.dir, dirfd.get(), o.dir, "dump.log");
    criu::ImageMeta meta;
    meta.name = name;
    meta.spec = spec;
    meta.created = e.state.created;
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    meta.host = host;
    // Only the hierarchies where the container has cgroups of its own: the others are the
    // host's, and CRIU would save (and on restore recreate) their whole trees.
    for (const auto &[ctrls, path] : proc_cgroups(pid)) {
        bool ours = ctrls.empty() && e.state.cgroups.count("unified");
        std::istringstream cs(ctrls);
        for (std::string c; std::getline(cs, c, ',');) ours |= e.state.cgroups.count(c) > 0;
        if (!ours) continue;
        meta.cgroups.emplace_back(ctrls, path);
        rq.cg_dump_controller(ctrls);
    }
    if (meta.cgroups.empty()) rq.no_cgroups();
    meta.stdio = criu::record_stdio(pid, rq);
    meta.machine_id = criu::machine_id();
    meta.boot_id = criu::boot_id();
    if (spec.has_namespace(Namespace::net)) {
        rq.external(criu::netns_id(pid) + ":" + criu::kNetnsKey);
        meta.external_netns = true;
    }
    criu::write_meta(dirfd.get(), o.dir, meta);

    criu_local_set_pid(rq.opts(), pid);
    criu_local_set_leave_running(rq.opts(), o.leave_running);
    criu_local_set_tcp_established(rq.opts(), o.tcp_established);
    criu_local_set_file_locks(rq.opts(), o.file_locks);
    // A -t container's terminal: its slave is the container's, its master with the console's
    // holder outside (ct run's relay).
    rq.orphan_pts_master();
    // Frozen through the cgroup (freezer.hpp, as pause does it) before CRIU runs: atomic for
    // the whole tree, and quicker than CRIU's own freezing, which polls every 100 ms. CRIU is
    // told the cgroup, finds it frozen and leaves it so. A paused container stays paused.
    Freezer freezer(e.state.cgroups);
    const bool can_freeze = *freezer.mechanism() != 0;
    const bool was_frozen = can_freeze && freezer.frozen();
    if (can_freeze) rq.freeze_cgroup(freezer_dir(e.state.cgroups, freezer));
    // Bind mounts from the host are external: the restore binds the spec's sources again.
    for (size_t i = 0; i < spec.mounts.size(); ++i)
        if (spec.mounts[i].type == "bind")
            rq.ext_mount(criu::mount_target(spec.mounts[i]), criu::mount_key(i));
        else if (spec.mounts[i].type == "cgroup")
            for (const auto &[hierarchy, dir] : e.state.cgroups)
                rq.ext_mount(criu::cgroup_mount_target(spec.mounts[i], hierarchy),
                             criu::cgroup_mount_key(i, hierarchy));

    if (!criu::features().mem_dirty_track)
        criu::log(CT_LOG_INFO,
                  "checkpoint container " + q(name) +
                      ": this kernel has no soft-dirty memory tracking (criu check --feature "
                      "mem_dirty_track fails), so pre-dump and iterative migration are "
                      "unavailable: the container stays frozen for the whole dump (and, when "
                      "migrating, for the copy)");
    if (can_freeze && !was_frozen) freezer.freeze();
    fault_point("checkpoint: frozen");
    try {
        rq.dump();
    } catch (const Error &err) {
        if (!was_frozen) freezer.thaw();
        // The images go, the log stays with the container for a closer look.
        std::string kept = e.dir() + "/.criu-dump.log", msg = err.what();
        if (::rename(rq.log_path().c_str(), kept.c_str()) == 0)
            if (auto p = msg.find(rq.log_path()); p != std::string::npos)
                msg.replace(p, rq.log_path().size(), kept);
        throw Error(err.code(), msg, err.sys_errno());
    }
    criu::commit_meta(dirfd.get(), o.dir);
    rb.commit();
    // Thawed after a dump that left it running, unless it was paused before; after one that
    // killed it, so that nothing stays frozen in its cgroup (v1 does not deliver SIGKILL to
    // frozen tasks).
    if (can_freeze && (!was_frozen || !o.leave_running)) freezer.thaw();
    if (!o.leave_running) {
        // CRIU killed the tree. Reap it if it is ours; a detached start's monitor records it.
        std::optional<int> ws;
        {
            std::lock_guard lock(mu_);
            if (auto it = children_.find(e.state.pid);
                it != children_.end() && it->second.name == name) {
                int s = reap(it->second.pidfd.get());
                if (s >= 0) ws = s;
                children_.erase(it);
            }
        }
        e.state.status = "stopped";
        e.state.exit_wstatus = ws;
        e.save();
    }
}

}  // namespace ct::linux_native
