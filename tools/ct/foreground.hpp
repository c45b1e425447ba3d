// A container process in the foreground of `ct run`, `ct start --attach`, `ct exec` and
// `ct restore --attach`: signals to ct go to it, -t gives it ct's terminal, and ct's exit code is
// its (or ct's own for a failure to start it).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "ct/ct.hpp"
#include "io.hpp"

namespace ct::cli {

class Foreground {
  public:
    // `tty`: the process gets a terminal whose master comes back over a console socket.
    explicit Foreground(bool tty);
    ~Foreground();
    Foreground(const Foreground &) = delete;
    Foreground &operator=(const Foreground &) = delete;

    // Start options carrying the console socket (when there is one).
    StartOptions options() const;
    int console_socket() const;
    // For a process found to have no terminal after all (a restored one): no master will come.
    void without_console();

    // `start` starts the process and returns its pid; `wait` waits for it.
    int run(Container &c, const std::function<int64_t()> &start,
            const std::function<ExitStatus(int64_t)> &wait);
    // The same for a process whose container the start makes (restore): `start` returns it.
    int run_new(const std::function<Container()> &start,
                const std::function<ExitStatus(Container &)> &wait);

    bool pid_is_init_ = true;  // false for exec: signals go to the exec'd process only

  private:
    int attach_and_wait(const std::function<ExitStatus()> &wait);
    void on_signal(int sig);
    void deliver(int sig);

    std::unique_ptr<Console> console_;
    std::unique_ptr<SignalForwarder> forwarder_;
    std::mutex mu_;
    Container *target_ = nullptr;
    std::optional<Container> made_;  // run_new's
    int64_t pid_ = 0;
    int pending_ = 0;
};

}  // namespace ct::cli
