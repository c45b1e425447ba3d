// CRIU through libcriu: one request (criu_opts) at a time, run by a `criu swrk` child that
// libcriu starts. The binary is chosen here (Debian's libcriu can drive a newer criu: see
// tools/install-criu.sh), and every failure comes back with the lines of CRIU's log that say
// why, never as a bare "failed".
#pragma once

#include <sys/types.h>

#include <string>

#include "ct/driver.h"
#include "support.hpp"

extern "C" {
struct criu_opts;
}

namespace ct::linux_native::criu {

// The criu binary libcriu runs: $CT_CRIU, else /usr/local/lib/ct/criu (installed by
// tools/install-criu.sh when the packaged one cannot work on this kernel), else /usr/sbin/criu.
const std::string &binary();

// The lines of a CRIU log that explain a failure: its last "Error" lines and its last line,
// indented, at most ~2 KiB. "" when the log cannot be read.
std::string log_excerpt(const std::string &log_path);

// Kernel features CRIU reports. Asking CRIU costs a swrk run (~50 ms), so the answer is kept
// in /run/ct/criu-features (root only; /run lives as long as the running kernel does).
struct Features {
    bool mem_dirty_track = false;  // soft-dirty: needed by pre-dump / iterative migration
};
Features features();

// Where the backend's log messages go (the ct_host of the session being opened).
void set_host(const ct_host *host);
void log(int level, const std::string &message);

// One request. Every setter copies its arguments. run_* throw ct::Error naming `what` with
// CRIU's log excerpt.
class Request {
  public:
    // `images_dir_fd`: the image directory (also CRIU's work dir, where `log_name` goes).
    Request(std::string what, int images_dir_fd, std::string images_dir, std::string log_name);
    ~Request();
    Request(const Request &) = delete;
    Request &operator=(const Request &) = delete;

    criu_opts *opts() { return opts_; }
    const std::string &log_path() const { return log_path_; }

    void external(const std::string &key);
    void ext_mount(const std::string &key, const std::string &value);
    void inherit_fd(int fd, const std::string &key);
    void cg_root(const std::string &controller, const std::string &path);  // "" : all others
    // Only these hierarchies (as /proc/PID/cgroup names them: "memory", "cpu,cpuacct", "" for
    // cgroup2) go into the images; none at all: CRIU leaves cgroups alone.
    void cg_dump_controller(const std::string &controllers);
    void no_cgroups();
    void root(const std::string &path);
    void freeze_cgroup(const std::string &path);
    void veth_pair(const std::string &inside, const std::string &outside);
    // A pty slave whose master is outside the tree (a -t container's terminal: its master is
    // with whoever holds the console) is dumped on its own, and restored with a new master,
    // which CRIU hands back: take_orphan_master() after restore_child().
    void orphan_pts_master();
    Fd take_orphan_master() { return std::move(orphan_master_); }

    void dump();
    // Restores the tree as a child of the calling process; returns the root task's pid.
    pid_t restore_child();

  private:
    [[noreturn]] void fail(const char *action, int rc) const;
    void check(int rc, const char *what) const;

    std::string what_, dir_, log_path_;
    criu_opts *opts_ = nullptr;
    Fd orphan_master_;
};

}  // namespace ct::linux_native::criu
