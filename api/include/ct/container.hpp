// ct::Container: a handle on one container of a session.
#pragma once

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ct/export.hpp"
#include "ct/info.hpp"
#include "ct/spec.hpp"

namespace ct {

namespace detail {
struct SessionCore;
}

// File descriptors of the calling process to hand to a container process as its stdio.
// -1 means /dev/null (at restore: the same file or terminal as at the dump when it is still
// there, else /dev/null; docs/checkpoint.md "Stdio"). The default passes the caller's own 0, 1
// and 2 through.
struct Stdio {
    int in = 0;
    int out = 1;
    int err = 2;
};

// Options of start() and exec().
struct StartOptions {
    Stdio stdio;
    // The process must outlive the calling process (what `ct start` does): the backend arranges
    // for another process to reap it, so wait() from a later session still gets its status.
    bool detach = false;
    // start() only: the process is set up completely in the container (namespaces, root,
    // cgroups, credentials, the console) and waits before executing its command; the container
    // stays in state created with that process (info().pid), and the next start() executes the
    // command. The OCI runtime's create and start.
    bool defer_exec = false;
    // With process.terminal: an AF_UNIX socket of the caller on which the backend sends the
    // pty master (SCM_RIGHTS), as runc's --console-socket. Required when terminal is set.
    int console_socket = -1;
    // When not empty: fds[i] of the caller becomes fd i of the process, replacing `stdio`;
    // nothing else is inherited. (The C API's libct_process_desc_set_fds.)
    std::vector<int> fds;
    // When set: the process runs fn(fn_arg) in a fork of the caller once the container is set
    // up, instead of executing process.args, and exits with its return value. In-process
    // backends only (linux); others throw Errc::unsupported. (The C API's spawn_cb/enter_cb.)
    int (*fn)(void *) = nullptr;
    void *fn_arg = nullptr;
    // The process's stdin (a terminal) becomes the controlling terminal of the session it
    // leads (process.new_session), so the terminal's signals and job control reach it. (The
    // C API's console, libct_container_set_console_fd.)
    bool controlling_terminal = false;
    // With controlling_terminal: this terminal fd of the caller becomes it instead of stdin,
    // whatever fds the process gets (it keeps it only if among them). -1: stdin.
    int controlling_terminal_fd = -1;
};

// Options of checkpoint() (docs/checkpoint.md).
struct CheckpointOptions {
    std::string dir;               // image directory, on the backend's host; created if missing
    bool leave_running = false;    // keep the container running after the dump
    bool tcp_established = false;  // dump established TCP connections too
    bool file_locks = false;
};

// Options of Session::restore().
struct RestoreOptions {
    std::string dir;  // image directory made by checkpoint(), on the backend's host
    Stdio stdio;      // the restored init's stdio, where the images allow replacing it
    bool detach = true;
    // A container checkpointed with a terminal (-t) gets a new one: an AF_UNIX socket of the
    // caller on which the backend sends its pty master (SCM_RIGHTS), as for start(). Without
    // one, the restored terminal is hung up. (docs/checkpoint.md, "Stdio")
    int console_socket = -1;
    // The configuration to restore under, instead of the one saved with the images: another
    // rootfs or bind sources, another network namespace to join, other limits (an OCI
    // engine's bundle at restore). The processes come from the images, so what CRIU recorded
    // must match: the same namespaces and the same mounts (by target; the same type and
    // access flags); anything else is Errc::invalid_spec naming the field. Its process may be
    // left out (it is the images'). (docs/checkpoint.md, "Restoring under another
    // configuration")
    std::optional<Spec> spec;
};

// Options of migrate().
struct MigrateOptions {
    bool leave_running = false;  // copy instead of move: the source keeps running too
    bool tcp_established = false;
};

// A handle is cheap to copy; it names a container in a session and keeps the session alive.
// Every call goes to the backend: state is never cached in the handle, so several handles (or
// processes) driving one container stay consistent.
class CT_API Container {
  public:
    const std::string &name() const { return name_; }

    // Starts the spec's process (or `process`, when given) as the container's init. Returns when
    // the command has been executed; a command that cannot be executed throws Errc::exec.
    // Allowed in state created or stopped. Returns init's pid.
    int64_t start(const StartOptions &opts = {});
    int64_t start(const ProcessSpec &process, const StartOptions &opts = {});

    // Waits for init to exit and returns its status. With a timeout, throws Errc::timeout when
    // it runs out.
    ExitStatus wait(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

    // Sends `sig` to init, or to every process of the container when `all` is set.
    void kill(int sig = SIGTERM, bool all = false);

    // Removes the container: cgroups, mounts, state. A running container is refused
    // (Errc::bad_state) unless `force`, which kills it first.
    void destroy(bool force = false);

    State state();
    ContainerInfo info();

    // Runs another process inside the running container (its namespaces, cgroups, root).
    // Returns its pid; wait_process() collects its status.
    int64_t exec(const ProcessSpec &process, const StartOptions &opts = {});
    ExitStatus wait_process(int64_t pid,
                            std::optional<std::chrono::milliseconds> timeout = std::nullopt);
    // Sends `sig` to one process of the container started by exec() (or to init: pid 0).
    void kill_process(int64_t pid, int sig);

    // Freezes / thaws every process of the container (state paused <-> running).
    void pause();
    void resume();

    // Changes the limits of a created or running container. Only the fields set in
    // `resources` change; the others keep their values.
    void update(const Resources &resources);
    Stats stats();
    std::vector<ProcessInfo> processes();

    // Saves the running container's whole state (processes, namespaces, mounts, cgroup
    // settings, interfaces) into opts.dir. Without leave_running the container is stopped.
    void checkpoint(const CheckpointOptions &opts);

    // A file of the container's own cgroup of `controller` ("memory", "cpu", ...; "name=X"
    // for a named hierarchy; "unified" for the cgroup2 tree), for what has no spec field.
    // `file` is a plain file name of that directory. Backends without cgroup files throw
    // Errc::unsupported.
    std::string read_cgroup(const std::string &controller, const std::string &file);
    void write_cgroup(const std::string &controller, const std::string &file,
                      const std::string &value);

    // The session keeps the container's namespaces and root open, so that they outlive its
    // processes (until destroy() or the session's end): join() then still finds them. With
    // `hold` false, it lets go of them.
    void hold_namespaces(bool hold = true);
    // Moves the calling process into the container's namespaces (those held, else its
    // init's) and its root, as setns(2) does. Only for containers on this machine (backend
    // linux); a multi-threaded caller cannot join a mount or user namespace.
    void join();

    // Moves the running container to the session at `to_uri` (e.g. linux+ssh://host/):
    // checkpoint here, images copied over, restore there, destroy here only once it runs
    // there. On failure it keeps running here. Returns the handle in the new session.
    Container migrate(const std::string &to_uri, const MigrateOptions &opts = {});

  private:
    friend class Session;
    Container(std::shared_ptr<detail::SessionCore> core, std::string name)
        : core_(std::move(core)), name_(std::move(name)) {}
    std::shared_ptr<detail::SessionCore> core_;
    std::string name_;
};

}  // namespace ct
