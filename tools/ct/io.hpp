// Foreground process plumbing for `ct run` and `ct exec`: forwarding the signals ct receives
// to the container's process, and an interactive terminal (-t).
#pragma once

#include <functional>
#include <memory>

#include "ct/ct.hpp"

namespace ct::cli {

// While alive, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH sent to ct are
// blocked in every thread and handed to `forward` on a thread of their own (a signal handler
// could not call into libct safely).
class SignalForwarder {
  public:
    explicit SignalForwarder(std::function<void(int sig)> forward);
    ~SignalForwarder();
    SignalForwarder(const SignalForwarder &) = delete;
    SignalForwarder &operator=(const SignalForwarder &) = delete;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A process on a terminal of its own starts with the size of ct's terminal (stdin's) unless its
// spec sets one: resizes reach the pty only once ct holds it, after the process has started,
// and a program that reads its size first (stty, ls, an editor) would see 0x0.
void take_terminal_size(ProcessSpec &p);

// An interactive terminal for a container process: a socket on which the backend sends the pty
// master, then ct's own terminal in raw mode relayed to and from it, window size included.
class Console {
  public:
    Console();  // makes the console socket pair
    ~Console();
    Console(const Console &) = delete;
    Console &operator=(const Console &) = delete;

    // The end to put in StartOptions::console_socket.
    int socket_for_backend() const;
    // After start/exec returned: receives the master and starts relaying. Throws ct::Error
    // when the backend sent none.
    void attach();
    // Called on SIGWINCH: copies ct's window size to the pty.
    void resize();
    // Stops relaying once the process has exited, draining what it wrote.
    void finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ct::cli
