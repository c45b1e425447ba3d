// ct::Container: a handle on one container of a session.
#pragma once

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>

#include "ct/export.hpp"
#include "ct/info.hpp"
#include "ct/spec.hpp"

namespace ct {

namespace detail {
struct SessionCore;
}

// File descriptors of the calling process to hand to a container process as its stdio.
// -1 means /dev/null. The default passes the caller's own 0, 1 and 2 through.
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

    void pause();
    void resume();

private:
    friend class Session;
    Container(std::shared_ptr<detail::SessionCore> core, std::string name)
        : core_(std::move(core)), name_(std::move(name)) {}
    std::shared_ptr<detail::SessionCore> core_;
    std::string name_;
};

}  // namespace ct
