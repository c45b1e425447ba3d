// JSON codec for the documents crossing the driver boundary. One schema implementation: the
// YAML front end and the Python bindings convert to JSON and decode through here too.
#include "ct/internal/document.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

namespace ct::doc {

using nlohmann::json;

namespace {

std::string type_of(const json &j) {
    switch (j.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::string:
            return "a string";
        case json::value_t::array:
            return "a list";
        case json::value_t::object:
            return "a mapping";
        default:
            return "a number";
    }
}

std::string sub(const std::string &path, const std::string &key) {
    return path.empty() ? key : path + "." + key;
}
std::string idx(const std::string &path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

// Strings in documents are JSON text, which is UTF-8; an argument, an environment entry or a
// path is any bytes. A string that is not valid UTF-8 travels as {"base64": "..."}, so it
// arrives byte for byte (a JSON writer would refuse it, and replacing bytes would change it).
const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool valid_utf8(const std::string &s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xe  ? 3
                     : (c >> 3) == 0x1e ? 4
                                        : 0;
        if (!len || i + len > n) return false;
        uint32_t cp = len == 1 ? c : c & (0x7f >> len);
        for (size_t k = 1; k < len; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
        i += len;
    }
    return true;
}

std::string base64(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); i += 3) {
        uint32_t v = static_cast<unsigned char>(s[i]) << 16;
        if (i + 1 < s.size()) v |= static_cast<unsigned char>(s[i + 1]) << 8;
        if (i + 2 < s.size()) v |= static_cast<unsigned char>(s[i + 2]);
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += i + 1 < s.size() ? kBase64[(v >> 6) & 63] : '=';
        out += i + 2 < s.size() ? kBase64[v & 63] : '=';
    }
    return out;
}

std::optional<std::string> unbase64(const std::string &t) {
    if (t.size() % 4) return std::nullopt;
    std::string out;
    for (size_t i = 0; i < t.size(); i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (size_t k = 0; k < 4; ++k) {
            const char *p = t[i + k] ? std::strchr(kBase64, t[i + k]) : nullptr;
            if (t[i + k] == '=' && i + 4 == t.size() && k >= 2) {
                ++pad;
                p = kBase64;
            } else if (!p || pad) {
                return std::nullopt;
            }
            v = (v << 6) | static_cast<uint32_t>(p - kBase64);
        }
        out += static_cast<char>(v >> 16);
        if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(v & 0xff);
    }
    return out;
}

// The bytes of a {"base64": "..."} value; nullopt for anything else.
std::optional<std::string> bytes_of(const json &v) {
    if (!v.is_object() || v.size() != 1) return std::nullopt;
    auto it = v.find("base64");
    if (it == v.end() || !it->is_string()) return std::nullopt;
    return unbase64(it->get<std::string>());
}

// Replaces every string of `j` that is not UTF-8 by its {"base64": ...} form. A key cannot
// take that form: one that is not UTF-8 is refused, naming where it is.
void make_lossless(json &j, const std::string &path) {
    if (j.is_string()) {
        if (!valid_utf8(j.get_ref<const std::string &>()))
            j = json{{"base64", base64(j.get<std::string>())}};
    } else if (j.is_array()) {
        for (size_t i = 0; i < j.size(); ++i) make_lossless(j[i], idx(path, i));
    } else if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!valid_utf8(it.key()))
                throw FieldError(path, "a key that is not UTF-8 text (" + base64(it.key()) +
                                           " in base64): keys must be text");
            make_lossless(it.value(), sub(path, it.key()));
        }
    }
}

// A string of a tolerant document (info, process list): text, or its base64 form.
std::string text_of(const json &v) {
    if (auto b = bytes_of(v)) return *b;
    return v.get<std::string>();
}

// Reads one JSON object strictly: every key must be consumed, or finish() names the stranger.
class Reader {
  public:
    Reader(const json &j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j.is_object()) throw FieldError(path_, "expected a mapping, got " + type_of(j));
    }
    const json *get(const char *key) {
        seen_.insert(key);
        auto it = j_.find(key);
        return it == j_.end() || it->is_null() ? nullptr : &*it;
    }
    std::string path(const char *key) const { return sub(path_, key); }
    void finish() const {
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (!seen_.count(it.key())) throw FieldError(sub(path_, it.key()), "unknown field");
    }

    void str(const char *key, std::string &out) {
        if (auto *v = get(key)) out = as_string(*v, path(key));
    }
    void boolean(const char *key, bool &out) {
        if (auto *v = get(key)) {
            if (!v->is_boolean())
                throw FieldError(path(key), "expected true or false, got " + type_of(*v));
            out = v->get<bool>();
        }
    }
    void boolean(const char *key, std::optional<bool> &out) {
        if (get(key)) {
            bool b = false;
            boolean(key, b);
            out = b;
        }
    }
    template <class T>
    void num(const char *key, T &out) {
        if (auto *v = get(key)) out = as_int<T>(*v, path(key));
    }
    template <class T>
    void num(const char *key, std::optional<T> &out) {
        if (auto *v = get(key)) out = as_int<T>(*v, path(key));
    }
    // A size: a number of bytes or a string like "64M"; -1/"max" is unlimited.
    void size(const char *key, std::optional<int64_t> &out) {
        if (auto *v = get(key)) {
            if (v->is_string()) {
                try {
                    out = parse_size(v->get<std::string>(), path(key));
                } catch (const Error &) {
                    throw FieldError(path(key), "'" + v->get<std::string>() +
                                                    "' is not a size (examples: 512k, 64M, 1G)");
                }
            } else {
                out = as_int<int64_t>(*v, path(key));
            }
        }
    }
    void strings(const char *key, std::vector<std::string> &out) {
        if (auto *v = get(key)) out = as_strings(*v, path(key));
    }

    static std::string as_string(const json &v, const std::string &p) {
        // An integer where text is expected is its text: YAML writers rarely quote `[sleep, 10]`.
        if (v.is_number_integer()) return v.dump();
        if (v.is_object()) {
            if (auto b = bytes_of(v)) return *b;
            if (v.contains("base64"))
                throw FieldError(p, "{base64: ...} must hold only base64 text (RFC 4648)");
        }
        if (!v.is_string()) throw FieldError(p, "expected a string, got " + type_of(v));
        return v.get<std::string>();
    }
    static std::vector<std::string> as_strings(const json &v, const std::string &p) {
        if (!v.is_array()) throw FieldError(p, "expected a list of strings, got " + type_of(v));
        std::vector<std::string> out;
        for (size_t i = 0; i < v.size(); ++i) out.push_back(as_string(v[i], idx(p, i)));
        return out;
    }
    template <class T>
    static T as_int(const json &v, const std::string &p) {
        if (v.is_number_integer()) {
            if constexpr (std::is_unsigned_v<T>) {
                if (v.is_number_unsigned() || v.get<int64_t>() >= 0) {
                    auto u = v.get<uint64_t>();
                    if (u <= std::numeric_limits<T>::max()) return static_cast<T>(u);
                }
            } else {
                if (!v.is_number_unsigned() ||
                    v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max())) {
                    auto s = v.get<int64_t>();
                    if (s >= std::numeric_limits<T>::min() && s <= std::numeric_limits<T>::max())
                        return static_cast<T>(s);
                }
            }
            throw FieldError(p, "number " + v.dump() + " is out of range");
        }
        if (!v.is_string()) throw FieldError(p, "expected an integer, got " + type_of(v));
        // YAML hands over a number too long for 64 bits as a string of digits; a quoted
        // number that fits stays what it is, a string.
        const std::string &str = v.get_ref<const std::string &>();
        std::string shown = str.size() > 40 ? str.substr(0, 40) + "..." : str;
        size_t sign = !str.empty() && str[0] == '-' ? 1 : 0;
        bool digits =
            str.size() > sign && str.find_first_not_of("0123456789", sign) == std::string::npos;
        if (digits && str.size() - sign > 19) {
            errno = 0;
            if (sign)
                (void)std::strtoll(str.c_str(), nullptr, 10);
            else
                (void)std::strtoull(str.c_str(), nullptr, 10);
            if (errno == ERANGE) throw FieldError(p, "number " + shown + " is out of range");
        }
        throw FieldError(p, "expected an integer, got a string \"" + shown + "\"");
    }

  private:
    const json &j_;
    std::string path_;
    std::set<std::string> seen_;
};

template <class T, class F>
std::vector<T> list_of(const json *v, const std::string &p, F each) {
    std::vector<T> out;
    if (!v) return out;
    if (!v->is_array()) throw FieldError(p, "expected a list, got " + type_of(*v));
    for (size_t i = 0; i < v->size(); ++i) out.push_back(each((*v)[i], idx(p, i)));
    return out;
}

Namespace ns_from_name(const std::string &n, const std::string &p) {
    static const std::pair<const char *, Namespace> kNames[] = {
        {"mount", Namespace::mount}, {"mnt", Namespace::mount}, {"uts", Namespace::uts},
        {"ipc", Namespace::ipc},     {"pid", Namespace::pid},   {"net", Namespace::net},
        {"network", Namespace::net}, {"user", Namespace::user}, {"cgroup", Namespace::cgroup},
        {"time", Namespace::time}};
    for (const auto &[name, t] : kNames)
        if (n == name) return t;
    throw FieldError(
        p, "unknown namespace '" + n + "' (known: mount, uts, ipc, pid, net, user, cgroup, time)");
}

std::vector<IdMap> idmaps_from(const json *v, const std::string &p) {
    return list_of<IdMap>(v, p, [](const json &e, const std::string &ep) {
        Reader r(e, ep);
        IdMap m;
        r.num("container_id", m.container_id);
        r.num("host_id", m.host_id);
        r.num("size", m.size);
        r.finish();
        return m;
    });
}

json idmaps_to(const std::vector<IdMap> &maps) {
    json a = json::array();
    for (const auto &m : maps)
        a.push_back({{"container_id", m.container_id}, {"host_id", m.host_id}, {"size", m.size}});
    return a;
}

// A permission mode: a string is octal ("0660", "660"), a number is taken as is.
uint32_t file_mode(const json &v, const std::string &p) {
    if (!v.is_string()) return Reader::as_int<uint32_t>(v, p);
    const std::string t = v.get<std::string>();
    if (t.empty() || t.size() > 6 || t.find_first_not_of("01234567") != std::string::npos)
        throw FieldError(p, "'" + t + "' is not an octal mode like 0660");
    return static_cast<uint32_t>(std::stoul(t, nullptr, 8));
}

template <class T>
void put_opt(json &j, const char *k, const std::optional<T> &v) {
    if (v) j[k] = *v;
}
void put_str(json &j, const char *k, const std::string &v) {
    if (!v.empty()) j[k] = v;
}
template <class T>
void put_list(json &j, const char *k, const std::vector<T> &v) {
    if (!v.empty()) j[k] = v;
}

}  // namespace

json parse(std::string_view text, const char *what) {
    try {
        return json::parse(text);
    } catch (const json::exception &e) {
        throw Error(Errc::invalid_spec, std::string(what) + " is not valid JSON: " + e.what());
    }
}

json process_to_json(const ProcessSpec &p) {
    json j;
    put_list(j, "args", p.args);
    put_list(j, "env", p.env);
    if (p.cwd != "/") j["cwd"] = p.cwd;
    if (p.user != UserSpec{}) {
        json u = json::object();
        if (p.user.uid || p.user.name.empty()) u["uid"] = p.user.uid;
        if (p.user.gid || (p.user.name.empty() && p.user.group.empty())) u["gid"] = p.user.gid;
        put_str(u, "name", p.user.name);
        put_str(u, "group", p.user.group);
        put_list(u, "additional_gids", p.user.additional_gids);
        j["user"] = u;
    }
    if (p.terminal) j["terminal"] = true;
    if (p.no_new_privileges) j["no_new_privileges"] = true;
    if (!p.new_session) j["new_session"] = false;
    if (p.parent_death_signal) j["parent_death_signal"] = p.parent_death_signal;
    if (!p.rlimits.empty()) {
        json a = json::array();
        for (const auto &r : p.rlimits)
            a.push_back({{"type", r.type}, {"soft", r.soft}, {"hard", r.hard}});
        j["rlimits"] = a;
    }
    if (const auto &c = p.capabilities) {
        if (c->uniform() && c->bounding.size() == 1 &&
            (c->bounding[0] == "all" || c->bounding[0] == "ALL")) {
            j["capabilities"] = "all";
        } else if (c->uniform()) {
            j["capabilities"] = c->bounding;
        } else {
            j["capabilities"] = json{{"bounding", c->bounding},
                                     {"effective", c->effective},
                                     {"permitted", c->permitted},
                                     {"inheritable", c->inheritable},
                                     {"ambient", c->ambient}};
        }
    } else if (!p.capabilities_add.empty() || !p.capabilities_drop.empty()) {
        json c = json::object();
        put_list(c, "add", p.capabilities_add);
        put_list(c, "drop", p.capabilities_drop);
        j["capabilities"] = c;
    }
    put_str(j, "apparmor_profile", p.apparmor_profile);
    put_str(j, "selinux_label", p.selinux_label);
    put_opt(j, "umask", p.umask);
    put_opt(j, "oom_score_adj", p.oom_score_adj);
    if (p.console_size)
        j["console_size"] = {{"rows", p.console_size->rows}, {"cols", p.console_size->cols}};
    if (j.is_null()) return json::object();
    make_lossless(j, "process");
    return j;
}

ProcessSpec process_from_json(const json &j, const std::string &path) {
    Reader r(j, path);
    ProcessSpec p;
    r.strings("args", p.args);
    r.strings("env", p.env);
    r.str("cwd", p.cwd);
    if (auto *u = r.get("user")) {
        Reader ur(*u, r.path("user"));
        ur.num("uid", p.user.uid);
        ur.num("gid", p.user.gid);
        ur.str("name", p.user.name);
        ur.str("group", p.user.group);
        if (auto *g = ur.get("additional_gids"))
            p.user.additional_gids = list_of<uint32_t>(g, ur.path("additional_gids"),
                                                       [](const json &e, const std::string &ep) {
                                                           return Reader::as_int<uint32_t>(e, ep);
                                                       });
        ur.finish();
    }
    r.boolean("terminal", p.terminal);
    r.boolean("no_new_privileges", p.no_new_privileges);
    r.boolean("new_session", p.new_session);
    r.num("parent_death_signal", p.parent_death_signal);
    p.rlimits = list_of<Rlimit>(r.get("rlimits"), r.path("rlimits"),
                                [](const json &e, const std::string &ep) {
                                    Reader er(e, ep);
                                    Rlimit l;
                                    er.str("type", l.type);
                                    er.num("soft", l.soft);
                                    er.num("hard", l.hard);
                                    er.finish();
                                    return l;
                                });
    if (auto *c = r.get("capabilities")) {
        // A list: every set; "all": every capability in every set; a mapping of add/drop:
        // changes to the default set; a mapping of sets: set by set, a missing set is empty.
        if (c->is_string()) {
            if (c->get<std::string>() != "all")
                throw FieldError(r.path("capabilities"),
                                 "expected \"all\", a list of names, {add: [...], drop: [...]} "
                                 "or the five sets, got \"" +
                                     c->get<std::string>() + "\"");
            p.capabilities = Capabilities::all_sets({"all"});
        } else if (c->is_array()) {
            p.capabilities = Capabilities::all_sets(Reader::as_strings(*c, r.path("capabilities")));
        } else if (c->is_object() && (c->contains("add") || c->contains("drop"))) {
            Reader cr(*c, r.path("capabilities"));
            cr.strings("add", p.capabilities_add);
            cr.strings("drop", p.capabilities_drop);
            for (auto it = c->begin(); it != c->end(); ++it)
                if (it.key() != "add" && it.key() != "drop")
                    throw FieldError(cr.path(it.key().c_str()),
                                     "add/drop change the default set and cannot be mixed with "
                                     "explicit sets");
            cr.finish();
        } else {
            Reader cr(*c, r.path("capabilities"));
            Capabilities caps;
            cr.strings("bounding", caps.bounding);
            cr.strings("effective", caps.effective);
            cr.strings("permitted", caps.permitted);
            cr.strings("inheritable", caps.inheritable);
            cr.strings("ambient", caps.ambient);
            cr.finish();
            p.capabilities = caps;
        }
    }
    r.str("apparmor_profile", p.apparmor_profile);
    r.str("selinux_label", p.selinux_label);
    if (auto *m = r.get("umask")) p.umask = file_mode(*m, r.path("umask"));
    r.num("oom_score_adj", p.oom_score_adj);
    if (auto *c = r.get("console_size")) {
        Reader cr(*c, r.path("console_size"));
        ConsoleSize size;
        cr.num("rows", size.rows);
        cr.num("cols", size.cols);
        cr.finish();
        p.console_size = size;
    }
    r.finish();
    return p;
}

// Per-device block I/O limits: [{major, minor, value}].
const std::pair<const char *, std::vector<DeviceLimit> BlockIoSpec::*> kDeviceLimitLists[] = {
    {"weight_device", &BlockIoSpec::weight_device},
    {"read_bps", &BlockIoSpec::read_bps},
    {"write_bps", &BlockIoSpec::write_bps},
    {"read_iops", &BlockIoSpec::read_iops},
    {"write_iops", &BlockIoSpec::write_iops}};

json resources_to_json(const Resources &res) {
    json j = json::object();
    put_opt(j, "memory", res.memory);
    put_opt(j, "memory_swap", res.memory_swap);
    put_opt(j, "pids", res.pids);
    json cpu = json::object();
    put_opt(cpu, "shares", res.cpu.shares);
    put_opt(cpu, "quota_us", res.cpu.quota_us);
    put_opt(cpu, "period_us", res.cpu.period_us);
    put_str(cpu, "cpus", res.cpu.cpus);
    put_str(cpu, "mems", res.cpu.mems);
    put_opt(cpu, "rt_runtime_us", res.cpu.rt_runtime_us);
    put_opt(cpu, "rt_period_us", res.cpu.rt_period_us);
    put_opt(cpu, "idle", res.cpu.idle);
    put_opt(cpu, "burst_us", res.cpu.burst_us);
    if (!cpu.empty()) j["cpu"] = cpu;
    put_opt(j, "io_weight", res.io_weight);
    put_opt(j, "memory_reservation", res.memory_reservation);
    put_opt(j, "memory_swappiness", res.memory_swappiness);
    put_opt(j, "oom_kill_disable", res.oom_kill_disable);
    json io = json::object();
    for (const auto &[key, list] : kDeviceLimitLists)
        for (const auto &d : res.io.*list)
            io[key].push_back({{"major", d.major}, {"minor", d.minor}, {"value", d.value}});
    if (!io.empty()) j["io"] = io;
    for (const auto &h : res.hugepages)
        j["hugepages"].push_back({{"page_size", h.page_size}, {"limit", h.limit}});
    if (!res.unified.empty()) j["unified"] = res.unified;
    if (!res.devices.empty()) {
        json a = json::array();
        for (const auto &d : res.devices) {
            json e{{"allow", d.allow}, {"type", d.type}, {"access", d.access}};
            put_opt(e, "major", d.major);
            put_opt(e, "minor", d.minor);
            a.push_back(e);
        }
        j["devices"] = a;
    }
    return j;
}

Resources resources_from_json(const json &j, const std::string &path) {
    Reader r(j, path);
    Resources res;
    r.size("memory", res.memory);
    r.size("memory_swap", res.memory_swap);
    r.num("pids", res.pids);
    if (auto *c = r.get("cpu")) {
        Reader cr(*c, r.path("cpu"));
        cr.num("shares", res.cpu.shares);
        cr.num("quota_us", res.cpu.quota_us);
        cr.num("period_us", res.cpu.period_us);
        cr.str("cpus", res.cpu.cpus);
        cr.str("mems", res.cpu.mems);
        cr.num("rt_runtime_us", res.cpu.rt_runtime_us);
        cr.num("rt_period_us", res.cpu.rt_period_us);
        cr.num("idle", res.cpu.idle);
        cr.num("burst_us", res.cpu.burst_us);
        cr.finish();
    }
    r.num("io_weight", res.io_weight);
    r.size("memory_reservation", res.memory_reservation);
    r.num("memory_swappiness", res.memory_swappiness);
    r.boolean("oom_kill_disable", res.oom_kill_disable);
    if (auto *io = r.get("io")) {
        Reader ir(*io, r.path("io"));
        for (const auto &[key, list] : kDeviceLimitLists)
            res.io.*list = list_of<DeviceLimit>(ir.get(key), ir.path(key),
                                                [](const json &e, const std::string &ep) {
                                                    Reader er(e, ep);
                                                    DeviceLimit d;
                                                    er.num("major", d.major);
                                                    er.num("minor", d.minor);
                                                    er.num("value", d.value);
                                                    er.finish();
                                                    return d;
                                                });
        ir.finish();
    }
    res.hugepages = list_of<HugepageLimit>(r.get("hugepages"), r.path("hugepages"),
                                           [](const json &e, const std::string &ep) {
                                               Reader er(e, ep);
                                               HugepageLimit h;
                                               er.str("page_size", h.page_size);
                                               std::optional<int64_t> limit;
                                               er.size("limit", limit);
                                               if (limit) h.limit = *limit;
                                               er.finish();
                                               return h;
                                           });
    if (auto *u = r.get("unified")) {
        if (!u->is_object())
            throw FieldError(r.path("unified"), "expected a mapping, got " + type_of(*u));
        for (auto it = u->begin(); it != u->end(); ++it) {
            // Values are file contents: a number in YAML is its text.
            if (it->is_string())
                res.unified[it.key()] = it->get<std::string>();
            else if (it->is_number())
                res.unified[it.key()] = it->dump();
            else
                throw FieldError(r.path("unified") + "." + it.key(),
                                 "expected a string, got " + type_of(*it));
        }
    }
    res.devices = list_of<DeviceRule>(r.get("devices"), r.path("devices"),
                                      [](const json &e, const std::string &ep) {
                                          Reader er(e, ep);
                                          DeviceRule d;
                                          er.boolean("allow", d.allow);
                                          er.str("type", d.type);
                                          er.num("major", d.major);
                                          er.num("minor", d.minor);
                                          er.str("access", d.access);
                                          er.finish();
                                          return d;
                                      });
    r.finish();
    return res;
}

namespace {

json openvz_to_json(const OpenVzSpec &o) {
    json j = json::object();
    put_str(j, "ostemplate", o.ostemplate);
    put_str(j, "config", o.config);
    put_str(j, "layout", o.layout);
    put_list(j, "ip", o.ip);
    put_list(j, "nameservers", o.nameservers);
    put_list(j, "searchdomains", o.searchdomains);
    put_opt(j, "diskspace", o.diskspace);
    put_opt(j, "diskinodes", o.diskinodes);
    put_opt(j, "cpus", o.cpus);
    put_opt(j, "ioprio", o.ioprio);
    put_opt(j, "onboot", o.onboot);
    if (!o.beancounters.empty()) j["beancounters"] = o.beancounters;
    return j;
}

OpenVzSpec openvz_from_json(const json &j) {
    Reader r(j, "openvz");
    OpenVzSpec o;
    r.str("ostemplate", o.ostemplate);
    r.str("config", o.config);
    r.str("layout", o.layout);
    r.strings("ip", o.ip);
    r.strings("nameservers", o.nameservers);
    r.strings("searchdomains", o.searchdomains);
    r.size("diskspace", o.diskspace);
    r.num("diskinodes", o.diskinodes);
    r.num("cpus", o.cpus);
    r.num("ioprio", o.ioprio);
    r.boolean("onboot", o.onboot);
    if (auto *v = r.get("beancounters")) {
        if (!v->is_object())
            throw FieldError("openvz.beancounters", "expected a mapping, got " + type_of(*v));
        for (auto it = v->begin(); it != v->end(); ++it)
            o.beancounters[it.key()] = Reader::as_string(*it, "openvz.beancounters." + it.key());
    }
    r.finish();
    return o;
}

}  // namespace

// The OCI runtime spec's LinuxSeccomp form, keys as OCI spells them, so that a profile made
// for runc, crun or Docker can be used as it is.
json seccomp_to_json(const SeccompSpec &p) {
    if (p.unconfined) return "unconfined";
    json j = json::object();
    put_str(j, "defaultAction", p.default_action);
    put_opt(j, "defaultErrnoRet", p.default_errno_ret);
    put_list(j, "architectures", p.architectures);
    put_list(j, "flags", p.flags);
    json a = json::array();
    for (const auto &sc : p.syscalls) {
        json e{{"names", sc.names}, {"action", sc.action}};
        put_opt(e, "errnoRet", sc.errno_ret);
        if (!sc.args.empty()) {
            json args = json::array();
            for (const auto &x : sc.args) {
                json arg{{"index", x.index}, {"value", x.value}, {"op", x.op}};
                if (x.value_two) arg["valueTwo"] = x.value_two;
                args.push_back(arg);
            }
            e["args"] = args;
        }
        a.push_back(e);
    }
    if (!a.empty()) j["syscalls"] = a;
    return j;
}

// "default" (the default profile) comes back as nullopt.
std::optional<SeccompSpec> seccomp_from_json(const json &j, const std::string &path) {
    if (j.is_string()) {
        auto v = j.get<std::string>();
        if (v == "default") return std::nullopt;
        if (v == "unconfined") return SeccompSpec{true};
        throw FieldError(path,
                         "expected \"default\", \"unconfined\" or a profile, got \"" + v + "\"");
    }
    Reader r(j, path);
    SeccompSpec p;
    r.str("defaultAction", p.default_action);
    r.num("defaultErrnoRet", p.default_errno_ret);
    r.strings("architectures", p.architectures);
    r.strings("flags", p.flags);
    if (r.get("listenerPath") || r.get("listenerMetadata"))
        throw FieldError(r.path("listenerPath"),
                         "seccomp notification listeners (SCMP_ACT_NOTIFY) are not supported");
    p.syscalls = list_of<SeccompSyscall>(
        r.get("syscalls"), r.path("syscalls"), [](const json &e, const std::string &ep) {
            Reader er(e, ep);
            SeccompSyscall sc;
            er.strings("names", sc.names);
            er.str("action", sc.action);
            er.num("errnoRet", sc.errno_ret);
            sc.args = list_of<SeccompArg>(er.get("args"), er.path("args"),
                                          [](const json &a, const std::string &ap) {
                                              Reader ar(a, ap);
                                              SeccompArg x;
                                              ar.num("index", x.index);
                                              ar.num("value", x.value);
                                              ar.num("valueTwo", x.value_two);
                                              ar.str("op", x.op);
                                              ar.finish();
                                              return x;
                                          });
            // Docker's profile format carries these; they are not part of a LinuxSeccomp.
            for (const char *k : {"comment", "includes", "excludes"})
                if (er.get(k))
                    throw FieldError(er.path(k),
                                     "is Docker's profile syntax; give the profile in the OCI "
                                     "runtime spec's form (Docker resolves it into that)");
            er.finish();
            return sc;
        });
    r.finish();
    return p;
}

namespace {

// The hook lists of a spec, by their document names.
template <class H>
auto hook_lists(H &h) {
    return std::array{std::pair{"prestart", &h.prestart},
                      std::pair{"create_runtime", &h.create_runtime},
                      std::pair{"create_container", &h.create_container},
                      std::pair{"start_container", &h.start_container},
                      std::pair{"poststart", &h.poststart},
                      std::pair{"poststop", &h.poststop}};
}

// The hook lists of one mount, by their document names.
template <class H>
auto mount_hook_lists(H &h) {
    return std::array{std::pair{"pre", &h.pre}, std::pair{"post", &h.post}};
}

json hook_list_to_json(const std::vector<Hook> &list) {
    json a = json::array();
    for (const auto &k : list) {
        json e{{"path", k.path}};
        put_list(e, "args", k.args);
        put_list(e, "env", k.env);
        put_opt(e, "timeout", k.timeout);
        a.push_back(e);
    }
    return a;
}

std::vector<Hook> hook_list_from(Reader &r, const char *key) {
    return list_of<Hook>(r.get(key), r.path(key), [](const json &e, const std::string &ep) {
        Reader er(e, ep);
        Hook k;
        er.str("path", k.path);
        if (k.path.empty()) throw FieldError(ep + ".path", "is required");
        er.strings("args", k.args);
        er.strings("env", k.env);
        er.num("timeout", k.timeout);
        er.finish();
        return k;
    });
}

// An object of hook lists ({key: [hook, ...]}), an empty list left out.
template <class H, class Lists>
json hook_lists_to_json(const H &h, Lists lists) {
    json j = json::object();
    for (auto [key, list] : lists(h))
        if (!list->empty()) j[key] = hook_list_to_json(*list);
    return j;
}

template <class H, class Lists>
H hook_lists_from_json(const json &j, const std::string &path, Lists lists) {
    Reader r(j, path);
    H h;
    for (auto [key, list] : lists(h)) *list = hook_list_from(r, key);
    r.finish();
    return h;
}

json hooks_to_json(const Hooks &h) {
    return hook_lists_to_json(h, [](const Hooks &x) { return hook_lists(x); });
}

Hooks hooks_from_json(const json &j, const std::string &path) {
    return hook_lists_from_json<Hooks>(j, path, [](Hooks &x) { return hook_lists(x); });
}

json mount_hooks_to_json(const MountHooks &h) {
    return hook_lists_to_json(h, [](const MountHooks &x) { return mount_hook_lists(x); });
}

MountHooks mount_hooks_from_json(const json &j, const std::string &path) {
    return hook_lists_from_json<MountHooks>(j, path,
                                            [](MountHooks &x) { return mount_hook_lists(x); });
}

// time_offsets: {monotonic: {secs, nanosecs}, boottime: {...}}, a zero clock left out.
json time_offsets_to_json(const TimeOffsets &t) {
    json j = json::object();
    for (auto [key, c] :
         {std::pair{"monotonic", &t.monotonic}, std::pair{"boottime", &t.boottime}}) {
        if (*c == ClockOffset{}) continue;
        json e{{"secs", c->secs}};
        if (c->nanosecs) e["nanosecs"] = c->nanosecs;
        j[key] = e;
    }
    return j;
}

TimeOffsets time_offsets_from_json(const json &j, const std::string &path) {
    Reader r(j, path);
    TimeOffsets t;
    for (auto [key, c] : {std::pair{"monotonic", &t.monotonic}, std::pair{"boottime", &t.boottime}})
        if (auto *v = r.get(key)) {
            Reader cr(*v, r.path(key));
            cr.num("secs", c->secs);
            cr.num("nanosecs", c->nanosecs);
            cr.finish();
        }
    r.finish();
    return t;
}

}  // namespace

json spec_to_json(const Spec &s) {
    json j{{"version", kVersion}};
    put_str(j, "name", s.name);
    put_str(j, "rootfs", s.rootfs);
    if (s.readonly_rootfs) j["readonly_rootfs"] = true;
    if (!s.private_area.type.empty()) {
        json p{{"type", s.private_area.type}, {"path", s.private_area.path}};
        put_list(p, "lower", s.private_area.lower);
        put_str(p, "work", s.private_area.work);
        j["private"] = p;
    }
    put_str(j, "hostname", s.hostname);
    if (s.namespaces) {
        json a = json::array();
        for (const auto &n : *s.namespaces) {
            if (n.path.empty())
                a.push_back(namespace_name(n.type));
            else
                a.push_back({{"type", namespace_name(n.type)}, {"path", n.path}});
        }
        j["namespaces"] = a;
    }
    if (!s.uid_map.empty()) j["uid_map"] = idmaps_to(s.uid_map);
    if (!s.gid_map.empty()) j["gid_map"] = idmaps_to(s.gid_map);
    json p = process_to_json(s.process);
    if (!p.empty()) j["process"] = p;
    json res = resources_to_json(s.resources);
    if (!res.empty()) j["resources"] = res;
    if (!s.mounts.empty()) {
        json a = json::array();
        for (const auto &m : s.mounts) {
            json e{{"target", m.target}, {"type", m.type}};
            put_str(e, "source", m.source);
            put_list(e, "options", m.options);
            if (!m.uid_map.empty()) e["uid_map"] = idmaps_to(m.uid_map);
            if (!m.gid_map.empty()) e["gid_map"] = idmaps_to(m.gid_map);
            if (!m.hooks.empty()) e["hooks"] = mount_hooks_to_json(m.hooks);
            a.push_back(e);
        }
        j["mounts"] = a;
    }
    if (!s.devices.empty()) {
        json a = json::array();
        for (const auto &d : s.devices) {
            char mode[16];
            std::snprintf(mode, sizeof mode, "0%o", d.mode);
            a.push_back({{"path", d.path},
                         {"type", d.type},
                         {"major", d.major},
                         {"minor", d.minor},
                         {"mode", mode},
                         {"uid", d.uid},
                         {"gid", d.gid}});
        }
        j["devices"] = a;
    }
    if (!s.network.empty()) {
        json a = json::array();
        for (const auto &n : s.network) {
            json e{{"type", n.type}};
            put_str(e, "name", n.name);
            put_str(e, "host_name", n.host_name);
            put_str(e, "link", n.link);
            put_str(e, "bridge", n.bridge);
            put_str(e, "mac", n.mac);
            put_str(e, "host_mac", n.host_mac);
            if (n.mtu) e["mtu"] = n.mtu;
            if (n.vlan_id) e["vlan_id"] = n.vlan_id;
            put_str(e, "mode", n.mode);
            put_list(e, "addresses", n.addresses);
            put_str(e, "gateway", n.gateway);
            if (!n.routes.empty()) {
                json rs = json::array();
                for (const auto &r : n.routes) {
                    json re{{"dst", r.dst}};
                    put_str(re, "via", r.via);
                    if (r.metric) re["metric"] = r.metric;
                    rs.push_back(re);
                }
                e["routes"] = rs;
            }
            a.push_back(e);
        }
        j["network"] = a;
    }
    if (!s.sysctl.empty()) j["sysctl"] = s.sysctl;
    put_list(j, "cgroups", s.cgroups);
    if (!s.annotations.empty()) j["annotations"] = s.annotations;
    if (s.masked_paths) j["masked_paths"] = *s.masked_paths;
    if (s.readonly_paths) j["readonly_paths"] = *s.readonly_paths;
    if (s.seccomp) j["seccomp"] = seccomp_to_json(*s.seccomp);
    if (s.openvz) j["openvz"] = openvz_to_json(*s.openvz);
    if (!s.hooks.empty()) j["hooks"] = hooks_to_json(s.hooks);
    put_str(j, "cgroup_path", s.cgroup_path);
    put_str(j, "bundle", s.bundle);
    put_str(j, "personality", s.personality);
    put_str(j, "rootfs_propagation", s.rootfs_propagation);
    if (!s.time_offsets.empty()) j["time_offsets"] = time_offsets_to_json(s.time_offsets);
    if (s.inherit_keyring) j["inherit_keyring"] = true;
    make_lossless(j, "");
    return j;
}

namespace {

std::optional<std::vector<NamespaceSpec>> namespaces_from(Reader &r) {
    std::optional<std::vector<NamespaceSpec>> out;
    if (auto *v = r.get("namespaces")) {
        out = list_of<NamespaceSpec>(v, "namespaces", [](const json &e, const std::string &ep) {
            NamespaceSpec n;
            if (e.is_string()) {
                n.type = ns_from_name(e.get<std::string>(), ep);
            } else {
                Reader er(e, ep);
                std::string t;
                er.str("type", t);
                if (t.empty()) throw FieldError(ep + ".type", "is required");
                n.type = ns_from_name(t, ep + ".type");
                er.str("path", n.path);
                er.finish();
            }
            return n;
        });
    }
    return out;
}

std::vector<MountSpec> mounts_from(Reader &r) {
    return list_of<MountSpec>(r.get("mounts"), "mounts", [](const json &e, const std::string &ep) {
        Reader er(e, ep);
        MountSpec m;
        er.str("source", m.source);
        er.str("target", m.target);
        er.str("type", m.type);
        er.strings("options", m.options);
        m.uid_map = idmaps_from(er.get("uid_map"), er.path("uid_map"));
        m.gid_map = idmaps_from(er.get("gid_map"), er.path("gid_map"));
        if (auto *h = er.get("hooks")) m.hooks = mount_hooks_from_json(*h, er.path("hooks"));
        er.finish();
        return m;
    });
}

std::vector<DeviceNode> devices_from(Reader &r) {
    return list_of<DeviceNode>(r.get("devices"), "devices",
                               [](const json &e, const std::string &ep) {
                                   Reader er(e, ep);
                                   DeviceNode d;
                                   er.str("path", d.path);
                                   er.str("type", d.type);
                                   er.num("major", d.major);
                                   er.num("minor", d.minor);
                                   if (auto *m = er.get("mode"))
                                       d.mode = file_mode(*m, er.path("mode"));
                                   er.num("uid", d.uid);
                                   er.num("gid", d.gid);
                                   er.finish();
                                   return d;
                               });
}

std::vector<NetInterfaceSpec> network_from(Reader &r) {
    return list_of<NetInterfaceSpec>(
        r.get("network"), "network", [](const json &e, const std::string &ep) {
            Reader er(e, ep);
            NetInterfaceSpec n;
            er.str("type", n.type);
            er.str("name", n.name);
            er.str("host_name", n.host_name);
            er.str("link", n.link);
            er.str("bridge", n.bridge);
            er.str("mac", n.mac);
            er.str("host_mac", n.host_mac);
            er.num("mtu", n.mtu);
            er.num("vlan_id", n.vlan_id);
            er.str("mode", n.mode);
            er.strings("addresses", n.addresses);
            er.str("gateway", n.gateway);
            n.routes = list_of<NetRouteSpec>(er.get("routes"), er.path("routes"),
                                             [](const json &re, const std::string &rp) {
                                                 Reader rr(re, rp);
                                                 NetRouteSpec r;
                                                 rr.str("dst", r.dst);
                                                 rr.str("via", r.via);
                                                 rr.num("metric", r.metric);
                                                 rr.finish();
                                                 return r;
                                             });
            er.finish();
            return n;
        });
}

// sysctl and annotations: mappings of strings (numbers and booleans kept as their text).
void string_maps_from(Reader &r, Spec &s) {
    for (auto key : {"sysctl", "annotations"}) {
        if (auto *v = r.get(key)) {
            if (!v->is_object()) throw FieldError(key, "expected a mapping, got " + type_of(*v));
            auto &dst = std::string(key) == "sysctl" ? s.sysctl : s.annotations;
            for (auto it = v->begin(); it != v->end(); ++it) {
                // sysctl values are often written as numbers in YAML; keep them as text.
                if (it->is_string())
                    dst[it.key()] = it->get<std::string>();
                else if (it->is_number() || it->is_boolean())
                    dst[it.key()] = it->dump();
                else
                    throw FieldError(std::string(key) + "." + it.key(),
                                     "expected a string, got " + type_of(*it));
            }
        }
    }
}

}  // namespace

Spec spec_from_json(const json &j) {
    Reader r(j, "");
    Spec s;
    if (auto *v = r.get("version")) {
        int ver = Reader::as_int<int>(*v, "version");
        if (ver > kVersion)
            throw FieldError("version", "spec version " + std::to_string(ver) +
                                            " is newer than this libct understands (" +
                                            std::to_string(kVersion) + ")");
    }
    r.str("name", s.name);
    // Absent means "let the frontend choose"; written out empty is a mistake, not that.
    if (s.name.empty() && r.get("name"))
        throw FieldError("name",
                         "is empty; give a name, or leave the field out for a generated one");
    r.str("rootfs", s.rootfs);
    r.boolean("readonly_rootfs", s.readonly_rootfs);
    if (auto *p = r.get("private")) {
        Reader pr(*p, "private");
        pr.str("type", s.private_area.type);
        if (s.private_area.type.empty()) throw FieldError("private.type", "is required");
        pr.str("path", s.private_area.path);
        pr.strings("lower", s.private_area.lower);
        pr.str("work", s.private_area.work);
        pr.finish();
    }
    r.str("hostname", s.hostname);
    s.namespaces = namespaces_from(r);
    s.uid_map = idmaps_from(r.get("uid_map"), "uid_map");
    s.gid_map = idmaps_from(r.get("gid_map"), "gid_map");
    if (auto *p = r.get("process")) s.process = process_from_json(*p, "process");
    if (auto *v = r.get("resources")) s.resources = resources_from_json(*v, "resources");
    s.mounts = mounts_from(r);
    s.devices = devices_from(r);
    s.network = network_from(r);
    string_maps_from(r, s);
    r.strings("cgroups", s.cgroups);
    for (auto [key, dst] : {std::pair{"masked_paths", &s.masked_paths},
                            std::pair{"readonly_paths", &s.readonly_paths}})
        if (auto *v = r.get(key)) *dst = Reader::as_strings(*v, key);
    if (auto *v = r.get("seccomp")) s.seccomp = seccomp_from_json(*v, "seccomp");
    if (auto *v = r.get("openvz")) s.openvz = openvz_from_json(*v);
    if (auto *v = r.get("hooks")) s.hooks = hooks_from_json(*v, "hooks");
    r.str("cgroup_path", s.cgroup_path);
    r.str("bundle", s.bundle);
    r.str("personality", s.personality);
    r.str("rootfs_propagation", s.rootfs_propagation);
    if (auto *v = r.get("time_offsets"))
        s.time_offsets = time_offsets_from_json(*v, "time_offsets");
    r.boolean("inherit_keyring", s.inherit_keyring);
    r.finish();
    return s;
}

std::string encode_spec(const Spec &spec) {
    return spec_to_json(spec).dump();
}
Spec decode_spec(std::string_view text) {
    return spec_from_json(parse(text, "spec document"));
}
std::string encode_process(const ProcessSpec &p) {
    return process_to_json(p).dump();
}
ProcessSpec decode_process(std::string_view text) {
    return process_from_json(parse(text, "process document"));
}

json info_to_json(const ContainerInfo &i) {
    json j{{"version", kVersion},          {"name", i.name}, {"backend", i.backend},
           {"state", state_name(i.state)}, {"pid", i.pid},   {"created", i.created},
           {"spec", spec_to_json(i.spec)}};
    if (i.exit_status)
        j["exit_status"] = {{"signaled", i.exit_status->signaled}, {"code", i.exit_status->code}};
    if (!i.details.empty()) {
        j["details"] = i.details;
        make_lossless(j["details"], "details");
    }
    return j;
}

namespace {

// o.value(key, fallback) for the integers of the tolerant documents (info, stats, process list),
// which may come from another host: converting a float there to an integer type it does not
// fit is undefined behaviour, so a float is a type error, as a string is.
template <class T>
T integer(const json &o, const char *key, T fallback) {
    if (auto it = o.find(key); it != o.end() && it->is_number_float())
        throw json::type_error::create(302, std::string(key) + " must be an integer", &o);
    return o.value(key, fallback);
}

}  // namespace

ContainerInfo info_from_json(const json &j) {
    // Info documents come from backends, possibly newer ones: unknown fields are tolerated
    // here (they are facts to show, not instructions to obey).
    ContainerInfo i;
    try {
        i.name = j.at("name").get<std::string>();
        i.backend = j.value("backend", "");
        auto st = j.value("state", "stopped");
        i.state = st == "created"      ? State::created
                  : st == "running"    ? State::running
                  : st == "paused"     ? State::paused
                  : st == "incomplete" ? State::incomplete
                                       : State::stopped;
        i.pid = integer(j, "pid", int64_t{0});
        i.created = integer(j, "created", int64_t{0});
        if (auto it = j.find("exit_status"); it != j.end() && it->is_object())
            i.exit_status = ExitStatus{it->value("signaled", false), integer(*it, "code", 0)};
        if (auto it = j.find("spec"); it != j.end()) i.spec = spec_from_json(*it);
        // A detail is one line of text: a list or mapping is left out, not written out (its
        // writer recurses once per level, and a document can nest deeper than the stack).
        if (auto it = j.find("details"); it != j.end() && it->is_object())
            for (auto d = it->begin(); d != it->end(); ++d) {
                if (!d->is_structured())
                    i.details[d.key()] = d->is_string() ? d->get<std::string>() : d->dump();
                else if (auto b = bytes_of(*d))
                    i.details[d.key()] = *b;
            }
    } catch (const json::exception &e) {
        throw Error(Errc::backend, std::string("malformed container info document: ") + e.what());
    }
    return i;
}

json stats_to_json(const Stats &s) {
    json net = json::object();
    for (const auto &[name, n] : s.network)
        net[name] = {{"rx_bytes", n.rx_bytes},
                     {"tx_bytes", n.tx_bytes},
                     {"rx_packets", n.rx_packets},
                     {"tx_packets", n.tx_packets}};
    json j = {{"version", kVersion},
              {"cpu",
               {{"usage_ns", s.cpu.usage_ns},
                {"user_ns", s.cpu.user_ns},
                {"system_ns", s.cpu.system_ns}}},
              {"memory",
               {{"usage", s.memory.usage},
                {"max_usage", s.memory.max_usage},
                {"limit", s.memory.limit},
                {"failcnt", s.memory.failcnt},
                {"oom_kills", s.memory.oom_kills}}},
              {"pids", {{"current", s.pids.current}, {"limit", s.pids.limit}}},
              {"io", {{"read_bytes", s.io.read_bytes}, {"write_bytes", s.io.write_bytes}}},
              {"network", net}};
    if (!s.beancounters.empty()) {
        json b = json::object();
        for (const auto &[name, c] : s.beancounters)
            b[name] = {{"held", c.held},
                       {"maxheld", c.maxheld},
                       {"barrier", c.barrier},
                       {"limit", c.limit},
                       {"failcnt", c.failcnt}};
        j["beancounters"] = b;
    }
    return j;
}

Stats stats_from_json(const json &j) {
    // Tolerant, like info: a newer backend may report more.
    Stats s;
    try {
        auto u = [](const json &o, const char *k) { return integer(o, k, uint64_t{0}); };
        auto l = [](const json &o, const char *k) { return integer(o, k, int64_t{-1}); };
        const json empty = json::object();
        const json &cpu = j.contains("cpu") ? j["cpu"] : empty;
        s.cpu = {u(cpu, "usage_ns"), u(cpu, "user_ns"), u(cpu, "system_ns")};
        const json &m = j.contains("memory") ? j["memory"] : empty;
        s.memory.usage = u(m, "usage");
        s.memory.max_usage = u(m, "max_usage");
        s.memory.failcnt = u(m, "failcnt");
        s.memory.oom_kills = u(m, "oom_kills");
        s.memory.limit = l(m, "limit");
        const json &p = j.contains("pids") ? j["pids"] : empty;
        s.pids.current = u(p, "current");
        s.pids.limit = l(p, "limit");
        const json &io = j.contains("io") ? j["io"] : empty;
        s.io = {u(io, "read_bytes"), u(io, "write_bytes")};
        if (j.contains("network"))
            for (auto it = j["network"].begin(); it != j["network"].end(); ++it)
                s.network[it.key()] = {u(*it, "rx_bytes"), u(*it, "tx_bytes"), u(*it, "rx_packets"),
                                       u(*it, "tx_packets")};
        if (j.contains("beancounters"))
            for (auto it = j["beancounters"].begin(); it != j["beancounters"].end(); ++it) {
                auto &c = s.beancounters[it.key()];
                c.held = u(*it, "held");
                c.maxheld = u(*it, "maxheld");
                c.failcnt = u(*it, "failcnt");
                c.barrier = l(*it, "barrier");
                c.limit = l(*it, "limit");
            }
    } catch (const json::exception &e) {
        throw Error(Errc::backend, std::string("malformed stats document: ") + e.what());
    }
    return s;
}

json processes_to_json(const std::vector<ProcessInfo> &ps) {
    json a = json::array();
    for (const auto &p : ps)
        a.push_back({{"pid", p.pid}, {"ns_pid", p.ns_pid}, {"command", p.command}});
    make_lossless(a, "processes");
    return a;
}

std::vector<ProcessInfo> processes_from_json(const json &j) {
    std::vector<ProcessInfo> out;
    try {
        for (const auto &e : j)
            out.push_back({integer(e, "pid", int64_t{0}), integer(e, "ns_pid", int64_t{0}),
                           e.contains("command") ? text_of(e["command"]) : ""});
    } catch (const json::exception &e) {
        throw Error(Errc::backend, std::string("malformed process list: ") + e.what());
    }
    return out;
}

template <class T>
T integer_field(const json &o, const std::string &key, T fallback) {
    auto it = o.find(key);
    return it == o.end() ? fallback : Reader::as_int<T>(*it, key);
}
template int integer_field(const json &, const std::string &, int);
template uint32_t integer_field(const json &, const std::string &, uint32_t);
template int64_t integer_field(const json &, const std::string &, int64_t);
template uint64_t integer_field(const json &, const std::string &, uint64_t);

}  // namespace ct::doc
