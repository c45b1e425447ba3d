#include "fs/in_root.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ct::linux_native::fs {

Fd open_in_root(int rootfd, const std::string &rel, int flags) {
    struct open_how how {};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return Fd(static_cast<int>(::syscall(SYS_openat2, rootfd, rel.c_str(), &how, sizeof how)));
}

}  // namespace ct::linux_native::fs
