#include "security/subid.hpp"

#include <pwd.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace ct::linux_native {
namespace {

bool number(std::string_view s, uint32_t &out) {
    if (s.empty() || s.size() > 10) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::vector<SubidRange> parse_subids(std::string_view text, const std::string &name, uint32_t id) {
    std::vector<SubidRange> out;
    const std::string id_text = std::to_string(id);
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        auto c1 = line.find(':');
        if (c1 == std::string_view::npos) continue;
        auto c2 = line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) continue;
        std::string_view owner = line.substr(0, c1);
        if (owner.empty() || (owner != name && owner != id_text)) continue;
        SubidRange r;
        if (!number(line.substr(c1 + 1, c2 - c1 - 1), r.start) ||
            !number(line.substr(c2 + 1), r.count) || r.count == 0 ||
            uint64_t{r.start} + r.count > (uint64_t{1} << 32))
            continue;
        out.push_back(r);
    }
    return out;
}

std::vector<SubidRange> read_subids(const char *file, uid_t id) {
    std::ifstream in(file);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    std::string name;
    struct passwd pw {};
    struct passwd *found = nullptr;
    char buf[4096];
    if (::getpwuid_r(id, &pw, buf, sizeof buf, &found) == 0 && found) name = found->pw_name;
    return parse_subids(text.str(), name, static_cast<uint32_t>(id));
}

bool within(const std::vector<SubidRange> &ranges, uint32_t first, uint32_t count) {
    for (const auto &r : ranges)
        if (first >= r.start && uint64_t{first} + count <= uint64_t{r.start} + r.count) return true;
    return false;
}

}  // namespace ct::linux_native
