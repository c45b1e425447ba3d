// Host-side ids of users and processes, as the tests that make a user of their own (rootless
// ct, rootless Podman) and the user namespace tests check them: the subordinate range
// /etc/subuid or /etc/subgid gives a user, the real uid of a process, the processes of a
// range of uids.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ct::test {

struct SubidRange {
    uint32_t start = 0, count = 0;
};

// The first "name:start:count" line of `file` for `name`; count 0 when there is none.
inline SubidRange subid_of(const std::string &file, const std::string &name) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name + ":", 0) == 0) {
            SubidRange r;
            if (std::sscanf(line.c_str() + name.size() + 1, "%u:%u", &r.start, &r.count) == 2)
                return r;
        }
    return {};
}

// The owner uid of the process `pid` as the host sees it (the "Uid:" line, real uid); -1 when
// it is gone.
inline long host_uid_of(int64_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Uid:", 0) == 0) return std::stol(line.substr(4));
    return -1;
}

// The pids of the processes whose real uid is in [lo, hi).
inline std::vector<long> processes_in(uint32_t lo, uint32_t hi) {
    std::vector<long> found;
    for (const auto &e : std::filesystem::directory_iterator("/proc")) {
        std::string n = e.path().filename();
        if (n.find_first_not_of("0123456789") != std::string::npos) continue;
        long u = host_uid_of(std::stol(n));
        if (u >= static_cast<long>(lo) && u < static_cast<long>(hi)) found.push_back(std::stol(n));
    }
    return found;
}

}  // namespace ct::test
