#include "options.hpp"

#include <cctype>
#include <functional>

#include "ct/error.hpp"
#include "ct/internal/uri_query.hpp"

namespace ct::openvz {
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
    std::string scheme, host, query;
    if (!uri::split(uri, scheme, host, query)) throw bad("not a URI (expected openvz:///)");
    if (scheme != "openvz") throw bad("scheme must be openvz");
    if (!host.empty() && host != "localhost")
        throw bad("host '" + host + "' is not local; use openvz+ssh://" + host + "/");
    for (const auto &[k, v] : uri::query_pairs(query)) {
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
