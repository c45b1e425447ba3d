// LinuxSession::restore: a container from an image directory made by checkpoint(), under the
// same or a new name, with its configuration read from the images or given by the caller
// (docs/checkpoint.md).
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "cgroups/cgroups.hpp"
#include "criu/criu.hpp"
#include "criu/image.hpp"
#include "criu/mount_sources.hpp"
#include "criu/netns.hpp"
#include "criu/options.hpp"
#include "criu/restore_spec.hpp"
#include "criu/stdio.hpp"
#include "ct/backend/fault.hpp"
#include "ct/backend/fd_passing.hpp"
#include "fs/area_points.hpp"
#include "fs/mount_points.hpp"
#include "launch/plan.hpp"
#include "monitor/monitor.hpp"
#include "monitor/process.hpp"
#include "net/network.hpp"
#include "security/confine.hpp"
#include "security/handed_fds.hpp"
#include "session/session.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

std::string q(const std::string &name) {
    return "'" + name + "'";
}

// CRIU restores into a root that must be a mount point whose parent is not overmounted: the
// container's root filesystem, bind-mounted for the time of the restore. The restored
// container has its own copy of the mount in its own namespace, so this one can go after.
class RootBind {
  public:
    RootBind(const std::string &source, std::string at) : at_(std::move(at)) {
        if (::mkdir(at_.c_str(), 0700) != 0 && errno != EEXIST) throw_sys("create " + at_, errno);
        if (::mount(source.c_str(), at_.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
            int e = errno;
            ::rmdir(at_.c_str());
            throw_sys("bind-mount the root filesystem " + source + " on " + at_, e);
        }
        // Nothing mounted under it for the restore may propagate to the host's peers: a slave,
        // not private, because CRIU copies the restored root's sharing from it (a root that
        // was the slave of a shared host mount at the dump, as under dockerd's shared
        // data-root, is made so again), which the kernel refuses from a private mount.
        ::mount(nullptr, at_.c_str(), nullptr, MS_REC | MS_SLAVE, nullptr);
    }
    ~RootBind() {
        ::umount2(at_.c_str(), MNT_DETACH);
        ::rmdir(at_.c_str());
    }
    RootBind(const RootBind &) = delete;
    RootBind &operator=(const RootBind &) = delete;
    const std::string &path() const { return at_; }

  private:
    std::string at_;
};

// controller (or "" for cgroup2) -> path of the calling process, from /proc/self/cgroup.
std::map<std::string, std::string> own_cgroups() {
    std::map<std::string, std::string> out;
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (ctrls.empty()) out[""] = path;
        std::istringstream cs(ctrls);
        std::string c;
        while (std::getline(cs, c, ','))
            if (!c.empty()) out[c] = path;
    }
    return out;
}

std::string relative_to(const std::string &path, const std::string &root) {
    if (path.compare(0, root.size(), root) != 0) return path;
    std::string rel = path.substr(root.size());
    return rel.empty() ? "/" : rel;
}

// Where CRIU puts the restored tasks: the images hold the hierarchies where the container had
// cgroups of its own (checkpoint.cpp); each goes to the new container's cgroup when libct
// manages that controller here too, else to the restoring process's own (where a fresh start
// would leave them). Without this CRIU would recreate the old paths under the old name.
// Hierarchies not in the images are not touched: the tasks stay in the restorer's cgroups.
void map_cgroups(criu::Request &rq, const criu::ImageMeta &meta, const CgroupLayout &layout,
                 const ContainerCgroups::Paths &paths) {
    if (meta.cgroups.empty()) {
        rq.no_cgroups();
        return;
    }
    auto own = own_cgroups();
    for (const auto &[ctrls, path] : meta.cgroups) {
        if (ctrls.empty()) {
            auto it = paths.find("unified");
            std::string target = it != paths.end() && !layout.v2_root.empty()
                                     ? relative_to(it->second, layout.v2_root)
                                     : (own.count("") ? own[""] : path);
            rq.cg_root("", target);
            continue;
        }
        std::istringstream cs(ctrls);
        std::string c;
        while (std::getline(cs, c, ',')) {
            if (c.empty()) continue;
            auto it = paths.find(c);
            auto root = layout.v1.find(c);
            std::string target;
            if (it != paths.end() && root != layout.v1.end())
                target = relative_to(it->second, root->second);
            else if (own.count(c))
                target = own[c];
            else
                continue;  // no such hierarchy here: CRIU says so if it matters
            rq.cg_root(c, target);
        }
    }
}

// The new master of a -t container's terminal goes to the caller's console socket, as a
// start's does. Without one, nobody holds it: closed, the terminal is hung up (the restored
// processes' writes to it fail with EIO), rather than filling up until they block.
void hand_over_terminal(Fd master, const criu::RestoreOptions &o, const std::string &name) {
    if (o.console_socket < 0) {
        criu::log(CT_LOG_INFO, "restore container " + q(name) +
                                   ": its terminal's new master has no console socket to go "
                                   "to; the terminal is hung up");
        return;
    }
    if (int e = backend::send_fd(o.console_socket, master.get()))
        criu::log(CT_LOG_WARN, "restore container " + q(name) +
                                   ": cannot send its terminal over the console socket (" +
                                   errstr(e) + "); the terminal is hung up");
}

void check_console_socket(int fd) {
    if (fd < 0) return;
    struct stat st;
    int type = 0;
    socklen_t len = sizeof type;
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
        ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &type, &len) != 0 || type != AF_UNIX)
        throw Error(Errc::invalid_argument, "restore options: console_socket " +
                                                std::to_string(fd) + " is not an AF_UNIX socket");
}

}  // namespace

void LinuxSession::restore(const std::string &name, const std::string &opts_doc) {
    auto o = criu::parse_restore_options(opts_doc);
    check_console_socket(o.console_socket);
    refuse_host_directories(o.stdio.data());
    auto meta = criu::read_meta(o.dir);
    Spec spec = o.spec ? criu::restore_spec(meta.spec, *o.spec) : meta.spec;
    spec.name = name;
    validate(spec);
    check_host_paths(spec);
    fs::check_mount_points(spec);  // a new rootfs: what make_mount_points could not mend

    // A container of that name stopped by its checkpoint is restored in place; otherwise the
    // container is made as create() would, from the images' spec.
    std::optional<StateStore::Entry> e;
    try {
        e.emplace(store_.open(name));
    } catch (const Error &err) {
        if (err.code() != Errc::not_found) throw;
    }
    Rollback rb;
    ContainerCgroups cg = restore_cgroups(e, name, spec, meta.created, rb);
    reap_previous_run(name, e->state.pid);
    // Written ahead, as a start does: a restore killed from here on leaves the container
    // "starting", listed as incomplete, and the next start or destroy undoes it (the restored
    // processes are the cgroups' and go with them). Not so, it would say created or stopped
    // with its restored processes running.
    e->state.previous = e->state.status;
    e->state.status = "starting";
    e->save();
    rb.add([&] { back_from_starting(*e); });
    fault_point("restore: recorded as starting");

    Fd dirfd(::open(o.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd) throw_sys("open image directory " + o.dir, errno);
    RootBind root(spec.private_area.type == "dir" ? spec.private_area.path : spec.rootfs,
                  criu::root_bind_dir(e->dir()));
    {
        // What a start makes in the root, made here when the root lacks it (a new copy of the
        // rootfs): CRIU mounts on the images' targets and does not create them.
        Fd rootfd(::open(root.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!rootfd) throw_sys("open " + root.path(), errno);
        auto points = fs::root_mount_points(spec);
        if (spec.private_area.type == "dir") {
            // Removed with the container, as a start's are (fs/area_points.hpp).
            fs::note_area_points(e->state.area_made, fs::area_points_to_make(spec));
            e->save();
        }
        fs::make_mount_points(rootfd.get(), points);
    }
    criu::MountSources sources(spec, e->dir());
    ::unlinkat(e->dirfd(), "exit", 0);  // a previous detached run's record
    Fd netns;
    if (meta.external_netns) {
        rb.add([&] { net::Network(spec.network).release(e->dir()); });
        netns = criu::restore_netns(spec, e->dir());
    }

    // Runs in the process that becomes the restored init's parent (this one, or the monitor
    // of a detached restore): libcriu makes the restored tree a child of its caller.
    auto spawn = [&]() -> Launched {
        criu::Request rq("from " + o.dir, dirfd.get(), o.dir, "restore.log");
        rq.root(root.path());
        map_cgroups(rq, meta, cgroups_->layout(), cg.paths());
        for (size_t i = 0; i < spec.mounts.size(); ++i)
            if (spec.mounts[i].type == "bind")
                rq.ext_mount(criu::mount_key(i), sources.of(i));
            else if (spec.mounts[i].type == "cgroup")
                for (const auto &[hierarchy, dir] : cg.paths())
                    rq.ext_mount(criu::cgroup_mount_key(i, hierarchy), dir);
        criu::StdioReplacements stdio(rq, meta.stdio, o.stdio,
                                      meta.machine_id == criu::machine_id(),
                                      meta.boot_id == criu::boot_id());
        Fd netns_fd;
        if (netns) {
            netns_fd.reset(::fcntl(netns.get(), F_DUPFD, 3));  // inherited by CRIU: no CLOEXEC
            if (!netns_fd) throw_sys("duplicate the network namespace fd", errno);
            rq.inherit_fd(netns_fd.get(), criu::kNetnsKey);
        }
        rq.orphan_pts_master();
        Launched l;
        l.pid = rq.restore_child();
        if (Fd master = rq.take_orphan_master()) hand_over_terminal(std::move(master), o, name);
        l.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, l.pid, 0)));
        if (!l.pidfd) throw_sys("open a pidfd for the restored init", errno);
        return l;
    };

    int64_t pid;
    Fd pidfd;
    if (o.detach) {
        Detached d = launch_detached(spawn, e->dir(), false, "container " + q(name));
        pid = d.pid;
        e->state.monitor_pid = d.monitor;
        e->state.monitor_start = d.monitor_start;
    } else {
        Launched l = spawn();
        pid = l.pid;
        pidfd = std::move(l.pidfd);
        e->state.monitor_pid = 0;
        e->state.monitor_start = 0;
    }
    fault_point("restore: restored");
    e->state.spec = spec;
    record_running(*e, name, pid, std::move(pidfd));
    rb.commit();
}

ContainerCgroups LinuxSession::restore_cgroups(std::optional<StateStore::Entry> &e,
                                               const std::string &name, const Spec &spec,
                                               int64_t created, Rollback &rb) {
    if (e) {
        if (current_state(*e) == State::running)
            throw Error(Errc::exists, "container " + q(name) + " exists and is running (pid " +
                                          std::to_string(e->state.pid) + ")");
        ContainerCgroups cg(e->state.cgroups);
        if (!cg.empty())
            throw Error(Errc::bad_state, "container " + q(name) +
                                             " still has processes from its previous run; kill "
                                             "them (kill --all) or destroy it");
        cgroups_->apply(cg, spec.resources);
        return cg;
    }
    ContainerCgroups cg = cgroups_->plan(opts_.cgroup_parent, name, spec.resources, spec.cgroups,
                                         may_mount_cgroups(spec));
    e.emplace(store_.create(name));
    rb.add([this, name] { store_.remove(name); });
    cgroups_->create(cg, opts_.cgroup_parent);
    rb.add([cg] { cg.remove(); });
    cgroups_->apply(cg, spec.resources);
    e->state.spec = spec;
    e->state.status = "created";
    e->state.created = created ? created : static_cast<int64_t>(std::time(nullptr));
    e->state.cgroups = cg.paths();
    e->save();
    return cg;
}

}  // namespace ct::linux_native
