// The subordinate id range /etc/subuid or /etc/subgid gives a user: what the tests that make
// a user of their own (rootless ct, rootless Podman) check and remove.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

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

}  // namespace ct::test
