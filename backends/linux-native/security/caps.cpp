#include "security/caps.hpp"
#include "support.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace ct::linux_native {
namespace {

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

// Canonical names (from effective_capabilities()) -> a mask of this kernel's capabilities.
uint64_t mask_of(const std::vector<std::string> &names, int last, const std::string &field) {
    uint64_t m = 0;
    for (const auto &name : names) {
        std::string n = name;
        for (auto &c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        cap_value_t cap;
        if (cap_from_name(n.c_str(), &cap) != 0 || cap < 0 || cap > 63)
            throw Error(Errc::invalid_spec, field + ": unknown capability '" + name + "'");
        if (cap > last)
            throw Error(Errc::unsupported, field + ": this kernel does not have capability '" +
                                               name + "' (its last is " + std::to_string(last) +
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

bool has(const std::vector<std::string> &set, const char *cap) {
    return std::find(set.begin(), set.end(), cap) != set.end();
}

}  // namespace

bool root_by_chroot(const Spec &s) {
    for (const auto &n : s.effective_namespaces())
        if (n.type == Namespace::mount && n.path.empty()) return false;
    return s.rootfs.find_first_not_of('/') != std::string::npos;
}

Capabilities container_capabilities(const Spec &s, const ProcessSpec &proc,
                                    const std::string &field) {
    Capabilities caps = effective_capabilities(proc, field);
    if (!root_by_chroot(s) || !has(caps.bounding, "CAP_SYS_CHROOT")) return caps;
    // Named in the spec: an exact set holding it, or added (by any spelling, or as "all").
    bool asked = proc.capabilities.has_value();
    for (std::string n : proc.capabilities_add) {
        for (auto &c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (n.rfind("cap_", 0) == 0) n.erase(0, 4);
        asked |= n == "sys_chroot" || n == "all";
    }
    if (!asked) {
        for (auto *set :
             {&caps.bounding, &caps.effective, &caps.permitted, &caps.inheritable, &caps.ambient})
            set->erase(std::remove(set->begin(), set->end(), "CAP_SYS_CHROOT"), set->end());
        return caps;
    }
    if (has(caps.bounding, "CAP_SYS_ADMIN")) return caps;
    throw Error(Errc::invalid_spec,
                "invalid spec: " + field +
                    ": CAP_SYS_CHROOT would let the container leave its root, which is entered "
                    "by chroot (it has no mount namespace of its own): add the mount namespace, "
                    "or leave CAP_SYS_CHROOT out");
}

CapPlan plan_capabilities(const Spec &s, const ProcessSpec &proc, const std::string &field) {
    CapPlan p;
    p.set = true;
    p.last_cap = kernel_last_cap();
    Capabilities caps = container_capabilities(s, proc, field);
    bool one = proc.capabilities && caps.uniform();
    auto f = [&](const char *set) { return one ? field : field + "." + set; };
    p.bounding = mask_of(caps.bounding, p.last_cap, f("bounding"));
    p.effective = mask_of(caps.effective, p.last_cap, f("effective"));
    p.permitted = mask_of(caps.permitted, p.last_cap, f("permitted"));
    p.inheritable = mask_of(caps.inheritable, p.last_cap, f("inheritable"));
    p.ambient = mask_of(caps.ambient, p.last_cap, f("ambient"));
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

void check_caller_has(const CapPlan &p, const std::string &field) {
    struct __user_cap_header_struct h {};
    h.version = _LINUX_CAPABILITY_VERSION_3;
    struct __user_cap_data_struct d[2]{};
    if (::syscall(SYS_capget, &h, d) != 0) return;  // the kernel will say
    uint64_t have = d[0].permitted | (static_cast<uint64_t>(d[1].permitted) << 32);
    uint64_t missing = (p.effective | p.permitted | p.inheritable | p.ambient) & ~have;
    if (!missing) return;
    std::string names;
    for (int c = 0; c < 64; ++c)
        if (missing & (1ULL << c)) {
            char *n = cap_to_name(static_cast<cap_value_t>(c));
            std::string s = n ? n : std::to_string(c);
            cap_free(n);
            for (auto &ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            names += (names.empty() ? "" : ", ") + s;
        }
    throw Error(Errc::permission,
                field + ": " + names + ": the calling process (uid " + std::to_string(::geteuid()) +
                    ") does not have it, so it cannot give it (run as a user that has it, or "
                    "give the container a user namespace)");
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
