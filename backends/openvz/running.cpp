// Operations on running containers: pause/resume, limits, statistics, process lists.
#include "ct/internal/document.hpp"
#include "session.hpp"
#include "usage.hpp"

namespace ct::openvz {

// What pause means differs by generation. vzctl 4.x has no freeze that vzctl status shows: its
// suspend checkpoints the container to its dump file and stops it ("down suspended"), resume
// restores it. OpenVZ 7 has a freeze that is not a dump (cgroup freezer; status "paused"):
// `vzctl chkpnt --suspend` / `--resume`, which every 7.x vzctl has (`vzctl pause` only newer
// ones). Its `vzctl suspend` (a dump to disk, "suspended") is still resumed by resume here.
void OpenVzSession::pause(const std::string &name) {
    VzStatus vs = need(name);
    need_running(name, vs);
    if (gen() == Generation::legacy)
        vz({tools_.vzctl, "suspend", name});
    else
        vz({tools_.vzctl, "chkpnt", name, "--suspend"});
}

void OpenVzSession::resume(const std::string &name) {
    VzStatus vs = need(name);
    if (vs.paused)
        vz({tools_.vzctl, "chkpnt", name, "--resume"});
    else if (vs.suspended && !vs.running)
        vz({tools_.vzctl, "resume", name});
    else
        throw Error(Errc::bad_state, "container " + name + " is not paused");
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

// Stats and processes of a paused container are read as they are: the kernel still shows them.
std::string OpenVzSession::stats(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    Stats s;
    auto ubcs = host_.beancounters();
    if (auto it = ubcs.find(name); it != ubcs.end()) s.beancounters = it->second;
    memory_usage(s.beancounters, s.memory);
    std::optional<VeInfo> row;
    if (!s.beancounters.count("numproc"))
        for (const auto &v : host_.veinfo())
            if (v.ctid == name) row = v;
    pids_usage(s.beancounters, row, s.pids);
    auto vestat = host_.vestat();
    if (auto it = vestat.find(name); it != vestat.end())
        if (auto hz = kernel_hz(vestat, host_.cpu_hz())) cpu_usage(it->second, *hz, s.cpu);
    return doc::stats_to_json(s).dump(-1, ' ', false, kShown);
}

std::string OpenVzSession::processes(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    return doc::processes_to_json(host_.processes(name)).dump(-1, ' ', false, kShown);
}

}  // namespace ct::openvz
