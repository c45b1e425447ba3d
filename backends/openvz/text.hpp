// Small text helpers the parsers share.
#pragma once

#include <charconv>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace ct::openvz::text {

inline std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        out.push_back(text.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    return out;
}

inline std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    std::istringstream in{std::string(line)};
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

inline bool to_u64(const std::string &s, uint64_t &v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// "Version: 2.5" -> "2.5"; empty when the first line is not a version line.
inline std::string version_of(const std::vector<std::string_view> &lines) {
    if (lines.empty()) return {};
    auto w = words(lines[0]);
    if (w.size() == 2 && w[0] == "Version:") return w[1];
    return {};
}

}  // namespace ct::openvz::text
