// A process that keeps the session of whoever started it (process.new_session false) has that
// caller's terminal as its controlling terminal. With it, TIOCSTI pushes characters into the
// terminal's input, which the caller's shell reads as typed once the container is done: a
// command run as the host user, root for `ct run` from a root shell. TIOCLINUX pastes a
// selection on a virtual console the same way. bubblewrap and Flatpak refuse both for the same
// reason; here a second seccomp filter, stacked on the profile (whatever it is, unconfined
// too), answers them EPERM.
#pragma once

#include "ct/spec.hpp"

namespace ct::linux_native {

// The guard as a profile: allow everything, but ioctl TIOCSTI and TIOCLINUX.
SeccompSpec terminal_injection_guard();

}  // namespace ct::linux_native
