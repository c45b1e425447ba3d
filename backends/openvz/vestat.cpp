#include "vestat.hpp"

#include <cstdlib>

#include "ct/error.hpp"
#include "text.hpp"

namespace ct::openvz {
namespace {

using u128 = unsigned __int128;

// The CONFIG_HZ choices of the x86 kernels OpenVZ builds (kernel/Kconfig.hz).
constexpr uint64_t kHzChoices[] = {100, 250, 300, 1000};

}  // namespace

std::map<std::string, VeStat> parse_vestat(std::string_view input) {
    auto lines = text::lines_of(input);
    std::string ver = text::version_of(lines);
    if (ver.rfind("2.", 0) != 0)
        throw Error(Errc::unsupported, "/proc/vz/vestat: unsupported format version '" + ver +
                                           "' (this backend reads 2.x)");
    std::vector<std::string> head;
    std::map<std::string, VeStat> out;
    for (size_t i = 1; i < lines.size(); ++i) {
        auto w = text::words(lines[i]);
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
            if (!text::to_u64(w[c], v))
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
            else if (h == "uptime")
                (uptimes++ == 0 ? s.uptime : s.uptime_ns) = v;  // jiffies, then nanoseconds
        }
        out[w[0]] = s;
    }
    return out;
}

namespace {

struct Fit {
    uint64_t closest = 0;  // the HZ whose prediction is nearest
    uint64_t fitting = 0;  // the nearest one within the slack, 0 if none is
};

// For each HZ: how far the jiffies are from what the nanoseconds predict, and whether that is
// within the slack of two counters started a fraction of a jiffy apart.
Fit fit(const VeStat &s) {
    Fit f;
    long double best_err = 0, fitting_err = 0;
    for (uint64_t hz : kHzChoices) {
        u128 expected = static_cast<u128>(s.uptime_ns) * hz / 1000000000u;
        u128 diff = expected > s.uptime ? expected - s.uptime : s.uptime - expected;
        long double err =
            static_cast<long double>(diff) / static_cast<long double>(expected == 0 ? 1 : expected);
        if (f.closest == 0 || err < best_err) f.closest = hz, best_err = err;
        if (diff <= 2 + expected / 100 && (f.fitting == 0 || err < fitting_err))
            f.fitting = hz, fitting_err = err;
    }
    return f;
}

}  // namespace

namespace {

// kernel_hz() with the second uptime column taken as nanoseconds.
std::optional<uint64_t> kernel_hz_ns(const std::map<std::string, VeStat> &vestat) {
    // Every container that has run a second or more votes for the HZ its columns fit: one whose
    // two clocks were set apart (a container restored from a dump) cannot outvote the others.
    // Ties go to the longest-running voter.
    std::map<uint64_t, std::pair<int, uint64_t>> votes;  // HZ -> (votes, longest uptime_ns)
    const std::pair<const std::string, VeStat> *longest = nullptr;
    for (const auto &e : vestat) {
        if (!longest || e.second.uptime_ns > longest->second.uptime_ns) longest = &e;
        if (e.second.uptime_ns < 1000000000u) continue;
        if (uint64_t hz = fit(e.second).fitting) {
            auto &v = votes[hz];
            ++v.first;
            if (e.second.uptime_ns > v.second) v.second = e.second.uptime_ns;
        }
    }
    if (!votes.empty()) {
        auto best = votes.begin();
        for (auto it = votes.begin(); it != votes.end(); ++it)
            if (it->second > best->second) best = it;
        return best->first;
    }
    if (!longest || longest->second.uptime_ns == 0) return std::nullopt;
    const VeStat &s = longest->second;
    // Under a second, jiffies are too few to refuse every HZ: take the closest.
    if (s.uptime_ns < 1000000000u) return fit(s).closest;
    throw Error(Errc::backend,
                "/proc/vz/vestat: the uptime columns of container " + longest->first + " (" +
                    std::to_string(s.uptime) + " jiffies, " + std::to_string(s.uptime_ns) +
                    " ns) fit no kernel HZ (100, 250, 300 or 1000), nor do any other "
                    "container's: cannot convert their CPU times");
}

}  // namespace

std::optional<uint64_t> kernel_hz(const std::map<std::string, VeStat> &vestat,
                                  std::optional<uint64_t> cycles_per_second) {
    try {
        return kernel_hz_ns(vestat);
    } catch (const Error &) {
        if (!cycles_per_second || *cycles_per_second == 0) throw;
        auto as_ns = vestat;
        for (auto &[ctid, s] : as_ns) {
            u128 ns = static_cast<u128>(s.uptime_ns) * 1000000000u / *cycles_per_second;
            s.uptime_ns = ns > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(ns);
        }
        try {
            return kernel_hz_ns(as_ns);
        } catch (const Error &) {
            // Neither reading fits: the error names the columns as the kernel printed them.
        }
        throw;
    }
}

std::optional<uint64_t> cpuinfo_hz(std::string_view cpuinfo) {
    for (auto line : text::lines_of(cpuinfo)) {
        if (line.rfind("cpu MHz", 0) != 0) continue;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        std::string value(line.substr(colon + 1));
        char *end = nullptr;
        double mhz = std::strtod(value.c_str(), &end);
        if (end == value.c_str() || !(mhz > 0) || mhz > 1e6) return std::nullopt;
        return static_cast<uint64_t>(mhz * 1e6 + 0.5);
    }
    return std::nullopt;
}

uint64_t jiffies_to_ns(uint64_t jiffies, uint64_t hz) {
    if (hz == 0) return 0;
    u128 ns = static_cast<u128>(jiffies) * 1000000000u / hz;
    return ns > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(ns);
}

}  // namespace ct::openvz
