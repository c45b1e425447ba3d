// Freezing every process of a container: cgroup.freeze of its cgroup2 directory (v2 and
// hybrid hosts: the unified tree has it without any controller), else the v1 freezer
// controller (legacy hosts).
#pragma once

#include <string>

#include "cgroups/cgroups.hpp"

namespace ct::linux_native {

class Freezer {
  public:
    explicit Freezer(const ContainerCgroups::Paths &paths);

    // "cgroup.freeze", "freezer.state" or "" (none: pause is unsupported for this container).
    const char *mechanism() const;
    bool v1() const { return !v1_dir_.empty() && v2_dir_.empty(); }

    // Freezes and waits until every task is frozen. On a timeout it thaws again and throws:
    // a half-frozen container is never left behind.
    void freeze() const;
    // Thaws (immediate). No-op without a freezer.
    void thaw() const;
    bool frozen() const;
    // Whether a freeze was asked for and not undone (frozen, or still freezing): what a pause
    // or checkpoint killed before it thawed or saved its state leaves.
    bool asked() const;

  private:
    std::string v2_dir_, v1_dir_;
    bool paths_empty_ = false;
};

// Thaws on scope exit when `active` and the freezer is v1: there even SIGKILL waits for the
// thaw, so a kill of a paused container takes effect at once (v2 delivers it while frozen).
class Thaw {
  public:
    Thaw(const ContainerCgroups::Paths &paths, bool active)
        : f_(paths), active_(active && f_.v1()) {}
    ~Thaw() {
        if (!active_) return;
        try {
            f_.thaw();
        } catch (...) {
            // The signal was sent; destroy thaws again.
        }
    }
    Thaw(const Thaw &) = delete;
    Thaw &operator=(const Thaw &) = delete;

  private:
    Freezer f_;
    bool active_;
};

}  // namespace ct::linux_native
