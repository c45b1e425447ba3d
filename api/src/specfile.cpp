// YAML spec files. The YAML tree is turned into the JSON spec document (one schema, one strict
// decoder: api/src/document.cpp) while remembering the line of every field, so that an error
// from the decoder or the validator can point at the line that caused it.
#include "ct/specfile.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "ct/error.hpp"
#include "ct/internal/document.hpp"

namespace ct {
namespace {

using nlohmann::json;
using Lines = std::map<std::string, int>;  // field path ("mounts[1].target") -> 1-based line

[[noreturn]] void fail_at(const std::string &origin, int line, const std::string &what) {
    std::string where = origin;
    if (line > 0) where += ":" + std::to_string(line);
    throw Error(Errc::invalid_spec, where + ": " + what);
}

bool is_integer(const std::string &s) {
    size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
    if (i >= s.size() || s.size() > 20) return false;
    for (; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

// A plain (unquoted) YAML scalar, typed the way YAML 1.2's core schema types it; a quoted one is
// always a string. Floats stay strings: no spec field is fractional.
json scalar(const YAML::Node &n) {
    const std::string &v = n.Scalar();
    if (n.Tag() == "!") return v;
    if (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL") return nullptr;
    if (v == "true" || v == "True" || v == "TRUE") return true;
    if (v == "false" || v == "False" || v == "FALSE") return false;
    // "0660" stays text: YAML 1.1 reads it as octal, 1.2 as decimal; the fields that take
    // modes parse octal text, the others reject it rather than guess.
    bool leading_zero = v.size() > 1 && v[0] == '0';
    if (is_integer(v) && !leading_zero) {
        errno = 0;
        if (v[0] == '-') {
            long long x = std::strtoll(v.c_str(), nullptr, 10);
            if (!errno) return x;
        } else {
            unsigned long long x = std::strtoull(v.c_str(), nullptr, 10);
            if (!errno) return x;
        }
    }
    return v;
}

std::string child(const std::string &path, const std::string &key) {
    return path.empty() ? key : path + "." + key;
}

json convert(const YAML::Node &n, const std::string &path, const std::string &origin,
             Lines &lines) {
    switch (n.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return nullptr;
        case YAML::NodeType::Scalar:
            return scalar(n);
        case YAML::NodeType::Sequence: {
            json a = json::array();
            size_t i = 0;
            for (const auto &e : n) {
                std::string p = path + "[" + std::to_string(i++) + "]";
                lines[p] = e.Mark().line + 1;
                a.push_back(convert(e, p, origin, lines));
            }
            return a;
        }
        case YAML::NodeType::Map: {
            json o = json::object();
            for (const auto &kv : n) {
                int line = kv.first.Mark().line + 1;
                if (!kv.first.IsScalar())
                    fail_at(origin, line,
                            (path.empty() ? "" : path + ": ") +
                                "a key must be a plain word, not a list or mapping");
                std::string key = kv.first.Scalar();
                std::string p = child(path, key);
                if (o.contains(key)) fail_at(origin, line, p + ": key given twice");
                lines[p] = line;
                o[key] = convert(kv.second, p, origin, lines);
            }
            return o;
        }
    }
    return nullptr;
}

// The longest known path that prefixes `field` ("mounts[1].options[0]" falls back to
// "mounts[1].options", then "mounts[1]", ...).
int line_of(const Lines &lines, std::string field) {
    while (!field.empty()) {
        if (auto it = lines.find(field); it != lines.end()) return it->second;
        auto cut = field.find_last_of(".[");
        if (cut == std::string::npos) break;
        field.erase(cut);
    }
    return 0;
}

struct Parsed {
    json doc;
    Lines lines;
};

Parsed to_json_tree(const std::string &text, const std::string &origin) {
    Parsed p;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception &e) {
        // yaml-cpp marks are 0-based; its own what() adds "yaml-cpp: error at line ...".
        fail_at(origin, e.mark.line >= 0 ? e.mark.line + 1 : 0, "not valid YAML: " + e.msg);
    }
    if (!root.IsMap()) {
        if (root.IsNull()) fail_at(origin, 0, "the spec is empty");
        fail_at(origin, root.Mark().line + 1,
                "a spec must be a mapping of fields (name:, rootfs:, ...)");
    }
    p.doc = convert(root, "", origin, p.lines);
    return p;
}

}  // namespace

Spec parse_spec_yaml(const std::string &text, const std::string &origin) {
    Parsed p = to_json_tree(text, origin);
    try {
        return doc::spec_from_json(p.doc);
    } catch (const doc::FieldError &e) {
        fail_at(origin, line_of(p.lines, e.path()),
                e.path().empty() ? e.reason() : e.path() + ": " + e.reason());
    }
}

Spec load_spec_file(const std::string &path) {
    std::ifstream f(path);
    if (!f) {
        int e = errno;
        throw Error(Errc::not_found, "spec file " + path + ": " + std::strerror(e), e);
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_spec_yaml(ss.str(), path);
}

void validate_spec_file(const Spec &spec, const std::string &text, const std::string &origin) {
    try {
        validate(spec);
    } catch (const Error &e) {
        // validate() says "invalid spec: <field>: <why>".
        static const std::string kPrefix = "invalid spec: ";
        std::string msg = e.what();
        if (msg.rfind(kPrefix, 0) != 0 || text.empty()) throw;
        msg = msg.substr(kPrefix.size());
        std::string field = msg.substr(0, msg.find(": "));
        Lines lines;
        try {
            lines = to_json_tree(text, origin).lines;
        } catch (const Error &) {
        }
        int line = line_of(lines, field);
        if (line == 0) throw Error(e.code(), origin + ": " + msg);
        fail_at(origin, line, msg);
    }
}

}  // namespace ct
