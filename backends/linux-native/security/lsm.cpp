#include "security/lsm.hpp"
#include "support.hpp"

#include <sys/statfs.h>
#include <unistd.h>

namespace ct::linux_native {
namespace {

constexpr long kSelinuxMagic = 0xf97cff8c;

// Enabled, not only built in: the module parameter says so once the kernel has started it.
bool apparmor_enabled() {
    std::string v;
    return read_file("/sys/module/apparmor/parameters/enabled", v) && !v.empty() && v[0] == 'Y';
}

// selinuxfs is mounted (by the init system) exactly when SELinux is enabled.
bool selinux_enabled() {
    struct statfs sf;
    return ::statfs("/sys/fs/selinux", &sf) == 0 && sf.f_type == kSelinuxMagic &&
           ::access("/sys/fs/selinux/enforce", F_OK) == 0;
}

}  // namespace

LsmExec plan_lsm(const ProcessSpec &p, const std::string &field) {
    if (!p.apparmor_profile.empty() && !p.selinux_label.empty())
        throw Error(Errc::invalid_spec,
                    field +
                        ": give an AppArmor profile or an SELinux label, not both (one "
                        "host runs one of them)");
    if (!p.apparmor_profile.empty()) {
        if (!apparmor_enabled())
            throw Error(Errc::unsupported,
                        field +
                            ".apparmor_profile: AppArmor is not enabled on this host "
                            "(/sys/module/apparmor/parameters/enabled is not Y), so profile '" +
                            p.apparmor_profile + "' cannot be applied");
        // With several modules stacked, AppArmor's own file; alone, the shared one.
        bool own = ::access("/proc/thread-self/attr/apparmor/exec", F_OK) == 0;
        return {own ? "attr/apparmor/exec" : "attr/exec", "exec " + p.apparmor_profile};
    }
    if (!p.selinux_label.empty()) {
        if (!selinux_enabled())
            throw Error(Errc::unsupported,
                        field +
                            ".selinux_label: SELinux is not enabled on this host (no "
                            "selinuxfs at /sys/fs/selinux), so label '" +
                            p.selinux_label + "' cannot be applied");
        return {"attr/exec", p.selinux_label};
    }
    return {};
}

}  // namespace ct::linux_native
