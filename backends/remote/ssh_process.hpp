// The system ssh, run as the session's connection: its stdin/stdout are one end of a socket
// pair (the link), its stderr is kept apart and its tail is added to transport errors.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fd.hpp"

namespace ct::remote {

class SshProcess {
  public:
    // Spawns argv (argv[0] is looked up in PATH) in a session of its own, so that the
    // caller's terminal signals (Ctrl-C) do not cut the link. Throws Error(transport).
    explicit SshProcess(const std::vector<std::string> &argv);
    ~SshProcess();  // kills (if still running) and reaps
    SshProcess(const SshProcess &) = delete;
    SshProcess &operator=(const SshProcess &) = delete;

    int fd() const { return link_.get(); }
    // Half-closes the link: the far side reads EOF and ends.
    void shutdown_write();
    // True once ssh has exited (waits up to timeout_ms).
    bool wait_exit(int timeout_ms);
    void kill();
    // Exit status (waitpid form), or -1 while running.
    int status() const;
    // What ssh wrote on stderr (the last few KiB), trimmed. Waits up to wait_ms for the end
    // of its stderr (ssh has exited but the pipe is not drained yet).
    std::string stderr_text(int wait_ms = 500);

  private:
    Fd link_, pidfd_;
    pid_t pid_ = -1;
    int status_ = -1;
    mutable std::mutex smu_;  // pid_/status_ (waits on it never block the stderr reader)
    // What the stderr reader collects. Shared with it: a descendant of ssh (a ProxyCommand)
    // may keep the pipe open after ssh is gone, and the reader is then left behind.
    struct Stderr {
        std::mutex mu;
        std::condition_variable cv;
        std::string text;
        bool done = false;
    };
    std::shared_ptr<Stderr> err_ = std::make_shared<Stderr>();
    std::thread err_reader_;
};

}  // namespace ct::remote
