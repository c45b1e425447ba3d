#include "generation.hpp"

#include <cctype>
#include <sstream>
#include <vector>

#include "ct/error.hpp"

namespace ct::openvz {
namespace {

// "4.11" -> 4, "7.0.205-1.vz7" -> 7; -1 unless it starts with a digit (and is a version's
// length). What follows the leading number (more numbers, a packager's or a git build's
// suffix) does not change the generation.
int major_of(const std::string &v) {
    if (v.empty() || v.size() > 64 || !std::isdigit(static_cast<unsigned char>(v[0]))) return -1;
    int major = 0;
    for (size_t i = 0; i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])); ++i) {
        major = major * 10 + (v[i] - '0');
        if (major > 1000) return -1;
    }
    return major;
}

}  // namespace

std::string ToolVersion::describe() const {
    return "vzctl " + version +
           (generation == Generation::legacy ? " (legacy OpenVZ)" : " (OpenVZ 7, libvzctl)");
}

ToolVersion parse_vzctl_version(const std::string &out) {
    std::istringstream in(out);
    std::string first;
    std::getline(in, first);
    std::istringstream line(first);
    std::vector<std::string> w;
    for (std::string s; line >> s;) w.push_back(s);
    ToolVersion t;
    int major = -1;
    // vzctl 3.x/4.x: version() prints "vzctl version " VERSION.
    if (w.size() == 3 && w[0] == "vzctl" && w[1] == "version") {
        t.version = w[2];
        major = major_of(t.version);
        if (major >= 7) major = -1;  // a legacy banner with a libvzctl number: neither
        t.generation = Generation::legacy;
    }
    // vzctl 7.x on libvzctl: Version() prints "vzctl v." VERSION.
    if (w.size() == 2 && w[0] == "vzctl" && w[1].rfind("v.", 0) == 0) {
        t.version = w[1].substr(2);
        major = major_of(t.version);
        if (major < 7) major = -1;
        t.generation = Generation::vz7;
    }
    if (major < 0) {
        std::string shown = first.size() > 120 ? first.substr(0, 120) + "..." : first;
        throw Error(Errc::unsupported,
                    "vzctl --version printed '" + shown +
                        "': not a vzctl this backend knows (vzctl 3.x/4.x of legacy OpenVZ, or "
                        "vzctl 7.x and later of OpenVZ 7)");
    }
    return t;
}

}  // namespace ct::openvz
