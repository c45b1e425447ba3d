#include "ct/internal/uri_query.hpp"

#include <cctype>

namespace ct::uri {

std::string pct_decode(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> query_pairs(const std::string &query) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t pos = 0;
    while (pos < query.size()) {
        auto amp = query.find('&', pos);
        std::string kv =
            query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        pos = amp == std::string::npos ? query.size() : amp + 1;
        if (kv.empty()) continue;
        auto eq = kv.find('=');
        out.emplace_back(pct_decode(kv.substr(0, eq)),
                         eq == std::string::npos ? "" : pct_decode(kv.substr(eq + 1)));
    }
    return out;
}

bool split(const std::string &uri, std::string &scheme, std::string &authority,
           std::string &query) {
    auto sep = uri.find("://");
    if (sep == std::string::npos) return false;
    scheme = uri.substr(0, sep);
    std::string rest = uri.substr(sep + 3);
    query.clear();
    if (auto qm = rest.find('?'); qm != std::string::npos) {
        query = rest.substr(qm + 1);
        rest = rest.substr(0, qm);
    }
    authority = rest.substr(0, rest.find('/'));
    return true;
}

}  // namespace ct::uri
