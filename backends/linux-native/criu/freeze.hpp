// Freezing a container's cgroup for a dump. CRIU can freeze a cgroup itself, but it polls the
// freezer every 100 ms; frozen here first (well under a millisecond for a small tree), CRIU
// finds it frozen, dumps at once, and leaves thawing to us.
#pragma once

#include <string>

#include "cgroups.hpp"

namespace ct::linux_native::criu {

class CgroupFreezer {
  public:
    // The container's freezer: its cgroup2 directory, else its v1 freezer one; none: empty().
    explicit CgroupFreezer(const ContainerCgroups::Paths &paths);

    bool empty() const { return path_.empty(); }
    const std::string &path() const { return path_; }
    // Whether it was frozen before freeze() (a paused container): then thaw() keeps it so.
    bool was_frozen() const { return was_frozen_; }

    // Freezes and waits until every task is frozen (10 s at most). Throws on failure.
    void freeze();
    // Thaws, unless it was frozen before (or `always`). Returns false if the kernel refused.
    bool thaw(bool always = false);

  private:
    bool frozen() const;
    std::string path_;
    bool v2_ = false, was_frozen_ = false;
};

}  // namespace ct::linux_native::criu
