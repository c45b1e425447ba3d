// Commands that leave a container frozen while they run (checkpoint, migrate) must not be
// stopped half-way by a catchable signal: the container would stay frozen.
#pragma once

#include <signal.h>

#include <string>

namespace ct::cli {

// While alive, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to ct are noted instead of ending it,
// so the operation runs to its end or fails and undoes itself (the helpers it executes, CRIU
// and ssh, get the default dispositions: a terminal's ^C, sent to the whole foreground group,
// still ends them and so makes the operation fail cleanly). Once the operation has returned,
// the destructor ends ct with the noted signal, as that signal would have.
class DeferredStop {
  public:
    // `what`: the operation, for the message ("the checkpoint of container 'web1'").
    explicit DeferredStop(std::string what);
    ~DeferredStop();
    DeferredStop(const DeferredStop &) = delete;
    DeferredStop &operator=(const DeferredStop &) = delete;

  private:
    std::string what_;
    struct sigaction old_[4];
};

}  // namespace ct::cli
