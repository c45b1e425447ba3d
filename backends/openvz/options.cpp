#include "options.hpp"

#include <cctype>
#include <functional>

#include "ct/error.hpp"
#include "ct/internal/uri.hpp"

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

SessionOptions parse_uri(const std::string &text) {
    SessionOptions o;
    auto bad = [&](const std::string &why) {
        return Error(Errc::invalid_argument, "openvz backend: URI '" + text + "': " + why);
    };
    // The shared parser refuses a host without a transport ("use openvz+ssh://host/").
    uri::Uri u = uri::parse_uri(text);
    if (u.scheme != "openvz") throw bad("scheme must be openvz");
    for (const auto &item : u.items) {
        if (item.key == "root")
            o.root = clean_dir(item.value, "root", bad);
        else if (item.key == "bin")
            o.bin = clean_dir(item.value, "bin", bad);
        else
            throw bad("unknown option '" + item.key + "' (known: root, bin)");
    }
    return o;
}

}  // namespace ct::openvz
