// On-disk container state: <root>/<name>/state.json (+ "exit", written by a detached start's
// monitor). The directory is the container's lock (flock) and its existence is its name's
// reservation, so concurrent processes on one state root cannot create the same container or
// step on each other's updates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cgroups/cgroups.hpp"
#include "ct/spec.hpp"
#include "support.hpp"

namespace ct::linux_native {

struct ContainerState {
    Spec spec;
    std::string status = "created";  // created | running | stopped (as last recorded)
    int64_t created = 0;
    int64_t pid = 0;                   // init, host pid
    unsigned long long pid_start = 0;  // its start time, to detect pid reuse
    int64_t monitor_pid = 0;           // detached start: the process that reaps init
    unsigned long long monitor_start = 0;
    std::optional<int> exit_wstatus;  // waitpid status of the last run, when known
    ContainerCgroups::Paths cgroups;
};

class StateStore {
  public:
    // A locked container directory.
    class Entry {
      public:
        ContainerState state;
        const std::string &dir() const { return dir_; }
        int dirfd() const { return fd_.get(); }
        void save() const;  // atomic replace of state.json
        // The monitor's record of init's exit, if it wrote one.
        std::optional<int> read_exit_file() const;

      private:
        friend class StateStore;
        std::string dir_;
        Fd fd_;
    };

    StateStore() = default;
    explicit StateStore(std::string root);
    const std::string &root() const { return root_; }

    // Reserves `name` (Errc::exists if taken) and returns its locked, empty entry.
    Entry create(const std::string &name) const;
    // Opens and locks an existing container (Errc::not_found). `lock` false: read-only peek.
    Entry open(const std::string &name, bool lock = true) const;
    // Deletes the container's directory and everything in it.
    void remove(const std::string &name) const;
    std::vector<std::string> names() const;

  private:
    std::string root_;
};

}  // namespace ct::linux_native
