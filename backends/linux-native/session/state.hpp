// On-disk container state: <root>/<name>/state.json (+ "exit", written by a detached start's
// monitor, and the network's record). The directory is the container's lock (flock) and its
// existence is its name's reservation, so concurrent processes on one state root cannot create
// the same container or step on each other's updates.
//
// Crash consistency (docs/architecture.md): a container directory appears under its name only
// with a state file in it (made under a hidden temporary name, then renamed), and the state file
// says what is about to be made before it is made (status creating / starting / destroying, with
// the cgroup paths planned). A process killed at any moment leaves either nothing under the
// name, or a directory whose state file names everything that may exist; the next destroy
// removes it all. A directory leaves its name in one rename too (to a hidden trash name) before
// its files are removed.
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
    // creating | created | starting | running | paused | stopped | destroying. The -ing ones
    // are written before the step that makes or removes things and replaced once it is done:
    // found with the lock free, they mean the process doing the step died.
    std::string status = "created";
    std::string previous;  // starting/destroying: the status before it, to go back to
    int64_t created = 0;
    int64_t pid = 0;                   // init, host pid
    unsigned long long pid_start = 0;  // its start time, to detect pid reuse
    int64_t monitor_pid = 0;           // detached start: the process that reaps init
    unsigned long long monitor_start = 0;
    // Status starting, with no cgroup to find its processes by: the child, noted before it is
    // released to exec, so that what an interrupted start leaves running can still be killed.
    int64_t starting_pid = 0;
    unsigned long long starting_pid_start = 0;
    // An update written to the spec and maybe not yet (or only partly) to the cgroups: set
    // before the cgroups are written, cleared once they are. The next update, or a start,
    // writes the spec's limits again.
    bool updating = false;
    std::optional<int> exit_wstatus;  // waitpid status of the last run, when known
    ContainerCgroups::Paths cgroups;  // made, or (status creating) about to be made
    // Mount points its starts made (or are about to make) in its dir area, for destroy to
    // remove (fs/area_points.hpp).
    std::vector<std::string> area_made;
};

// True for a status written before a step and replaced after it.
bool transitional(const std::string &status);

class StateStore {
  public:
    // A container directory, locked unless opened for a peek.
    class Entry {
      public:
        ContainerState state;
        // No usable state file: a directory made by hand, by an older libct that crashed, or a
        // state file damaged outside libct (`damage` says which).
        bool stateless = false;
        std::string damage;
        // Opened for a peek while another process holds the lock (a step in progress).
        bool busy = false;
        const std::string &dir() const { return dir_; }
        int dirfd() const { return fd_.get(); }
        void save() const;  // atomic replace of state.json
        // The monitor's record of init's exit, if it wrote one (for init `pid`, when given).
        std::optional<int> read_exit_file(int64_t pid = 0) const;
        // True if a step's status is on record (cut short, or under way for a peek) or the
        // state is missing: the container is incomplete.
        bool interrupted() const;
        // Why it is incomplete, "" if it is not.
        std::string incomplete() const;
        // The refusal of an operation on it, saying how to get out.
        Error incomplete_error(const std::string &name) const;

      private:
        friend class StateStore;
        std::string dir_;
        Fd fd_;
    };

    StateStore() = default;
    // Nothing is made here: a read-only command on a state root that does not exist finds no
    // containers, and only create() makes the root.
    explicit StateStore(std::string root) : root_(std::move(root)) {}
    const std::string &root() const { return root_; }

    // Reserves `name` (Errc::exists if taken) and returns its locked entry, whose state file
    // (`initial`, status "creating" unless set otherwise) is already on disk.
    Entry create(const std::string &name, ContainerState initial = creating()) const;
    // Opens an existing container (Errc::not_found). `lock` false: a peek, without the lock.
    // Locked, an incomplete container is refused (Errc::bad_state, saying how to remove it)
    // unless `incomplete_too`: only destroy and start (which undoes a crashed start) take one.
    Entry open(const std::string &name, bool lock = true, bool incomplete_too = false) const;
    // Takes the container's name away (one rename), then deletes its directory.
    void remove(const std::string &name) const;
    std::vector<std::string> names() const;

    static ContainerState creating() {
        ContainerState s;
        s.status = "creating";
        return s;
    }

  private:
    // Deletes the hidden directories of creates and removes whose process died half-way
    // (remove() calls it, and open() of a name that has no directory: the destroy a user
    // runs after a crash clears what it left, found or not).
    void sweep() const;
    std::string root_;
};

}  // namespace ct::linux_native
