// The checkpoint image directories a migration makes on this host through this agent
// (/var/tmp/ct-migrate.NAME.{in,out}.*, loader/migrate.cpp). The client removes them when a
// migration ends or fails; when the client cannot (its link died), the agent does, and when
// the agent could not either (it was killed), the next migration through any agent does.
//
// Each directory is leased: a file DIR.lease, locked (flock) by the agent for as long as it
// lives. A lease nobody holds marks a directory whose agent is gone. Directories without a
// lease (a migration between two local sessions, made by libct in the caller's process) are
// never touched.
//
// Destination images (.in.) are only ever a copy: removed whenever their agent is gone. Source
// images (.out.) may be the only copy of a container whose backend could not freeze it (its
// checkpoint stopped it): they are removed at the agent's end only while the container they
// were taken from still lives on this host, and are never swept. A source still leased at the
// agent's end means that the migration had not passed its transfer (the client removes the
// source images of a frozen container right after it): a container still frozen is thawed.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../fd.hpp"

namespace ct::remote::agent {

class ImageDirs {
  public:
    // Where migrations put their images, and whether `dir` is one of those directories.
    static constexpr const char *kParent = "/var/tmp";
    static bool is_migration_dir(const std::string &dir);
    // A destination's directory (.in.): a partial or complete copy, nothing else.
    static bool is_copy(const std::string &dir);

    // Before `dir` is made: leases it to this agent, then sweeps stale directories. Best effort
    // (a lease that cannot be taken only means no clean-up by the agent): reports on stderr.
    // `container` is the one whose images go there.
    void claim(const std::string &dir, const std::string &container);
    // After the client removed `dir` itself: the lease goes.
    void release(const std::string &dir);
    // The client is gone: every directory still leased is removed, with its lease, except
    // source images of a container for which `settle` (which may thaw it) answers that it does
    // not run here (kept, reported on stderr).
    void remove_all(const std::function<bool(const std::string &container)> &settle);

    // Removes every destination directory under `parent` (kParent; tests give another) whose
    // lease nobody holds (and the lease); returns the directories removed.
    static std::vector<std::string> sweep(const std::string &parent = kParent);

  private:
    std::mutex mu_;
    struct Lease {
        Fd fd;
        std::string container;
    };
    std::map<std::string, Lease> leases_;
};

}  // namespace ct::remote::agent
