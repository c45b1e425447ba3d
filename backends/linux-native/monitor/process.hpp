#include "support.hpp"
// pidfd helpers.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>

namespace ct::linux_native {

// A pidfd for `pid` if it is alive and started at `start_time`, else an empty Fd. With
// `exited_too`, also while it has exited and is not reaped yet (a zombie: to reap it).
Fd open_pidfd(pid_t pid, unsigned long long start_time, bool exited_too = false);

// Waits up to timeout_ms (< 0: forever) for the process behind `pidfd` to exit.
// Returns false on timeout.
bool wait_exit(int pidfd, long long timeout_ms);

// Reaps a child through its pidfd; returns its waitpid()-style status, or -1 if it was
// already reaped by someone else.
int reap(int pidfd);

// siginfo from waitid() -> waitpid()-style status word.
int wstatus_from(const siginfo_t &si);

int send_signal(int pidfd, int sig);

}  // namespace ct::linux_native
