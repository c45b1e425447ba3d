// list and info: the host's view of its containers (vzlist, vzctl status, CTID.conf) merged
// with what libct keeps; containers made with vzctl directly are described from their conf.
#include <sys/stat.h>

#include <limits>
#include <sstream>

#include "ct/internal/document.hpp"
#include "ctid.hpp"
#include "limits.hpp"
#include "session.hpp"
#include "text.hpp"

namespace ct::openvz {

Spec OpenVzSession::synthesize(const std::string &ctid, const Conf &c, const Conf &vz) const {
    Spec s;
    s.name = ctid;
    s.rootfs = expand_veid(c.get_or("VE_ROOT", vz.get_or("VE_ROOT", "")), ctid);
    std::string priv = expand_veid(c.get_or("VE_PRIVATE", vz.get_or("VE_PRIVATE", "")), ctid);
    if (!priv.empty()) s.private_area = {"dir", priv, {}, {}};
    s.hostname = c.get_or("HOSTNAME", "");
    auto &r = s.resources;
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    // A page limit in bytes; -1 when unlimited or when no count of bytes can hold it.
    auto pages = [](uint64_t v) {
        return is_unlimited(v) || v > ubc::kUnlimited / ubc::kPageSize
                   ? int64_t{-1}
                   : static_cast<int64_t>(v * ubc::kPageSize);
    };
    auto phys = conf_beancounter(c, "physpages");
    auto privvm = conf_beancounter(c, "privvmpages");
    if (phys && !is_unlimited(phys->limit)) {
        r.memory = pages(phys->limit);
    } else if (privvm && !is_unlimited(privvm->limit)) {
        // A UBC-style (pre-VSwap) conf: allocated memory is what is limited, at the barrier
        // for ordinary allocations (usage.hpp).
        r.memory = pages(is_unlimited(privvm->barrier) ? privvm->limit : privvm->barrier);
    } else if (phys) {
        r.memory = -1;
    }
    if (auto p = conf_beancounter(c, "swappages"); p && r.memory) {
        int64_t swap = pages(p->limit);
        r.memory_swap =
            *r.memory == -1 || swap == -1 || swap > kMax - *r.memory ? -1 : *r.memory + swap;
    }
    if (auto p = conf_beancounter(c, "numproc")) r.pids = limit_of(p->limit);
    // A malformed number in a hand-edited conf leaves that field (alone) out of the description.
    uint64_t v = 0;
    if (auto u = c.get("CPUUNITS"); u && text::to_u64(*u, v) && v > 0) r.cpu.shares = v;
    if (auto l = c.get("CPULIMIT"); l && text::to_u64(*l, v) && v > 0 && v <= kMax / 1000) {
        r.cpu.quota_us = static_cast<int64_t>(v) * 1000;
        r.cpu.period_us = 100000;
    }
    if (auto m = c.get("CPUMASK"); m && *m != "all") r.cpu.cpus = *m;
    for (const auto &n : parse_netif(c.get_or("NETIF", "")))
        s.network.push_back(
            {"veth", n.ifname, n.host_ifname, "", n.bridge, n.mac, 0, 0, "", {}, ""});
    OpenVzSpec o;
    o.ostemplate = c.get_or("OSTEMPLATE", "");
    o.layout = c.get_or("VE_LAYOUT", "");
    o.ip = split_words(c.get_or("IP_ADDRESS", ""));
    o.nameservers = split_words(c.get_or("NAMESERVER", ""));
    o.searchdomains = split_words(c.get_or("SEARCHDOMAIN", ""));
    if (auto b = c.get("ONBOOT")) o.onboot = *b == "yes";
    if (o != OpenVzSpec{}) s.openvz = o;
    return s;
}

ContainerInfo OpenVzSession::describe(const std::string &ctid, const VzStatus &vs,
                                      const std::map<std::string, int64_t> &init_pids) {
    auto st = store_.load(ctid);
    auto conf = host_.ct_conf(ctid);
    Conf vzconf = host_.vz_conf();
    ContainerInfo i;
    i.name = ctid;
    i.backend = "openvz";
    switch (kind_of(vs, st)) {
        case Kind::running:
            i.state = State::running;
            break;
        case Kind::paused:
            i.state = State::paused;
            break;
        case Kind::created:
            i.state = State::created;
            break;
        default:
            i.state = State::stopped;
            break;
    }
    bool app = st && st->init_pid;
    if (i.state == State::running) {
        if (app && !store_.exit_status(ctid, st->init_pid))
            i.pid = st->init_pid;
        else if (auto it = init_pids.find(ctid); it != init_pids.end())
            i.pid = it->second;
    }
    if (i.state == State::stopped && app)
        if (auto x = store_.exit_status(ctid, st->init_pid))
            i.exit_status = ExitStatus::from_wait_status(*x);
    struct stat sb {};
    i.created = st                                                ? st->created
                : ::stat(host_.conf_path(ctid).c_str(), &sb) == 0 ? sb.st_mtime
                                                                  : 0;
    i.spec = st && st->spec ? *st->spec : synthesize(ctid, conf ? *conf : Conf{}, vzconf);
    auto &d = i.details;
    d["ctid"] = ctid;
    d["config"] = host_.conf_path(ctid);
    d["mode"] = app ? "application" : "system";
    d["status"] = std::string(vs.paused      ? "paused"
                              : vs.running   ? "running"
                              : vs.suspended ? "suspended"
                              : vs.mounted   ? "mounted"
                                             : "stopped");
    d["vzctl"] = tool_.describe();
    if (conf) {
        auto put = [&](const char *key, const std::string &v) {
            if (!v.empty()) d[key] = v;
        };
        put("ve_root", expand_veid(conf->get_or("VE_ROOT", vzconf.get_or("VE_ROOT", "")), ctid));
        put("ve_private",
            expand_veid(conf->get_or("VE_PRIVATE", vzconf.get_or("VE_PRIVATE", "")), ctid));
        put("ostemplate", conf->get_or("OSTEMPLATE", ""));
        put("ip_address", conf->get_or("IP_ADDRESS", ""));
        put("vzctl_name", conf->get_or("NAME", ""));
        put("layout", conf->get_or("VE_LAYOUT", ""));
    }
    if (st && st->adopted) d["private_area"] = "caller's (destroy keeps it)";
    return i;
}

std::string OpenVzSession::list() {
    // vzlist 4.x has -t (no-trim), OpenVZ 7's has not: these options are both generations'.
    Argv argv{tools_.vzlist, "-a", "-H", "-o", "ctid,status"};
    RunResult r = runner_->run(argv);
    // Before 4.x, vzlist exits 1 when there is no container: no failure.
    if (!(gen() == Generation::legacy && vzlist_found_none(r))) r = checked(argv, std::move(r));
    auto rows = parse_vzlist(r, gen());
    std::map<std::string, int64_t> init_pids;
    bool scanned = false;
    nlohmann::json out = nlohmann::json::array();
    for (const auto &[ctid, vs] : rows) {
        if (vs.running && !scanned) {
            init_pids = host_.init_pids();  // one walk over /proc for every container
            scanned = true;
        }
        out.push_back(doc::info_to_json(describe(ctid, vs, init_pids)));
    }
    return out.dump(-1, ' ', false, kShown);
}

std::string OpenVzSession::info(const std::string &name) {
    VzStatus vs = need(name);
    std::map<std::string, int64_t> init_pids;
    if (vs.running) init_pids = host_.init_pids();
    return doc::info_to_json(describe(name, vs, init_pids)).dump(-1, ' ', false, kShown);
}

}  // namespace ct::openvz
