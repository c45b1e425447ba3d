#include "criu/criu.hpp"

#include <criu/criu.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>

#include "ct/error.hpp"
#include "support.hpp"

namespace ct::linux_native::criu {

const std::string &binary() {
    static const std::string path = [] {
        if (const char *e = std::getenv("CT_CRIU"); e && *e) return std::string(e);
        for (const char *p : {"/usr/local/lib/ct/criu", "/usr/sbin/criu", "/usr/local/sbin/criu"})
            if (::access(p, X_OK) == 0) return std::string(p);
        return std::string("criu");
    }();
    return path;
}

std::string log_excerpt(const std::string &log_path) {
    std::ifstream in(log_path);
    if (!in) return "";
    // Errors CRIU logs and then gets over (a missing iptables-save, an rlimit it cannot raise)
    // come early; the ones that made it fail are the last.
    std::deque<std::string> errors;
    std::string line, last;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        last = line;
        // Noise of every run on hosts without iptables or with a hard NOFILE limit.
        bool noise = line.find("iptables") != std::string::npos ||
                     line.find("RLIMIT_NOFILE") != std::string::npos;
        if (!noise && line.find("Error") != std::string::npos) {
            errors.push_back(line);
            if (errors.size() > 6) errors.pop_front();
        }
    }
    if (!errors.empty() && errors.back() == last) last.clear();
    std::string out;
    for (const auto &l : errors) out += "\n  " + l.substr(0, 300);
    if (!last.empty()) out += "\n  " + last.substr(0, 300);
    return out;
}

namespace {
std::atomic<const ct_host *> g_host{nullptr};
}

void set_host(const ct_host *host) {
    if (host) g_host = host;
}

void log(int level, const std::string &message) {
    const ct_host *h = g_host;
    if (h && h->log) h->log(level, "linux", message.c_str());
}

Features features() {
    // /run lives exactly as long as the running kernel, whose features these are.
    const std::string cache_dir = "/run/ct", cache = cache_dir + "/criu-features";
    Features r;
    std::string text;
    if (read_file(cache, text) && text.rfind("mem_dirty_track=", 0) == 0) {
        r.mem_dirty_track = text.compare(16, 1, "1") == 0;
        return r;
    }
    criu_opts *o = nullptr;
    if (criu_local_init_opts(&o) != 0) return r;
    criu_local_set_service_binary(o, binary().c_str());
    struct criu_feature_check fc {};
    fc.mem_track = true;
    int rc = criu_local_feature_check(o, &fc, sizeof fc);
    criu_local_free_opts(o);
    if (rc != 0) return r;  // not cached: ask again next time
    r.mem_dirty_track = fc.mem_track;
    ::mkdir(cache_dir.c_str(), 0755);
    Fd dir(::open(cache_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) {
        try {
            write_file_atomic(
                dir.get(), cache_dir, "criu-features",
                std::string("mem_dirty_track=") + (r.mem_dirty_track ? "1" : "0") + "\n");
        } catch (const Error &) {
            // A read-only state root only costs the question next time.
        }
    }
    return r;
}

Request::Request(std::string what, int images_dir_fd, std::string images_dir, std::string log_name)
    : what_(std::move(what)), dir_(std::move(images_dir)), log_path_(dir_ + "/" + log_name) {
    if (criu_local_init_opts(&opts_) != 0 || !opts_)
        throw Error(Errc::backend, "cannot set up a CRIU request (libcriu) " + what_);
    check(criu_local_set_service_binary(opts_, binary().c_str()), "service binary");
    criu_local_set_images_dir_fd(opts_, images_dir_fd);
    criu_local_set_log_level(opts_, 4);
    check(criu_local_set_log_file(opts_, log_name.c_str()), "log file");
    // nftables, not iptables: Debian does not install iptables by default, and CRIU's
    // nftables lock needs nothing but the kernel.
    check(criu_local_set_network_lock(opts_, CRIU_NETWORK_LOCK_NFTABLES), "network lock");
    criu_local_set_manage_cgroups(opts_, true);
    // SOFT: the cgroups are libct's (made and limited from the spec before the restore); CRIU
    // only moves the tasks in, and sets properties only of cgroups it had to create itself.
    criu_local_set_manage_cgroups_mode(opts_, CRIU_CG_MODE_SOFT);
}

Request::~Request() {
    if (opts_) criu_local_free_opts(opts_);
}

void Request::check(int rc, const char *what) const {
    if (rc != 0)
        throw Error(Errc::backend, "cannot set CRIU option " + std::string(what) + " " + what_ +
                                       ": " + errstr(rc < 0 ? -rc : EINVAL));
}

void Request::external(const std::string &key) {
    check(criu_local_add_external(opts_, key.c_str()), "external");
}
void Request::ext_mount(const std::string &key, const std::string &value) {
    check(criu_local_add_ext_mount(opts_, key.c_str(), value.c_str()), "ext-mount-map");
}
void Request::inherit_fd(int fd, const std::string &key) {
    check(criu_local_add_inherit_fd(opts_, fd, key.c_str()), "inherit-fd");
}
void Request::cg_root(const std::string &controller, const std::string &path) {
    check(criu_local_add_cg_root(opts_, controller.empty() ? nullptr : controller.c_str(),
                                 path.c_str()),
          "cgroup-root");
}
void Request::cg_dump_controller(const std::string &controllers) {
    check(criu_local_add_cg_dump_controller(opts_, controllers.c_str()), "cgroup-dump-controller");
}
void Request::no_cgroups() {
    criu_local_set_manage_cgroups_mode(opts_, CRIU_CG_MODE_IGNORE);
}
void Request::root(const std::string &path) {
    check(criu_local_set_root(opts_, path.c_str()), "root");
}
void Request::freeze_cgroup(const std::string &path) {
    check(criu_local_set_freeze_cgroup(opts_, path.c_str()), "freeze-cgroup");
}
void Request::veth_pair(const std::string &inside, const std::string &outside) {
    check(criu_local_add_veth_pair(opts_, inside.c_str(), outside.c_str()), "veth-pair");
}

void Request::orphan_pts_master() {
    criu_local_set_orphan_pts_master(opts_, true);
}

namespace {

// Where the notification of the restore running on this thread puts the master CRIU made for
// an orphan pty slave (libcriu's callback has no argument of the caller's).
thread_local Fd *t_orphan_master = nullptr;

int notify(char *action, criu_notify_arg_t) {
    if (action && std::strncmp(action, "orphan-pts-master", 17) == 0 && t_orphan_master) {
        int fd = criu_get_orphan_pts_master_fd();  // received for us: ours to close
        if (fd >= 0) {
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
            t_orphan_master->reset(fd);
        }
    }
    return 0;
}

}  // namespace

void Request::fail(const char *action, int rc) const {
    int err = errno;
    std::string msg = std::string("criu ") + action + " " + what_;
    if (rc == -EBADE) {
        msg += " did not succeed";
        if (err) msg += " (" + errstr(err) + ")";
    } else if (rc == -ECOMM) {
        msg += ": lost the connection to " + binary() + " (it crashed or was killed)";
    } else {
        msg += ": cannot run " + binary() + ": " + errstr(rc < 0 ? -rc : err);
    }
    std::string excerpt = log_excerpt(log_path_);
    if (!excerpt.empty())
        msg += "; CRIU's log (" + log_path_ + ") ends with:" + excerpt;
    else
        msg += "; CRIU wrote no log at " + log_path_;
    throw Error(Errc::backend, msg, err);
}

void Request::dump() {
    errno = 0;
    int rc = criu_local_dump(opts_);
    if (rc < 0) fail("dump", rc);
}

pid_t Request::restore_child() {
    errno = 0;
    criu_local_set_notify_cb(opts_, notify);
    t_orphan_master = &orphan_master_;
    int rc = criu_local_restore_child(opts_);
    t_orphan_master = nullptr;
    if (rc <= 0) fail("restore", rc < 0 ? rc : -EBADE);
    return static_cast<pid_t>(rc);
}

}  // namespace ct::linux_native::criu
