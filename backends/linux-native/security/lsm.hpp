// Linux security modules (AppArmor, SELinux): whether this host has one enabled, and what a
// process writes to be executed under a profile or label.
#pragma once

#include <string>

#include "ct/spec.hpp"

namespace ct::linux_native {

struct LsmExec {
    std::string attr;   // under /proc/thread-self: "attr/apparmor/exec" or "attr/exec"
    std::string value;  // what is written there
};

// The label the process's exec gets, or an empty attr when it asks for none. Throws
// Errc::unsupported naming `field` when it asks for a module this host does not have enabled.
LsmExec plan_lsm(const ProcessSpec &process, const std::string &field);

}  // namespace ct::linux_native
