// Validation of the confinement fields: capabilities, LSM labels, masked and read-only paths,
// the seccomp profile (docs/security.md). Everything a backend needs the host for (whether the
// kernel knows a system call, whether an LSM is enabled) is checked there instead.
#include <algorithm>
#include <set>

#include "ct/error.hpp"
#include "ct/internal/validate.hpp"
#include "ct/spec.hpp"

namespace ct {
namespace {

[[noreturn]] void fail(const std::string &field, const std::string &why) {
    throw Error(Errc::invalid_spec, "invalid spec: " + field + ": " + why);
}

void check_label(const std::string &field, const std::string &v) {
    if (v.size() > 4096) fail(field, "is longer than 4096 bytes");
    for (unsigned char c : v)
        if (c < 0x20 || c == 0x7f) fail(field, "contains a control character");
}

void check_paths(const std::string &field, const std::vector<std::string> &paths) {
    for (size_t i = 0; i < paths.size(); ++i) {
        std::string f = field + "[" + std::to_string(i) + "]";
        const auto &p = paths[i];
        if (p.empty() || p[0] != '/') fail(f, "'" + p + "' is not an absolute path");
        if (p.find('\0') != std::string::npos) fail(f, "path contains a NUL byte");
        if (p.find_first_not_of('/') == std::string::npos)
            fail(f, "the container's root cannot be masked or made read-only here");
        for (size_t pos = 0; pos != std::string::npos;) {
            size_t next = p.find('/', pos + 1);
            if (p.substr(pos + 1, next == std::string::npos ? next : next - pos - 1) == "..")
                fail(f, "'" + p + "' contains '..'");
            pos = next;
        }
    }
}

const std::set<std::string> kActions = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG"};
const std::set<std::string> kOps = {"SCMP_CMP_NE",       "SCMP_CMP_LT", "SCMP_CMP_LE",
                                    "SCMP_CMP_EQ",       "SCMP_CMP_GE", "SCMP_CMP_GT",
                                    "SCMP_CMP_MASKED_EQ"};
const std::set<std::string> kArches = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64"};
const std::set<std::string> kFlags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                      "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};

void check_action(const std::string &field, const std::string &action,
                  const std::optional<uint32_t> &errno_ret, const std::string &errno_field) {
    if (action.empty()) fail(field, "is required (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, ...)");
    if (action == "SCMP_ACT_NOTIFY")
        fail(field, "SCMP_ACT_NOTIFY needs a notification listener, which is not supported");
    if (!kActions.count(action))
        fail(field, "unknown action '" + action +
                        "' (known: SCMP_ACT_ALLOW, _ERRNO, _KILL, _KILL_PROCESS, _KILL_THREAD, "
                        "_TRAP, _TRACE, _LOG)");
    if (errno_ret) {
        if (action != "SCMP_ACT_ERRNO" && action != "SCMP_ACT_TRACE")
            fail(errno_field, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value");
        if (*errno_ret > 4095) fail(errno_field, std::to_string(*errno_ret) + " is not an errno");
    }
}

void check_seccomp(const SeccompSpec &p) {
    if (p.unconfined) {
        if (p != SeccompSpec{true}) fail("seccomp", "'unconfined' takes no profile");
        return;
    }
    check_action("seccomp.defaultAction", p.default_action, p.default_errno_ret,
                 "seccomp.defaultErrnoRet");
    std::set<std::string> arches;
    for (size_t i = 0; i < p.architectures.size(); ++i) {
        std::string f = "seccomp.architectures[" + std::to_string(i) + "]";
        if (!kArches.count(p.architectures[i]))
            fail(f, "unknown architecture '" + p.architectures[i] + "' (SCMP_ARCH_X86_64, ...)");
        if (!arches.insert(p.architectures[i]).second) fail(f, "listed twice");
    }
    for (size_t i = 0; i < p.flags.size(); ++i)
        if (!kFlags.count(p.flags[i]))
            fail("seccomp.flags[" + std::to_string(i) + "]",
                 "unknown flag '" + p.flags[i] +
                     "' (known: SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW, _TSYNC)");
    for (size_t i = 0; i < p.syscalls.size(); ++i) {
        const auto &sc = p.syscalls[i];
        std::string f = "seccomp.syscalls[" + std::to_string(i) + "]";
        if (sc.names.empty()) fail(f + ".names", "is empty");
        for (size_t k = 0; k < sc.names.size(); ++k) {
            const auto &n = sc.names[k];
            bool ok = !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            });
            if (!ok)
                fail(f + ".names[" + std::to_string(k) + "]",
                     "'" + n + "' is not a system call name");
        }
        check_action(f + ".action", sc.action, sc.errno_ret, f + ".errnoRet");
        if (sc.args.size() > 6) fail(f + ".args", "a system call has at most 6 arguments");
        for (size_t k = 0; k < sc.args.size(); ++k) {
            const auto &a = sc.args[k];
            std::string af = f + ".args[" + std::to_string(k) + "]";
            if (a.index > 5) fail(af + ".index", std::to_string(a.index) + " is outside 0..5");
            if (!kOps.count(a.op))
                fail(af + ".op", "unknown comparison '" + a.op +
                                     "' (SCMP_CMP_EQ, _NE, _LT, _LE, _GT, _GE, _MASKED_EQ)");
        }
    }
}

}  // namespace

void validate_security(const Spec &s, bool new_mountns) {
    const auto &p = s.process;
    if (p.capabilities && (!p.capabilities_add.empty() || !p.capabilities_drop.empty()))
        fail("process.capabilities",
             "give either the exact sets or changes to the default set (add/drop), not both");
    effective_capabilities(p, "process.capabilities");  // every name is a capability
    check_label("process.apparmor_profile", p.apparmor_profile);
    check_label("process.selinux_label", p.selinux_label);
    if (s.masked_paths) check_paths("masked_paths", *s.masked_paths);
    if (s.readonly_paths) check_paths("readonly_paths", *s.readonly_paths);
    // A container that shares the host's mounts has nothing of its own to mask: asking for
    // masks there would be a promise that cannot be kept.
    if (!new_mountns && s.masked_paths && !s.masked_paths->empty())
        fail("masked_paths", "masking paths needs a new mount namespace");
    if (!new_mountns && s.readonly_paths && !s.readonly_paths->empty())
        fail("readonly_paths", "read-only paths need a new mount namespace");
    if (s.seccomp) check_seccomp(*s.seccomp);
}

}  // namespace ct
