// Subordinate ids (/etc/subuid, /etc/subgid, subuid(5)): the host ids an administrator lets an
// unprivileged user map into its user namespaces through the setuid helpers newuidmap and
// newgidmap. Only these files say what a non-root caller may map beyond its own id: a spec's
// map is checked against them before a helper runs (security/userns.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ct::linux_native {

struct SubidRange {
    uint32_t start = 0;
    uint32_t count = 0;
    bool operator==(const SubidRange &) const = default;
};

// The ranges of `text` (subuid(5): "owner:start:count" lines) whose owner is `name` or the
// decimal `id`, in file order. Lines that are not three well-formed fields, have count 0 or
// wrap past 2^32 are skipped, as shadow's helpers skip them.
std::vector<SubidRange> parse_subids(std::string_view text, const std::string &name, uint32_t id);

// The ranges of `file` for the user with uid `id` (its name from the password database); none
// when the file is missing or unreadable.
std::vector<SubidRange> read_subids(const char *file, uid_t id);

// Whether host ids [first, first + count) lie inside one of `ranges`.
bool within(const std::vector<SubidRange> &ranges, uint32_t first, uint32_t count);

}  // namespace ct::linux_native
