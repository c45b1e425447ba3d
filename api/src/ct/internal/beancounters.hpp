// OpenVZ user beancounter settings ("barrier[:limit]"): one definition shared by spec validation
// (openvz.beancounters) and the openvz backend (vzctl arguments, CTID.conf values).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ct::ubc {

enum class Unit { items, bytes, pages };

struct Known {
    const char *name;  // lower case, as vzctl's option (--kmemsize) and /proc/user_beancounters
    Unit unit;
};

// Every beancounter vzctl 4.x sets with `vzctl set CTID --<name> barrier[:limit]`.
inline constexpr Known kKnown[] = {
    {"numproc", Unit::items},      {"numtcpsock", Unit::items},   {"numothersock", Unit::items},
    {"vmguarpages", Unit::pages},  {"kmemsize", Unit::bytes},     {"tcpsndbuf", Unit::bytes},
    {"tcprcvbuf", Unit::bytes},    {"othersockbuf", Unit::bytes}, {"dgramrcvbuf", Unit::bytes},
    {"oomguarpages", Unit::pages}, {"lockedpages", Unit::pages},  {"privvmpages", Unit::pages},
    {"shmpages", Unit::pages},     {"numfile", Unit::items},      {"numflock", Unit::items},
    {"numpty", Unit::items},       {"numsiginfo", Unit::items},   {"dcachesize", Unit::bytes},
    {"numiptent", Unit::items},    {"physpages", Unit::pages},    {"swappages", Unit::pages},
};

inline const Known *find(std::string_view name) {
    for (const auto &k : kKnown)
        if (name == k.name) return &k;
    return nullptr;
}

inline std::string known_names() {
    std::string out;
    for (const auto &k : kKnown) out += (out.empty() ? "" : ", ") + std::string(k.name);
    return out;
}

// LONG_MAX: how the kernel and vzctl spell "unlimited".
inline constexpr uint64_t kUnlimited = 9223372036854775807ULL;
// The page size vzctl's "P" suffix and page-counted resources assume (x86, x86_64).
inline constexpr uint64_t kPageSize = 4096;

struct Pair {
    uint64_t barrier = 0;
    uint64_t limit = 0;
};

// One number of a pair, in `unit`: digits with an optional suffix (K, M, G, T: binary multiples
// of a byte; P: pages; B: bytes), or "unlimited". Resources counted in items take no suffix,
// as in vzctl. Returns nullopt and sets *why on a malformed value.
inline std::optional<uint64_t> parse_one(std::string_view t, Unit unit, std::string *why) {
    auto bad = [&](const std::string &w) -> std::optional<uint64_t> {
        if (why) *why = w;
        return std::nullopt;
    };
    if (t == "unlimited") return kUnlimited;
    size_t i = 0;
    uint64_t n = 0;
    // LONG_MAX and above is the kernel's "unlimited": vzctl writes LONG_MAX into confs for it.
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
        uint64_t d = static_cast<uint64_t>(t[i++] - '0');
        n = n > (kUnlimited - d) / 10 ? kUnlimited : n * 10 + d;
    }
    if (i == 0) return bad("'" + std::string(t) + "' is not a number or 'unlimited'");
    if (i == t.size()) return n;
    if (i + 1 != t.size()) return bad("'" + std::string(t) + "' has trailing characters");
    if (unit == Unit::items)
        return bad("'" + std::string(t) + "': counts of items take no unit suffix");
    uint64_t bytes_per = 0;
    switch (t[i]) {
        case 'b':
        case 'B':
            bytes_per = 1;
            break;
        case 'k':
        case 'K':
            bytes_per = 1ULL << 10;
            break;
        case 'm':
        case 'M':
            bytes_per = 1ULL << 20;
            break;
        case 'g':
        case 'G':
            bytes_per = 1ULL << 30;
            break;
        case 't':
        case 'T':
            bytes_per = 1ULL << 40;
            break;
        case 'p':
        case 'P':
            bytes_per = kPageSize;
            break;
        default:
            return bad("'" + std::string(t) + "' has an unknown suffix (K, M, G, T, P, B)");
    }
    if (n == kUnlimited) return kUnlimited;
    if (n > kUnlimited / bytes_per) return bad("'" + std::string(t) + "' is too large");
    uint64_t bytes = n * bytes_per;
    return unit == Unit::bytes ? bytes : bytes / kPageSize;
}

// "barrier[:limit]"; a single value sets both, as vzctl does.
inline std::optional<Pair> parse(std::string_view text, Unit unit, std::string *why) {
    auto colon = text.find(':');
    auto b = parse_one(text.substr(0, colon), unit, why);
    if (!b) return std::nullopt;
    if (colon == std::string_view::npos) return Pair{*b, *b};
    auto l = parse_one(text.substr(colon + 1), unit, why);
    if (!l) return std::nullopt;
    if (*l < *b) {
        if (why) *why = "'" + std::string(text) + "': the limit is below the barrier";
        return std::nullopt;
    }
    return Pair{*b, *l};
}

}  // namespace ct::ubc
