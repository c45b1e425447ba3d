// Operations on running containers: suspend/resume, limits, statistics, process lists.
#include <unistd.h>

#include <limits>

#include "ct/internal/document.hpp"
#include "session.hpp"

namespace ct::openvz {

void OpenVzSession::pause(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    vz({tools_.vzctl, "suspend", name});
}

void OpenVzSession::resume(const std::string &name) {
    VzStatus vs = need(name);
    if (vs.running || !vs.suspended)
        throw Error(Errc::bad_state, "container " + name + " is not suspended");
    vz({tools_.vzctl, "resume", name});
}

void OpenVzSession::update(const std::string &name, const std::string &resources_doc) {
    Resources r = doc::resources_from_json(doc::parse(resources_doc, "resources document"));
    validate(r);
    Argv opts = resource_options(r);
    need(name);
    if (opts.empty()) return;
    vz(cat(cat({tools_.vzctl, "set", name}, opts), {"--save"}));
    if (auto st = store_.load(name); st && st->spec) {
        auto &cur = st->spec->resources;
        if (r.memory) cur.memory = r.memory;
        if (r.memory_swap) cur.memory_swap = r.memory_swap;
        if (r.pids) cur.pids = r.pids;
        if (r.cpu.shares) cur.cpu.shares = r.cpu.shares;
        if (r.cpu.quota_us) cur.cpu.quota_us = r.cpu.quota_us;
        if (r.cpu.period_us) cur.cpu.period_us = r.cpu.period_us;
        if (!r.cpu.cpus.empty()) cur.cpu.cpus = r.cpu.cpus;
        if (!r.cpu.mems.empty()) cur.cpu.mems = r.cpu.mems;
        store_.save(name, *st);
    }
}

std::string OpenVzSession::stats(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    Stats s;
    auto ubcs = host_.beancounters();
    if (auto it = ubcs.find(name); it != ubcs.end()) s.beancounters = it->second;
    auto bc = [&](const char *n) -> const Stats::Beancounter * {
        auto it = s.beancounters.find(n);
        return it == s.beancounters.end() ? nullptr : &it->second;
    };
    if (const auto *m = bc("physpages")) {
        s.memory.usage = m->held * ubc::kPageSize;
        s.memory.max_usage = m->maxheld * ubc::kPageSize;
        s.memory.failcnt = m->failcnt;
        // A limit no count of bytes can hold is no limit.
        constexpr int64_t kMaxPages = std::numeric_limits<int64_t>::max() / ubc::kPageSize;
        s.memory.limit = m->limit < 0 || m->limit > kMaxPages
                             ? -1
                             : m->limit * static_cast<int64_t>(ubc::kPageSize);
    }
    if (const auto *oom = bc("oomguarpages")) s.memory.oom_kills = oom->failcnt;
    if (const auto *p = bc("numproc")) {
        s.pids.current = p->held;
        s.pids.limit = p->limit;
    } else {
        for (const auto &v : host_.veinfo())
            if (v.ctid == name) s.pids.current = v.nproc;
    }
    auto vestat = host_.vestat();
    if (auto it = vestat.find(name); it != vestat.end()) {
        static const uint64_t ns_per_tick =
            1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
        s.cpu.user_ns = (it->second.user + it->second.nice) * ns_per_tick;
        s.cpu.system_ns = it->second.system * ns_per_tick;
        s.cpu.usage_ns = s.cpu.user_ns + s.cpu.system_ns;
    }
    return doc::stats_to_json(s).dump(-1, ' ', false, kShown);
}

std::string OpenVzSession::processes(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    return doc::processes_to_json(host_.processes(name)).dump(-1, ' ', false, kShown);
}

}  // namespace ct::openvz
