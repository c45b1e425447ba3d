// The confinement defaults of a container (docs/security.md) and the capability names, which
// come from libcap's table (so a name is spelled the way every other tool spells it).
#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "ct/error.hpp"
#include "ct/spec.hpp"

namespace ct {
namespace {

std::string lower(std::string s) {
    for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// "all": every capability this kernel has (libcap reads cap_last_cap) that this process can
// still give, i.e. is in its bounding set. A runtime that is itself confined (a nested
// container, a sandbox without CAP_SYS_RESOURCE) cannot give more.
uint64_t all_mask() {
    int bits = cap_max_bits();
    if (bits <= 0 || bits > 64) bits = CAP_LAST_CAP + 1;
    uint64_t m = 0;
    for (int c = 0; c < bits; ++c)
        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 0) m |= 1ULL << c;
    return m;
}

// "CAP_NET_ADMIN", "net_admin", "cap_net_admin" -> its number; "all" -> -1.
int cap_number(const std::string &raw, const std::string &field) {
    std::string n = lower(raw);
    if (n == "all" || n == "cap_all") return -1;
    if (n.rfind("cap_", 0) != 0) n = "cap_" + n;
    cap_value_t v;
    // libcap also takes a bare number; a name must be a name.
    bool word = n.size() > 4 && std::all_of(n.begin() + 4, n.end(), [](char c) {
                    return std::islower(static_cast<unsigned char>(c)) || c == '_';
                });
    if (!word || cap_from_name(n.c_str(), &v) != 0 || v < 0 || v > 63)
        throw Error(Errc::invalid_spec,
                    "invalid spec: " + field + ": unknown capability '" + raw + "'");
    return v;
}

uint64_t mask_of(const std::vector<std::string> &names, const std::string &field) {
    uint64_t m = 0;
    for (const auto &n : names) {
        int c = cap_number(n, field);
        m |= c < 0 ? all_mask() : 1ULL << c;
    }
    return m;
}

std::vector<std::string> names_of(uint64_t mask) {
    std::vector<std::string> out;
    for (int c = 0; c < 64; ++c) {
        if (!(mask & (1ULL << c))) continue;
        char *name = cap_to_name(static_cast<cap_value_t>(c));
        std::string n = name ? name : std::to_string(c);
        cap_free(name);
        for (auto &ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        out.push_back(n);
    }
    return out;
}

}  // namespace

const std::vector<std::string> &default_capabilities() {
    static const std::vector<std::string> kDefault = {
        "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
        "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL",    "CAP_AUDIT_WRITE"};
    return kDefault;
}

Capabilities effective_capabilities(const ProcessSpec &p, const std::string &field) {
    if (const auto &c = p.capabilities) {
        bool one = c->uniform();
        auto f = [&](const char *set) { return one ? field : field + "." + set; };
        return Capabilities{names_of(mask_of(c->bounding, f("bounding"))),
                            names_of(mask_of(c->effective, f("effective"))),
                            names_of(mask_of(c->permitted, f("permitted"))),
                            names_of(mask_of(c->inheritable, f("inheritable"))),
                            names_of(mask_of(c->ambient, f("ambient")))};
    }
    uint64_t m = mask_of(default_capabilities(), field);
    m |= mask_of(p.capabilities_add, field + ".add");
    m &= ~mask_of(p.capabilities_drop, field + ".drop");
    auto names = names_of(m);
    return Capabilities{names, names, names, {}, {}};
}

const std::vector<std::string> &default_masked_paths() {
    static const std::vector<std::string> kMasked = {
        "/proc/acpi",        "/proc/kcore",
        "/proc/keys",        "/proc/latency_stats",
        "/proc/timer_list",  "/proc/timer_stats",
        "/proc/sched_debug", "/proc/scsi",
        "/sys/firmware",     "/sys/devices/virtual/powercap"};
    return kMasked;
}

const std::vector<std::string> &default_readonly_paths() {
    static const std::vector<std::string> kReadonly = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                       "/proc/sys", "/proc/sysrq-trigger"};
    return kReadonly;
}

std::vector<std::string> Spec::effective_masked_paths() const {
    return masked_paths ? *masked_paths : default_masked_paths();
}

std::vector<std::string> Spec::effective_readonly_paths() const {
    return readonly_paths ? *readonly_paths : default_readonly_paths();
}

}  // namespace ct
