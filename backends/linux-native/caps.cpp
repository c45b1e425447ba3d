#include "caps.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include "sys.hpp"

namespace ct::linux_native {
namespace {

// Index = capability number (linux/capability.h).
const char *const kNames[] = {"chown",
                              "dac_override",
                              "dac_read_search",
                              "fowner",
                              "fsetid",
                              "kill",
                              "setgid",
                              "setuid",
                              "setpcap",
                              "linux_immutable",
                              "net_bind_service",
                              "net_broadcast",
                              "net_admin",
                              "net_raw",
                              "ipc_lock",
                              "ipc_owner",
                              "sys_module",
                              "sys_rawio",
                              "sys_chroot",
                              "sys_ptrace",
                              "sys_pacct",
                              "sys_admin",
                              "sys_boot",
                              "sys_nice",
                              "sys_resource",
                              "sys_time",
                              "sys_tty_config",
                              "mknod",
                              "lease",
                              "audit_write",
                              "audit_control",
                              "setfcap",
                              "mac_override",
                              "mac_admin",
                              "syslog",
                              "wake_alarm",
                              "block_suspend",
                              "audit_read",
                              "perfmon",
                              "bpf",
                              "checkpoint_restore"};
constexpr int kKnown = static_cast<int>(sizeof kNames / sizeof kNames[0]);

int kernel_last_cap() {
    std::string text;
    if (read_file("/proc/sys/kernel/cap_last_cap", text)) {
        try {
            return std::stoi(text);
        } catch (...) {
        }
    }
    return CAP_LAST_CAP;
}

uint64_t mask_of(const std::vector<std::string> &names, int last, const std::string &field) {
    uint64_t m = 0;
    for (const auto &raw : names) {
        std::string n;
        for (char c : raw) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (n.rfind("cap_", 0) == 0) n = n.substr(4);
        if (n == "all") {
            m |= last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
            continue;
        }
        int cap = -1;
        for (int i = 0; i < kKnown; ++i)
            if (n == kNames[i]) cap = i;
        if (cap < 0) throw Error(Errc::invalid_spec, field + ": unknown capability '" + raw + "'");
        if (cap > last)
            throw Error(Errc::unsupported, field + ": this kernel does not have capability '" +
                                               raw + "' (its last is " + std::to_string(last) +
                                               ")");
        m |= 1ULL << cap;
    }
    return m;
}

int capset_raw(uint64_t eff, uint64_t perm, uint64_t inh) {
    struct __user_cap_header_struct h {};
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = 0;
    struct __user_cap_data_struct d[2]{};
    d[0].effective = static_cast<uint32_t>(eff);
    d[1].effective = static_cast<uint32_t>(eff >> 32);
    d[0].permitted = static_cast<uint32_t>(perm);
    d[1].permitted = static_cast<uint32_t>(perm >> 32);
    d[0].inheritable = static_cast<uint32_t>(inh);
    d[1].inheritable = static_cast<uint32_t>(inh >> 32);
    return static_cast<int>(::syscall(SYS_capset, &h, d));
}

}  // namespace

CapPlan plan_capabilities(const std::optional<Capabilities> &caps, const std::string &field) {
    CapPlan p;
    if (!caps) return p;
    p.set = true;
    p.last_cap = kernel_last_cap();
    bool one = caps->uniform();
    auto f = [&](const char *set) { return one ? field : field + "." + set; };
    p.bounding = mask_of(caps->bounding, p.last_cap, f("bounding"));
    p.effective = mask_of(caps->effective, p.last_cap, f("effective"));
    p.permitted = mask_of(caps->permitted, p.last_cap, f("permitted"));
    p.inheritable = mask_of(caps->inheritable, p.last_cap, f("inheritable"));
    p.ambient = mask_of(caps->ambient, p.last_cap, f("ambient"));
    // The kernel's own rules, checked here so that the error names the field rather than
    // coming back as EPERM from the container's setup.
    if (p.effective & ~p.permitted)
        throw Error(Errc::invalid_spec, field + ": effective capabilities must also be permitted");
    if (p.inheritable & ~p.bounding)
        throw Error(Errc::invalid_spec,
                    field + ": inheritable capabilities must also be in the bounding set");
    if (p.ambient & ~(p.permitted & p.inheritable))
        throw Error(Errc::invalid_spec,
                    field + ": ambient capabilities must also be permitted and inheritable");
    return p;
}

int caps_before_setuid(const CapPlan &p, const char **step) {
    if (!p.set) return 0;
    for (int cap = 0; cap <= p.last_cap; ++cap) {
        if (p.bounding & (1ULL << cap)) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
            *step = "drop a capability from the bounding set";
            return errno;
        }
    }
    // Without it, a change from uid 0 to another uid clears the permitted set.
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
        *step = "keep capabilities across setuid";
        return errno;
    }
    return 0;
}

int caps_after_setuid(const CapPlan &p, const char **step) {
    if (!p.set) return 0;
    if (capset_raw(p.effective, p.permitted, p.inheritable) < 0) {
        *step = "set the effective, permitted and inheritable capabilities";
        return errno;
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
        *step = "clear the ambient capabilities";
        return errno;
    }
    for (int cap = 0; cap <= p.last_cap; ++cap) {
        if (!(p.ambient & (1ULL << cap))) continue;
        if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
            *step = "raise an ambient capability";
            return errno;
        }
    }
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
        *step = "reset keep-capabilities";
        return errno;
    }
    return 0;
}

}  // namespace ct::linux_native
