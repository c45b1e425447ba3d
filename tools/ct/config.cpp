#include "config.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ct/error.hpp"
#include "ct/json.hpp"

namespace ct::cli {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string &where, const std::string &what) {
    throw Error(Errc::invalid_argument, where + ": " + what);
}

std::string at(const std::string &file, const YAML::Node &n) {
    return file + ":" + std::to_string(n.Mark().line + 1);
}

bool digits(const std::string &s, size_t from) {
    return s.size() > from && s.size() < 19 && s.find_first_not_of("0123456789", from) == s.npos;
}

// A plain YAML scalar typed as spec files type it (YAML 1.2 core: integers, booleans, null);
// a quoted one stays text.
json scalar(const YAML::Node &n) {
    const std::string &v = n.Scalar();
    if (n.Tag() == "!") return v;
    if (v == "~" || v == "null") return nullptr;
    if (v == "true" || v == "false") return v == "true";
    bool neg = !v.empty() && v[0] == '-';
    // Up to 18 digits: always an int64_t (a longer one stays text, and the field's reader
    // says what it expected).
    size_t sign = neg ? 1 : 0;
    if (digits(v, neg) && v.size() <= 18 + sign && !(v.size() > 1 + sign && v[sign] == '0'))
        return std::stoll(v);
    return v;
}

// The YAML tree as JSON, with the line of every field path ("resources.memory").
json to_json(const YAML::Node &n, const std::string &path, const std::string &file,
             std::map<std::string, std::string> &lines) {
    lines[path] = at(file, n);
    if (n.IsScalar()) return scalar(n);
    if (n.IsSequence()) {
        json a = json::array();
        for (size_t i = 0; i < n.size(); ++i)
            a.push_back(to_json(n[i], path + "[" + std::to_string(i) + "]", file, lines));
        return a;
    }
    if (n.IsMap()) {
        json o = json::object();
        for (const auto &kv : n) {
            std::string key = kv.first.Scalar();
            o[key] = to_json(kv.second, path.empty() ? key : path + "." + key, file, lines);
        }
        return o;
    }
    return nullptr;
}

// The line a spec decoder's "field.path: why" is about: the longest known prefix of the path.
std::string line_of(const std::string &message, const std::map<std::string, std::string> &lines,
                    const std::string &fallback) {
    std::string path = message.substr(0, message.find(": "));
    while (!path.empty()) {
        if (auto it = lines.find(path); it != lines.end()) return it->second;
        auto cut = path.find_last_of(".[");
        path = cut == std::string::npos ? "" : path.substr(0, cut);
    }
    return fallback;
}

std::string text(const YAML::Node &n, const std::string &where, const char *key) {
    if (!n.IsScalar() || n.Scalar().empty()) fail(where, std::string(key) + ": expected text");
    return n.Scalar();
}

// Leaves of `j` as "a.b[0]" -> value, for where each default came from.
void leaves(const json &j, const std::string &path, std::vector<std::string> &out) {
    if (j.is_object() && !j.empty()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            leaves(*it, path.empty() ? it.key() : path + "." + it.key(), out);
    } else {
        out.push_back(path);
    }
}

void read_file(Config &c, const std::string &path) {
    std::ifstream in(path);
    if (!in) fail(path, std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    YAML::Node root;
    try {
        root = YAML::Load(ss.str());
    } catch (const YAML::Exception &e) {
        fail(path + ":" + std::to_string(e.mark.line + 1), "not valid YAML: " + e.msg);
    }
    if (root.IsNull()) return;
    if (!root.IsMap()) fail(path, "expected a mapping of settings (uri:, aliases:, ...)");
    for (const auto &kv : root) {
        const std::string key = kv.first.Scalar();
        const std::string where = at(path, kv.first);
        const YAML::Node &v = kv.second;
        if (key == "uri") {
            c.uri = Setting{text(v, where, "uri"), where};
        } else if (key == "state_root") {
            std::string dir = text(v, where, "state_root");
            if (dir[0] != '/') fail(where, "state_root: '" + dir + "' is not an absolute path");
            c.state_root = Setting{dir, where};
        } else if (key == "aliases" || key == "uri_aliases") {
            if (!v.IsMap()) fail(where, "aliases: expected a mapping NAME: URI");
            for (const auto &a : v) {
                std::string name = a.first.Scalar(), w = at(path, a.first);
                if (name.find("://") != std::string::npos || name.empty())
                    fail(w, "aliases: '" + name + "' is a URI, not a name");
                c.aliases[name] = Setting{text(a.second, w, ("aliases." + name).c_str()), w};
            }
        } else if (key == "defaults") {
            std::map<std::string, std::string> lines;
            json d = to_json(v, "", path, lines);
            if (!d.is_object()) fail(where, "defaults: expected a mapping of spec fields");
            try {
                (void)ct::spec_from_json(d.dump());  // the same decoder as for spec files
            } catch (const Error &e) {
                fail(line_of(e.what(), lines, where), std::string("defaults.") + e.what());
            }
            std::vector<std::string> paths;
            leaves(d, "", paths);
            for (const auto &p : paths) c.default_origins[p] = line_of(p + ": ", lines, where);
            c.defaults = merge_defaults(d, c.defaults);  // a later file wins
        } else {
            fail(where, "unknown setting '" + key +
                            "' (known: uri, aliases (or uri_aliases, as virsh's), state_root, "
                            "defaults; see ct(1), FILES)");
        }
    }
}

bool is_linux_uri(const std::string &uri) {
    return uri.rfind("linux:///", 0) == 0 || uri.rfind("local:///", 0) == 0 || uri == "local";
}

bool has_root_option(const std::string &uri) {
    auto q = uri.find('?');
    if (q == std::string::npos) return false;
    std::string query = "&" + uri.substr(q + 1);
    return query.find("&root=") != std::string::npos;
}

// A query value: what would end it or be decoded is escaped.
std::string escape(const std::string &v) {
    std::string out;
    for (unsigned char ch : v) {
        if (std::isalnum(ch) || std::strchr("/._-~", ch)) {
            out += static_cast<char>(ch);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", ch);
            out += buf;
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> Config::paths() {
    std::vector<std::string> out;
    if (const char *e = std::getenv("CT_CONFIG"); e && *e) {
        std::stringstream ss(e);
        for (std::string p; std::getline(ss, p, ':');)
            if (!p.empty()) out.push_back(p);
        return out;
    }
    out.push_back("/etc/ct/ct.conf");
    if (const char *x = std::getenv("XDG_CONFIG_HOME"); x && *x == '/')
        out.push_back(std::string(x) + "/ct/ct.conf");
    else if (const char *h = std::getenv("HOME"); h && *h == '/')
        out.push_back(std::string(h) + "/.config/ct/ct.conf");
    return out;
}

Config Config::load() {
    Config c;
    for (const auto &p : paths()) {
        struct stat st;
        bool there = ::stat(p.c_str(), &st) == 0;
        c.files.push_back({p, there});
        if (there) read_file(c, p);
    }
    return c;
}

Setting Config::resolve(const Setting &given) const {
    Setting s = given;
    if (s.value.empty()) s = uri ? *uri : Setting{"linux:///", "default"};
    if (auto it = aliases.find(s.value); it != aliases.end())
        s = Setting{it->second.value,
                    s.origin + ": alias '" + s.value + "' of " + it->second.origin};
    if (state_root && is_linux_uri(s.value) && !has_root_option(s.value)) {
        std::string u = s.value == "local" ? "linux:///" : s.value;
        u += (u.find('?') == std::string::npos ? "?" : "&") + ("root=" + escape(state_root->value));
        s = Setting{u, s.origin + ", state_root of " + state_root->origin};
    }
    return s;
}

json merge_defaults(json base, const json &defaults) {
    if (!base.is_object() || !defaults.is_object()) return base;
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        auto mine = base.find(it.key());
        if (mine == base.end()) {
            base[it.key()] = *it;
        } else if (it.key() == "env" && mine->is_array() && it->is_array()) {
            // Variables the base sets keep its value; the others come from the defaults.
            for (const auto &e : *it) {
                if (!e.is_string()) continue;
                std::string key = e.get<std::string>().substr(0, e.get<std::string>().find('='));
                bool set = false;
                for (const auto &m : *mine)
                    if (m.is_string() &&
                        m.get<std::string>().substr(0, key.size() + 1) == key + "=")
                        set = true;
                if (!set) mine->push_back(e);
            }
        } else if (mine->is_object()) {
            *mine = merge_defaults(*mine, *it);
        }
    }
    return base;
}

}  // namespace ct::cli
