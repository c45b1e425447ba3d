// Small helpers the session's files share: waiting with backoff and checking on processes.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <thread>

namespace ct::openvz {

// Sleeps a little longer each time: quick answers for quick processes, little load otherwise.
class Backoff {
  public:
    explicit Backoff(int64_t timeout_ms)
        : deadline_(timeout_ms < 0 ? std::chrono::steady_clock::time_point::max()
                                   : std::chrono::steady_clock::now() +
                                         std::chrono::milliseconds(timeout_ms)) {}
    // false once the deadline has passed.
    bool sleep() {
        if (std::chrono::steady_clock::now() >= deadline_) return false;
        std::this_thread::sleep_for(step_);
        step_ = std::min(step_ * 2, std::chrono::milliseconds(50));
        return true;
    }

  private:
    std::chrono::steady_clock::time_point deadline_;
    std::chrono::milliseconds step_{1};
};

}  // namespace ct::openvz
