// Detached launches: the process is started by a monitor process that outlives the caller,
// reaps it and records its wait status in the container's state directory, so that a later
// session can still learn how it ended.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "launch/launch.hpp"

namespace ct::linux_native {

struct Detached {
    int64_t pid = 0;                       // the launched process (host pid)
    int64_t monitor = 0;                   // the monitor that reaps it
    unsigned long long monitor_start = 0;  // its start time, against pid reuse
};

// Launches `plan` from a double-forked monitor. Once the process has exited, the monitor
// writes its waitpid() status into <state_dir>/<exit_file_name(pid)>: "<status> <pid>\n", in
// one write into space reserved before the launch (so a disk that filled up meanwhile cannot
// lose it; a launch on a disk too full for the record fails). Until then the file is empty.
// `what` names the launch in errors ("container 'web1'").
Detached launch_detached(LaunchPlan &plan, const AfterClone &after_clone,
                         const std::string &state_dir, bool per_pid_exit_file,
                         const std::string &what);

// The same for any way of making the process a child of the calling process: `spawn` runs in
// the monitor (a fork of the caller). CRIU's restore uses it.
Detached launch_detached(const std::function<Launched()> &spawn, const std::string &state_dir,
                         bool per_pid_exit_file, const std::string &what);

// The exit record of a detached launch: "exit" for a container's init, "exec.<pid>.exit" for
// an exec'd process.
std::string exit_file_name(bool per_pid, int64_t pid);

// An exec'd process's record beside its exit record, "exec.<pid>.run": "<start time of the
// process> <monitor pid> <monitor start time>\n", written by the monitor before it reports.
std::string run_file_name(int64_t pid);

// The wait status in an exit record's text, if it is complete and (pid != 0) of process `pid`.
std::optional<int> parse_exit_record(const std::string &text, int64_t pid = 0);

}  // namespace ct::linux_native
