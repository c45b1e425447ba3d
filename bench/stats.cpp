#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

namespace ct::bench {

Summary summarize(std::vector<double> v) {
    Summary s;
    s.n = v.size();
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    size_t mid = v.size() / 2;
    s.median = v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    size_t rank = size_t(std::ceil(0.9 * double(v.size())));
    s.p90 = v[std::max<size_t>(rank, 1) - 1];
    s.min = v.front();
    s.max = v.back();
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    return s;
}

void print_table(const std::vector<Series> &series) {
    size_t width = 8;
    for (const auto &s : series) width = std::max(width, s.name.size());
    std::printf("%-*s %10s %10s %10s %10s %6s\n", int(width), "(ms)", "median", "p90", "min",
                "mean", "n");
    for (const auto &s : series) {
        Summary m = summarize(s.samples_ms);
        std::printf("%-*s %10.3f %10.3f %10.3f %10.3f %6zu\n", int(width), s.name.c_str(), m.median,
                    m.p90, m.min, m.mean, m.n);
    }
}

std::string json_quote(const std::string &s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += char(c);
                }
        }
    }
    return out + "\"";
}

static std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

std::string summary_json(const std::vector<double> &samples) {
    Summary m = summarize(samples);
    std::string out = "{\"n\":" + std::to_string(m.n) + ",\"median_ms\":" + num(m.median) +
                      ",\"p90_ms\":" + num(m.p90) + ",\"min_ms\":" + num(m.min) +
                      ",\"mean_ms\":" + num(m.mean) + ",\"max_ms\":" + num(m.max) +
                      ",\"samples_ms\":[";
    for (size_t i = 0; i < samples.size(); ++i) out += (i ? "," : "") + num(samples[i]);
    return out + "]}";
}

unsigned parse_count(const char *option, const char *value) {
    std::string v = value ? value : "";
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 9)
        throw std::invalid_argument(std::string(option) +
                                    ": expected a non-negative integer, got '" + v + "'");
    return unsigned(std::stoul(v));
}

}  // namespace ct::bench
