#include "conf.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ct/error.hpp"

namespace ct::openvz {
namespace {

bool key_char(char c, bool first) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

// Parses the value part of one line (after '='). Returns false on an unterminated quote.
bool parse_value(std::string_view v, std::string &out) {
    size_t i = 0;
    out.clear();
    while (i < v.size()) {
        char c = v[i];
        if (c == '"') {
            ++i;
            bool closed = false;
            while (i < v.size()) {
                if (v[i] == '\\' && i + 1 < v.size() &&
                    std::strchr("\"\\$`", v[i + 1]) != nullptr) {
                    out += v[i + 1];
                    i += 2;
                } else if (v[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    out += v[i++];
                }
            }
            if (!closed) return false;
        } else if (c == '\'') {
            auto end = v.find('\'', i + 1);
            if (end == std::string_view::npos) return false;
            out.append(v.substr(i + 1, end - i - 1));
            i = end + 1;
        } else if (c == ' ' || c == '\t' || c == '#') {
            break;  // end of the word; the rest is a comment or trailing blanks
        } else {
            out += c;
            ++i;
        }
    }
    return true;
}

}  // namespace

Conf Conf::parse(std::string_view text) {
    Conf c;
    int lineno = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        size_t i = 0;
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i == line.size() || line[i] == '#') continue;
        size_t k = i;
        while (k < line.size() && key_char(line[k], k == i)) ++k;
        std::string value;
        if (k == i || k == line.size() || line[k] != '=' ||
            !parse_value(line.substr(k + 1), value)) {
            c.skipped_.push_back(lineno);
            continue;
        }
        c.values_[std::string(line.substr(i, k - i))] = value;  // the last one wins
    }
    return c;
}

Conf Conf::load(const std::string &path, bool optional) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int err = errno;
        if (err == ENOENT && optional) return {};
        throw Error(err == ENOENT ? Errc::not_found : Errc::backend,
                    path + ": " + std::strerror(err), err);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str());
}

std::optional<std::string> Conf::get(const std::string &key) const {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Conf::get_or(const std::string &key, const std::string &fallback) const {
    auto v = get(key);
    return v ? *v : fallback;
}

std::string expand_veid(const std::string &value, const std::string &ctid) {
    std::string out;
    for (size_t i = 0; i < value.size();) {
        bool done = false;
        for (const char *var : {"${VEID}", "$VEID", "${VE_ID}", "$VE_ID"}) {
            size_t n = std::strlen(var);
            if (value.compare(i, n, var) == 0) {
                // "$VEID" must not be the start of a longer name like $VEIDX.
                char next = i + n < value.size() ? value[i + n] : '\0';
                if (var[1] != '{' && key_char(next, false)) continue;
                out += ctid;
                i += n;
                done = true;
                break;
            }
        }
        if (!done) out += value[i++];
    }
    return out;
}

std::optional<ubc::Pair> conf_beancounter(const Conf &c, const std::string &name) {
    const auto *k = ubc::find(name);
    if (!k) return std::nullopt;
    std::string key;
    for (char ch : name) key += static_cast<char>(ch - 'a' + 'A');
    auto v = c.get(key);
    if (!v) return std::nullopt;
    return ubc::parse(*v, k->unit, nullptr);
}

std::vector<std::string> split_words(const std::string &value) {
    std::vector<std::string> out;
    std::istringstream in(value);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::vector<NetIf> parse_netif(const std::string &value) {
    std::vector<NetIf> out;
    size_t pos = 0;
    while (pos < value.size()) {
        auto semi = value.find(';', pos);
        std::string one = value.substr(pos, semi == std::string::npos ? semi : semi - pos);
        pos = semi == std::string::npos ? value.size() : semi + 1;
        NetIf n;
        size_t p = 0;
        while (p < one.size()) {
            auto comma = one.find(',', p);
            std::string kv = one.substr(p, comma == std::string::npos ? comma : comma - p);
            p = comma == std::string::npos ? one.size() : comma + 1;
            auto eq = kv.find('=');
            if (eq == std::string::npos) continue;
            std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
            if (k == "ifname")
                n.ifname = v;
            else if (k == "mac")
                n.mac = v;
            else if (k == "host_ifname")
                n.host_ifname = v;
            else if (k == "host_mac")
                n.host_mac = v;
            else if (k == "bridge")
                n.bridge = v;
        }
        if (!n.ifname.empty()) out.push_back(n);
    }
    return out;
}

}  // namespace ct::openvz
