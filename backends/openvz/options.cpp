#include "options.hpp"

#include <cctype>
#include <functional>

#include "ct/error.hpp"

namespace ct::openvz {
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

namespace {

// Absolute, no "..", no trailing slash (so that root + "/proc/vz" is a clean path).
std::string clean_dir(const std::string &v, const std::string &key,
                      const std::function<Error(const std::string &)> &bad) {
    if (v.empty() || v[0] != '/') throw bad(key + " must be an absolute directory");
    if (v.find("/../") != std::string::npos || v.ends_with("/..") ||
        v.find('\0') != std::string::npos)
        throw bad(key + " must not contain '..'");
    std::string out = v;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

}  // namespace

SessionOptions parse_uri(const std::string &uri) {
    SessionOptions o;
    auto bad = [&](const std::string &why) {
        return Error(Errc::invalid_argument, "openvz backend: URI '" + uri + "': " + why);
    };
    auto sep = uri.find("://");
    if (sep == std::string::npos) throw bad("not a URI (expected openvz:///)");
    if (uri.substr(0, sep) != "openvz") throw bad("scheme must be openvz");
    std::string rest = uri.substr(sep + 3), query;
    if (auto qm = rest.find('?'); qm != std::string::npos) {
        query = rest.substr(qm + 1);
        rest = rest.substr(0, qm);
    }
    std::string host = rest.substr(0, rest.find('/'));
    if (!host.empty() && host != "localhost")
        throw bad("host '" + host + "' is not local; use openvz+ssh://" + host + "/");
    size_t pos = 0;
    while (pos < query.size()) {
        auto amp = query.find('&', pos);
        std::string kv =
            query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        pos = amp == std::string::npos ? query.size() : amp + 1;
        if (kv.empty()) continue;
        auto eq = kv.find('=');
        std::string k = pct_decode(kv.substr(0, eq));
        std::string v = eq == std::string::npos ? "" : pct_decode(kv.substr(eq + 1));
        if (k == "root")
            o.root = clean_dir(v, "root", bad);
        else if (k == "bin")
            o.bin = clean_dir(v, "bin", bad);
        else
            throw bad("unknown option '" + k + "' (known: root, bin)");
    }
    return o;
}

}  // namespace ct::openvz
