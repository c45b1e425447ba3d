#include "usage.hpp"

#include <limits>

#include "limits.hpp"
#include "vestat.hpp"

namespace ct::openvz {
namespace {

const Stats::Beancounter *find(const Beancounters &bc, const char *name) {
    auto it = bc.find(name);
    return it == bc.end() ? nullptr : &it->second;
}

uint64_t bytes(uint64_t pages) {
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max() / ubc::kPageSize;
    return pages > kMax ? std::numeric_limits<uint64_t>::max() : pages * ubc::kPageSize;
}

// A page limit in bytes; -1 when unlimited or when no count of bytes can hold it.
int64_t limit_bytes(int64_t pages) {
    constexpr int64_t kMaxPages = std::numeric_limits<int64_t>::max() / ubc::kPageSize;
    if (pages < 0 || pages > kMaxPages) return -1;
    return pages * static_cast<int64_t>(ubc::kPageSize);
}

}  // namespace

int64_t privvm_bound(const Stats::Beancounter &privvm) {
    return privvm.barrier >= 0 ? privvm.barrier : privvm.limit;
}

void memory_usage(const Beancounters &bc, Stats::Memory &m) {
    const auto *phys = find(bc, "physpages");
    const auto *privvm = find(bc, "privvmpages");
    const auto *used = phys;
    if ((!phys || phys->limit < 0) && privvm && privvm->limit >= 0) used = privvm;
    if (used) {
        m.usage = bytes(used->held);
        m.max_usage = bytes(used->maxheld);
        m.failcnt = used->failcnt;
        m.limit = limit_bytes(used == privvm ? privvm_bound(*privvm) : used->limit);
    }
    if (const auto *oom = find(bc, "oomguarpages")) m.oom_kills = oom->failcnt;
}

void pids_usage(const Beancounters &bc, const std::optional<VeInfo> &veinfo, Stats::Pids &p) {
    if (const auto *n = find(bc, "numproc")) {
        p.current = n->held;
        p.limit = n->limit;
    } else if (veinfo) {
        p.current = veinfo->nproc;
    }
}

void cpu_usage(const VeStat &v, uint64_t hz, Stats::Cpu &c) {
    c.user_ns = jiffies_to_ns(v.user + v.nice, hz);
    c.system_ns = jiffies_to_ns(v.system, hz);
    c.usage_ns = c.user_ns + c.system_ns;
}

}  // namespace ct::openvz
