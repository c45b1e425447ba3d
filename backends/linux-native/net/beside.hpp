// A container's network set up beside its launch, on a thread of its own. Making the
// namespace (0.45 ms here: the kernel's per-namespace setup) and its interfaces (0.5 ms with
// a veth) need not delay the clone: the child is cloned at once and builds its root while the
// thread works, and takes each result when it needs it.
//
// The thread talks to the child over a datagram socket pair (net_channel in the LaunchPlan):
//   1. the namespace ('n' with the fd attached), which the child joins before it mounts
//      anything that shows the network namespace of its mounter (sysfs);
//   2. 'g' once the spec's interfaces are ready, which the child waits for before its first
//      step that needs them (sysctls, the command).
// Any other byte, or none, means the thread failed: the child gives up, and finish() throws
// the thread's error, the one to report.
#pragma once

#include <exception>
#include <string>
#include <thread>

#include "net/network.hpp"
#include "support.hpp"

namespace ct::linux_native::net {

class AttachBeside {
  public:
    // Starts the thread. `network` must outlive the object.
    AttachBeside(const Network &network, std::string state_dir);
    // Waits for the thread (it always ends by itself: it never waits for the child).
    ~AttachBeside();
    AttachBeside(const AttachBeside &) = delete;
    AttachBeside &operator=(const AttachBeside &) = delete;

    // The child's end of the channel (for LaunchPlan::net_channel).
    Fd take_child_end() { return std::move(theirs_); }
    // The thread's end, for LaunchPlan::net_channel_peer: open (same number) until finish().
    int thread_end() const { return ours_.get(); }
    // Waits for the thread; throws what failed in it.
    void finish();

  private:
    void run(const Network &network, const std::string &state_dir) noexcept;

    std::exception_ptr failure_;
    Fd ours_, theirs_;
    std::thread t_;  // last: starts once the members it uses exist
};

}  // namespace ct::linux_native::net
