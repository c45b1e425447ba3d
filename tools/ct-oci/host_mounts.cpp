#include "host_mounts.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace ct::oci {

bool on_shared_mount(const std::string &path) {
    struct statx sx {};
    if (::statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &sx) != 0 || !(sx.stx_mask & STATX_MNT_ID))
        return false;
    std::ifstream mountinfo("/proc/self/mountinfo");
    for (std::string line; std::getline(mountinfo, line);) {
        std::istringstream words(line);
        unsigned long long id = 0;
        if (!(words >> id) || id != sx.stx_mnt_id) continue;
        // Optional fields come between the sixth word and " - ".
        auto end = line.find(" - ");
        return line.substr(0, end).find(" shared:") != std::string::npos;
    }
    return false;
}

}  // namespace ct::oci
