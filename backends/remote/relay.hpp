// A thread pumping bytes between a local fd and a stream of the link: a process's stdio on the
// agent's side, the caller's fds (or a local pty) on the client's side.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "fd.hpp"
#include "peer.hpp"

namespace ct::remote {

class Relay {
  public:
    // Reads `fd` until its end (EOF, or EIO of a pty whose other side closed) into `out`, then
    // ends the stream. `tick`, if given, runs at least every 100 ms while it pumps.
    static std::unique_ptr<Relay> from_fd(Fd fd, std::shared_ptr<OutStream> out,
                                          std::function<void(int fd)> tick = {});
    // Writes `in` to `fd` until the stream ends; stops the stream when `fd` cannot take more
    // (its reader went away). Closes `fd` at the end either way, then runs `on_end`.
    static std::unique_ptr<Relay> to_fd(std::shared_ptr<InStream> in, Fd fd,
                                        std::function<void()> on_end = {});

    ~Relay();  // cancels and joins
    Relay(const Relay &) = delete;
    Relay &operator=(const Relay &) = delete;

    // True once the pump has finished (within timeout_ms; < 0 waits for ever).
    bool wait(int timeout_ms);
    // Makes the pump finish soon, whatever it is doing.
    void cancel();

  private:
    Relay();
    void run_from(std::function<void(int)> tick);
    void run_to(std::function<void()> on_end);
    void finished();
    Fd fd_, wake_;
    std::shared_ptr<OutStream> out_;
    std::shared_ptr<InStream> in_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    std::atomic<bool> cancelled_{false};
    std::thread thread_;
};

}  // namespace ct::remote
