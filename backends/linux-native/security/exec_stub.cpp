#include "security/exec_stub.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "security/child_failure.h"
#include "support.hpp"

// The stub's bytes, embedded at build time (CMakeLists.txt builds exec_stub.c first).
asm(".pushsection .rodata,\"a\"\n"
    ".balign 16\n"
    ".globl ct_exec_stub_begin\n"
    ".hidden ct_exec_stub_begin\n"
    "ct_exec_stub_begin:\n"
    ".incbin \"" CT_EXEC_STUB_PATH
    "\"\n"
    ".globl ct_exec_stub_end\n"
    ".hidden ct_exec_stub_end\n"
    "ct_exec_stub_end:\n"
    ".popsection\n");
extern "C" const unsigned char ct_exec_stub_begin[], ct_exec_stub_end[];

namespace ct::linux_native {

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

Fd open_exec_stub() {
    // MFD_EXEC: kernels with vm.memfd_noexec would otherwise make it unexecutable (6.3+);
    // older kernels refuse the flag, and every memfd is executable there.
    Fd fd(::memfd_create("ct-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
    if (!fd && errno == EINVAL)
        fd.reset(::memfd_create("ct-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!fd) throw_sys("create the memory file of the exec stub", errno);
    const unsigned char *p = ct_exec_stub_begin;
    while (p < ct_exec_stub_end) {
        ssize_t n = ::write(fd.get(), p, static_cast<size_t>(ct_exec_stub_end - p));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw_sys("write the exec stub", n < 0 ? errno : EIO);
        p += n;
    }
    int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
    // F_SEAL_EXEC (6.3+) also fixes its mode; before that, the mode of a file nobody can open
    // for writing is all there is to change, and that does not change what it runs.
    if (::fcntl(fd.get(), F_ADD_SEALS, seals | F_SEAL_EXEC) != 0 &&
        ::fcntl(fd.get(), F_ADD_SEALS, seals) != 0)
        throw_sys("seal the exec stub", errno);
    return fd;
}

std::vector<std::string> exec_stub_args(int errfd, const std::string &path_env,
                                        const std::vector<std::string> &args) {
    std::vector<std::string> out = {CT_EXEC_STUB_MARKER, std::to_string(errfd), path_env,
                                    args.empty() ? std::string() : args[0]};
    out.insert(out.end(), args.begin(), args.end());
    return out;
}

}  // namespace ct::linux_native
