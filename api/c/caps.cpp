// Capability masks of libct_process_desc_set_caps as the spec's capability names.
#include "internal.hpp"

namespace ct::capi {
namespace {

// Bit N of a mask is capability N of <linux/capability.h>.
const char *const kCaps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
const unsigned kNumCaps = sizeof kCaps / sizeof kCaps[0];

}  // namespace

std::vector<std::string> cap_names(unsigned long mask) {
    if (kNumCaps < 64 && (mask >> kNumCaps))
        throw Failure(-LCTERR_INVARG, "capability mask has bits above CAP_CHECKPOINT_RESTORE");
    std::vector<std::string> out;
    for (unsigned i = 0; i < kNumCaps; ++i)
        if (mask & (1UL << i)) out.push_back(kCaps[i]);
    return out;
}

}  // namespace ct::capi
