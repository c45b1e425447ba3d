// Undo actions run in reverse order unless the operation completed (DESIGN: every failed step
// rolls back what it made). Shared by libct.so (generic migration) and the backends.
#pragma once

#include <functional>
#include <vector>

namespace ct {

class Rollback {
  public:
    Rollback() = default;
    Rollback(const Rollback &) = delete;
    Rollback &operator=(const Rollback &) = delete;
    ~Rollback() {
        if (done_) return;
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
            try {
                (*it)();
            } catch (...) {
                // Best effort: the original error is the one to report.
            }
        }
    }
    void add(std::function<void()> fn) { undo_.push_back(std::move(fn)); }
    void commit() { done_ = true; }

  private:
    std::vector<std::function<void()>> undo_;
    bool done_ = false;
};

}  // namespace ct
