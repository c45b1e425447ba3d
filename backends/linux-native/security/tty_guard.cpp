#include "security/tty_guard.hpp"

#include <sys/ioctl.h>

namespace ct::linux_native {

SeccompSpec terminal_injection_guard() {
    // The ioctl request is an unsigned int: only its low 32 bits count, whatever the rest.
    auto refuse = [](unsigned long request) {
        SeccompSyscall sc;
        sc.names = {"ioctl"};
        sc.action = "SCMP_ACT_ERRNO";
        sc.args = {SeccompArg{1, 0xffffffffULL, request, "SCMP_CMP_MASKED_EQ"}};
        return sc;
    };
    SeccompSpec p;
    p.default_action = "SCMP_ACT_ALLOW";
    // Every architecture the default profile covers: a 32-bit caller has an ioctl of its own.
    p.architectures = default_seccomp_profile({}).architectures;
    p.syscalls = {refuse(TIOCSTI), refuse(TIOCLINUX)};
    return p;
}

}  // namespace ct::linux_native
