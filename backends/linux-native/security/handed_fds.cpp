#include "security/handed_fds.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "ct/error.hpp"
#include "support.hpp"

namespace ct::linux_native {

void refuse_host_directory(int fd, const std::string &what) {
    if (fd < 0) return;
    struct stat st;
    if (::fstat(fd, &st) != 0) throw_sys(what + " (fd " + std::to_string(fd) + ")", errno);
    if (S_ISDIR(st.st_mode))
        throw Error(Errc::invalid_argument,
                    what + " (fd " + std::to_string(fd) +
                        ") is a directory of the host: a container's process must not get one "
                        "(it would reach the host's files through it); give a file, a pipe or a "
                        "terminal");
}

void refuse_host_directories(const int *stdio) {
    static const char *const kNames[] = {"stdin", "stdout", "stderr"};
    for (int i = 0; i < 3; ++i) refuse_host_directory(stdio[i], kNames[i]);
}

}  // namespace ct::linux_native
