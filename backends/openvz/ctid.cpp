#include "ctid.hpp"

#include <cstdint>

#include "ct/error.hpp"

namespace ct::openvz {
namespace {

bool is_uuid(const std::string &s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool is_numeric_ctid(const std::string &s) {
    if (s.empty() || s.size() > 10 || s[0] == '0') return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v >= 1 && v <= 2147483644;
}

bool is_ctid(const std::string &name) {
    return is_numeric_ctid(name) || is_uuid(name);
}

void check_ctid(const std::string &name) {
    if (is_ctid(name)) return;
    throw Error(Errc::invalid_argument,
                "'" + name +
                    "' is not an OpenVZ CTID: backend openvz names containers by numeric CTID "
                    "(1..2147483644, no leading zeros) or OpenVZ 7 UUID "
                    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, lower case); vzctl --name aliases "
                    "are not accepted");
}

}  // namespace ct::openvz
