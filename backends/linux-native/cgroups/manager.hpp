// How a session makes and configures its containers' cgroups: one implementation per way a
// host arranges its hierarchies, chosen once per session (for_host).
//
//   legacy   cgroup v1 only: a directory per controller (freezer for pause, cpuacct for CPU
//            time, the v1 devices controller for the device list);
//   unified  cgroup v2 only: one directory, with the controllers enabled down its parents;
//   hybrid   v1 controllers plus a controller-less (or nearly) cgroup2 tree, as systemd's
//            hybrid mode sets it up: the limits on v1, tracking, freezing, killing and the
//            device program on the cgroup2 directory. crun refuses such hosts.
//
// The cgroupfs managers share the mechanics (cgroupfs.cpp) and differ in where a controller
// lives (place()). A systemd manager — transient scopes over D-Bus, as Kubernetes nodes
// configure their runtimes — would implement this interface directly: plan() names a scope
// under a slice, create() asks systemd for it, apply() sets its properties. It is not built:
// PID 1 is not systemd on the hosts this is tested on (docs/architecture.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cgroups/cgroups.hpp"
#include "cgroups/layout.hpp"
#include "ct/spec.hpp"

namespace ct::linux_native {

class CgroupManager {
  public:
    explicit CgroupManager(CgroupLayout layout) : layout_(std::move(layout)) {}
    virtual ~CgroupManager() = default;

    // "cgroupfs (v1)", "cgroupfs (v2)", "cgroupfs (hybrid)".
    virtual const char *name() const = 0;
    const CgroupLayout &layout() const { return layout_; }

    // Which directories container `name` gets under `parent` (no system call): those its
    // limits, statistics and pause need, the hierarchies its spec asks for (`extra`), and
    // with `every_hierarchy` a directory in every v1 hierarchy mounted here. Throws
    // Errc::unsupported naming the field when a requested limit's controller or a requested
    // hierarchy is missing.
    virtual ContainerCgroups plan(const std::string &parent, const std::string &name,
                                  const Resources &res, const std::vector<std::string> &extra,
                                  bool every_hierarchy) const = 0;
    // Makes them, with whatever their parents need first; on failure removes what it made.
    // The name is checked for a leftover directory first: an existing one is Errc::exists.
    virtual void create(const ContainerCgroups &cg, const std::string &parent) const = 0;
    // Writes the limits `res` sets. Throws naming the spec field and the cgroup file.
    virtual void apply(const ContainerCgroups &cg, const Resources &res) const = 0;

    // The manager for the hierarchies `layout` describes.
    static std::unique_ptr<CgroupManager> for_host(CgroupLayout layout);

  protected:
    CgroupLayout layout_;
};

}  // namespace ct::linux_native
