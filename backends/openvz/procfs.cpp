#include "procfs.hpp"

#include "ct/error.hpp"
#include "limits.hpp"
#include "text.hpp"

namespace ct::openvz {

using text::lines_of;
using text::to_u64;
using text::words;

std::vector<VeInfo> parse_veinfo(std::string_view input) {
    std::vector<VeInfo> out;
    for (auto line : lines_of(input)) {
        auto w = words(line);
        if (w.empty()) continue;
        if (w.size() < 3)
            throw Error(Errc::backend,
                        "/proc/vz/veinfo: malformed line '" + std::string(line) + "'");
        VeInfo v;
        v.ctid = w[0];
        if (!to_u64(w[2], v.nproc))
            throw Error(Errc::backend,
                        "/proc/vz/veinfo: malformed process count in '" + std::string(line) + "'");
        v.ips.assign(w.begin() + 3, w.end());
        out.push_back(std::move(v));
    }
    return out;
}

std::map<std::string, Beancounters> parse_user_beancounters(std::string_view input) {
    auto lines = lines_of(input);
    std::string ver = text::version_of(lines);
    if (ver != "2.5")
        throw Error(Errc::unsupported, "/proc/user_beancounters: unsupported format version '" +
                                           ver + "' (this backend reads 2.5)");
    std::map<std::string, Beancounters> out;
    std::string uid;
    for (size_t i = 1; i < lines.size(); ++i) {
        auto w = words(lines[i]);
        if (w.empty() || w[0] == "uid") continue;  // blank or the header
        if (w[0].back() == ':') {
            uid = w[0].substr(0, w[0].size() - 1);
            w.erase(w.begin());
        }
        uint64_t n[5];
        if (uid.empty() || w.size() != 6 || !to_u64(w[1], n[0]) || !to_u64(w[2], n[1]) ||
            !to_u64(w[3], n[2]) || !to_u64(w[4], n[3]) || !to_u64(w[5], n[4]))
            throw Error(Errc::backend,
                        "/proc/user_beancounters: malformed line '" + std::string(lines[i]) + "'");
        if (w[0] == "dummy") continue;
        Stats::Beancounter b;
        b.held = n[0];
        b.maxheld = n[1];
        b.barrier = limit_of(n[2]);
        b.limit = limit_of(n[3]);
        b.failcnt = n[4];
        out[uid][w[0]] = b;
    }
    return out;
}

std::optional<ProcStatus> parse_proc_status(std::string_view input) {
    ProcStatus p;
    bool have_env = false;
    for (auto line : lines_of(input)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto key = line.substr(0, colon);
        auto w = words(line.substr(colon + 1));
        if (w.empty()) continue;
        if (key == "Name") {
            p.name = w[0];
        } else if (key == "envID") {
            p.envid = w[0];
            have_env = true;
        } else if (key == "VPid") {
            uint64_t v = 0;
            if (to_u64(w[0], v)) p.vpid = static_cast<int64_t>(v);
        } else if (key == "NSpid" && p.vpid == 0) {
            uint64_t v = 0;
            if (to_u64(w.back(), v)) p.vpid = static_cast<int64_t>(v);
        }
    }
    if (!have_env) return std::nullopt;
    return p;
}

}  // namespace ct::openvz
