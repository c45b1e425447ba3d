#include "procfs.hpp"

#include <charconv>
#include <sstream>

#include "ct/error.hpp"
#include "ct/internal/beancounters.hpp"

namespace ct::openvz {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        out.push_back(text.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    return out;
}

std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    std::istringstream in{std::string(line)};
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

bool to_u64(const std::string &s, uint64_t &v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

int64_t limit_of(uint64_t v) {
    return v >= ubc::kUnlimited ? -1 : static_cast<int64_t>(v);
}

// "Version: 2.5" -> "2.5"; empty when the first line is not a version line.
std::string version_of(const std::vector<std::string_view> &lines) {
    if (lines.empty()) return {};
    auto w = words(lines[0]);
    if (w.size() == 2 && w[0] == "Version:") return w[1];
    return {};
}

}  // namespace

std::vector<VeInfo> parse_veinfo(std::string_view text) {
    std::vector<VeInfo> out;
    for (auto line : lines_of(text)) {
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

std::map<std::string, VeStat> parse_vestat(std::string_view text) {
    auto lines = lines_of(text);
    std::string ver = version_of(lines);
    if (ver.rfind("2.", 0) != 0)
        throw Error(Errc::unsupported, "/proc/vz/vestat: unsupported format version '" + ver +
                                           "' (this backend reads 2.x)");
    std::vector<std::string> head;
    std::map<std::string, VeStat> out;
    for (size_t i = 1; i < lines.size(); ++i) {
        auto w = words(lines[i]);
        if (w.empty()) continue;
        if (w[0] == "VEID") {
            head = w;
            continue;
        }
        if (head.empty() || w.size() != head.size())
            throw Error(Errc::backend,
                        "/proc/vz/vestat: malformed line '" + std::string(lines[i]) + "'");
        VeStat s;
        int uptimes = 0;
        for (size_t c = 1; c < w.size(); ++c) {
            uint64_t v = 0;
            if (!to_u64(w[c], v))
                throw Error(Errc::backend, "/proc/vz/vestat: '" + w[c] + "' is not a number");
            const auto &h = head[c];
            if (h == "user")
                s.user = v;
            else if (h == "nice")
                s.nice = v;
            else if (h == "system")
                s.system = v;
            else if (h == "idle")
                s.idle_cycles = v;
            else if (h == "used")
                s.used_cycles = v;
            else if (h == "uptime" && uptimes++ == 0)
                s.uptime = v;  // the 2nd is in cycles
        }
        out[w[0]] = s;
    }
    return out;
}

std::map<std::string, Beancounters> parse_user_beancounters(std::string_view text) {
    auto lines = lines_of(text);
    std::string ver = version_of(lines);
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

std::optional<ProcStatus> parse_proc_status(std::string_view text) {
    ProcStatus p;
    bool have_env = false;
    for (auto line : lines_of(text)) {
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
