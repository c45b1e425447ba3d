// Where the cgroup hierarchies are on this host: cgroup v1 (legacy), v2 (unified), or hybrid
// (v1 controllers plus a controller-less cgroup2 tree, as systemd's hybrid mode sets up). crun
// refuses hybrid hosts; we use each hierarchy for what it is good at: v1 for the limits, the
// cgroup2 tree for tracking, cgroup.kill and cgroup.freeze.
#pragma once

#include <map>
#include <set>
#include <string>

namespace ct::linux_native {

enum class CgroupMode { legacy, hybrid, unified };

struct CgroupLayout {
    CgroupMode mode = CgroupMode::legacy;
    std::string v2_root;                    // cgroup2 mount point, "" if none
    std::set<std::string> v2_controllers;   // from <v2_root>/cgroup.controllers
    std::map<std::string, std::string> v1;  // controller or "name=X" -> v1 mount point

    // Parses /proc/self/mountinfo (or `mountinfo_path`, for tests).
    static CgroupLayout detect(const std::string &mountinfo_path = "/proc/self/mountinfo");

    // Where `controller` lives: "v1", "v2" or "" (unavailable).
    std::string where(const std::string &controller) const;
    const char *mode_name() const;
};

// Mounts the named cgroup-v1 hierarchy `name` ("name=X") at /sys/fs/cgroup/.X, for a spec that
// asks for one the host has mounted nowhere (the historical libct's KILLABLE did the same).
// Throws naming the hierarchy and the cause.
void mount_named_hierarchy(const std::string &name);

}  // namespace ct::linux_native
