// YAML spec files. The YAML tree is turned into the JSON spec document (one schema, one strict
// decoder: api/src/document.cpp) while remembering the line of every field, so that an error
// from the decoder or the validator can point at the line that caused it.
#include "ct/specfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

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

// YAML is Unicode text, and the spec goes on to a backend as JSON: a byte that is not UTF-8
// (yaml-cpp passes it through) would fail only there, with no line to point at.
bool is_utf8(const std::string &s) {
    try {
        (void)json(s).dump();
        return true;
    } catch (const json::type_error &) {
        return false;
    }
}

// yaml-cpp shares the node of an anchor with each of its aliases, so a small file can stand for
// a tree of billions of nodes (or a cycle: an alias inside its own anchor), which only the
// conversion below would build. It stops at the bounds instead.
struct Budget {
    size_t values = 0, bytes = 0;

    void take(const std::string &origin, int line, size_t text_bytes, int depth) {
        if (depth > kMaxSpecDepth)
            fail_at(origin, line,
                    "lists and mappings nested deeper than " + std::to_string(kMaxSpecDepth) +
                        " levels (a YAML alias inside its own anchor?)");
        if (++values > kMaxSpecValues)
            fail_at(origin, 0,
                    "the spec has more than " + std::to_string(kMaxSpecValues) +
                        " values once its YAML aliases are expanded");
        bytes += text_bytes;
        if (bytes > kMaxSpecExpandedBytes)
            fail_at(origin, 0,
                    "the spec holds more than " + std::to_string(kMaxSpecExpandedBytes >> 20) +
                        " MiB of text once its YAML aliases are expanded");
    }
};

json convert(const YAML::Node &n, const std::string &path, const std::string &origin, Lines &lines,
             Budget &budget, int depth) {
    switch (n.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return nullptr;
        case YAML::NodeType::Scalar:
            if (!is_utf8(n.Scalar())) fail_at(origin, n.Mark().line + 1, path + ": not UTF-8 text");
            return scalar(n);
        case YAML::NodeType::Sequence: {
            json a = json::array();
            size_t i = 0;
            for (const auto &e : n) {
                std::string p = path + "[" + std::to_string(i++) + "]";
                int line = e.Mark().line + 1;
                budget.take(origin, line, p.size() + (e.IsScalar() ? e.Scalar().size() : 0),
                            depth + 1);
                lines[p] = line;
                a.push_back(convert(e, p, origin, lines, budget, depth + 1));
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
                if (!is_utf8(key))
                    fail_at(origin, line,
                            (path.empty() ? "" : path + ": ") + "a key is not UTF-8 text");
                std::string p = child(path, key);
                budget.take(
                    origin, line,
                    key.size() + p.size() + (kv.second.IsScalar() ? kv.second.Scalar().size() : 0),
                    depth + 1);
                if (o.contains(key)) fail_at(origin, line, p + ": key given twice");
                lines[p] = line;
                o[key] = convert(kv.second, p, origin, lines, budget, depth + 1);
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
    if (text.size() > kMaxSpecFileBytes)
        fail_at(origin, 0,
                "the spec is larger than " + std::to_string(kMaxSpecFileBytes >> 20) + " MiB (" +
                    std::to_string(text.size()) + " bytes)");
    Parsed p;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::DeepRecursion &e) {
        // yaml-cpp's own message for it is "bad file".
        fail_at(
            origin, e.mark.line >= 0 ? e.mark.line + 1 : 0,
            "lists and mappings nested deeper than " + std::to_string(kMaxSpecDepth) + " levels");
    } catch (const YAML::Exception &e) {
        // yaml-cpp marks are 0-based; its own what() adds "yaml-cpp: error at line ...".
        fail_at(origin, e.mark.line >= 0 ? e.mark.line + 1 : 0, "not valid YAML: " + e.msg);
    }
    if (!root.IsMap()) {
        if (root.IsNull()) fail_at(origin, 0, "the spec is empty");
        fail_at(origin, root.Mark().line + 1,
                "a spec must be a mapping of fields (name:, rootfs:, ...)");
    }
    Budget budget;
    p.doc = convert(root, "", origin, p.lines, budget, 0);
    return p;
}

[[noreturn]] void file_error(Errc code, const std::string &path, const std::string &why,
                             int err = 0) {
    throw Error(code, "spec file " + path + ": " + why, err);
}

// Reads at most kMaxSpecFileBytes + 1 bytes: one more than allowed tells a file at the limit
// from a longer one, whatever fstat() said (stdin is often a pipe, and a file can grow).
std::string read_bounded(int fd, const std::string &path) {
    std::string text;
    char buf[65536];
    while (text.size() <= kMaxSpecFileBytes) {
        size_t want = std::min(sizeof buf, kMaxSpecFileBytes + 1 - text.size());
        ssize_t n = ::read(fd, buf, want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) file_error(Errc::invalid_spec, path, std::strerror(errno), errno);
        if (n == 0) return text;
        text.append(buf, static_cast<size_t>(n));
    }
    file_error(
        Errc::invalid_spec, path,
        "larger than the " + std::to_string(kMaxSpecFileBytes >> 20) + " MiB a spec file may have");
}

const char *file_kind(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "a special file";
}

}  // namespace

std::string read_spec_file(const std::string &path) {
    if (path == "-") return read_bounded(STDIN_FILENO, "- (stdin)");
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. It is refused
    // below anyway, as is a device, which could be endless (/dev/zero) or never answer.
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        file_error(Errc::not_found, path, std::strerror(e), e);
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0) file_error(Errc::invalid_spec, path, std::strerror(errno), errno);
    if (!S_ISREG(st.st_mode))
        file_error(Errc::invalid_spec, path,
                   std::string("not a regular file but ") + file_kind(st.st_mode) +
                       " (give - to read a spec from stdin)");
    if (static_cast<uint64_t>(st.st_size) > kMaxSpecFileBytes)
        file_error(Errc::invalid_spec, path,
                   "larger than the " + std::to_string(kMaxSpecFileBytes >> 20) +
                       " MiB a spec file may have (" + std::to_string(st.st_size) + " bytes)");
    return read_bounded(fd, path);
}

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
    return parse_spec_yaml(read_spec_file(path), path);
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
