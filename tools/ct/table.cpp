#include "table.hpp"

#include <algorithm>
#include <cstdio>

namespace ct::cli {
namespace {

// Width on a terminal: UTF-8 continuation bytes take no column.
size_t width(const std::string &s) {
    return static_cast<size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xc0) != 0x80; }));
}

bool valid_utf8(const std::string &s) {
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
        i += len;
    }
    return true;
}

}  // namespace

void Table::print(std::ostream &os) const {
    std::vector<size_t> w;
    for (const auto &r : rows_)
        for (size_t i = 0; i < r.size(); ++i) {
            if (w.size() <= i) w.push_back(0);
            w[i] = std::max(w[i], width(r[i]));
        }
    for (const auto &r : rows_) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i)
            line += i + 1 == r.size() ? r[i] : r[i] + std::string(w[i] - width(r[i]) + 2, ' ');
        os << line << "\n";
    }
}

std::string shell_quote(const std::string &a) {
    bool control = !valid_utf8(a);
    for (unsigned char c : a)
        if (c < 0x20 || c == 0x7f) control = true;
    if (control) {
        std::string out = "$'";
        for (unsigned char c : a) {
            if (c == '\n') {
                out += "\\n";
            } else if (c == '\t') {
                out += "\\t";
            } else if (c == '\\' || c == '\'') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !valid_utf8(a))) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
        return out + "'";
    }
    bool plain = !a.empty() && a.find_first_of(" \"'\\$`;&|<>()*?[]{}#~!") == std::string::npos;
    if (plain) return a;
    std::string out = "'";
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string command_line(const std::vector<std::string> &args) {
    std::string out;
    for (const auto &a : args) out += (out.empty() ? "" : " ") + shell_quote(a);
    return out;
}

}  // namespace ct::cli
