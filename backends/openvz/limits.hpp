// "Unlimited" as OpenVZ hosts write it.
#pragma once

#include <cstdint>

#include "ct/internal/beancounters.hpp"

namespace ct::openvz {

// INT_MAX: LONG_MAX of the 32-bit kernels, still found in old samples, confs and beancounter
// dumps (the OpenVZ wiki's /proc/user_beancounters example has physpages 0:2147483647).
inline constexpr uint64_t kIntMax = 2147483647;

// LONG_MAX (and above) and INT_MAX both mean "no limit": vzctl's vzubc and vzlist treat both
// that way, and a 2147483647-page limit read as 8 TiB of memory would be a false one.
inline bool is_unlimited(uint64_t v) {
    return v >= ubc::kUnlimited || v == kIntMax;
}

// A limit as libct reports it: -1 when unlimited.
inline int64_t limit_of(uint64_t v) {
    return is_unlimited(v) ? -1 : static_cast<int64_t>(v);
}

}  // namespace ct::openvz
