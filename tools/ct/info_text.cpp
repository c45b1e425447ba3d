#include "info_text.hpp"

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "ct/json.hpp"
#include "table.hpp"

namespace ct::cli {
namespace {

using nlohmann::json;

// A string the JSON form carries as {"base64": ...} because it is not UTF-8.
std::optional<std::string> bytes_of(const json &v) {
    if (!v.is_object() || v.size() != 1 || !v.contains("base64") || !v["base64"].is_string())
        return std::nullopt;
    static const std::string kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : v["base64"].get<std::string>()) {
        auto pos = kAlphabet.find(c);
        if (pos == std::string::npos) break;  // '=' padding ends it
        acc = (acc << 6) | static_cast<uint32_t>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

bool is_scalar(const json &v) {
    return !v.is_structured() || bytes_of(v);
}

std::string scalar_text(const std::string &key, const json &v) {
    if (auto b = bytes_of(v)) return shell_quote(*b);
    if (v.is_string()) {
        const std::string &s = v.get_ref<const std::string &>();
        return s.find_first_of("\n\r\t\x1b") == std::string::npos ? s : shell_quote(s);
    }
    // Byte counts read better in units, and stay exact beside them.
    if (v.is_number_integer() && key.rfind("memory", 0) == 0 && v.get<int64_t>() >= 0)
        return format_bytes(v.get<int64_t>()) + " (" + v.dump() + ")";
    return v.dump();
}

// A list of plain values on one line, each quoted as sh would read it back.
std::string list_text(const json &a) {
    std::string out;
    for (const auto &e : a) {
        std::string t;
        if (auto b = bytes_of(e))
            t = *b;
        else
            t = e.is_string() ? e.get<std::string>() : e.dump();
        out += (out.empty() ? "" : " ") + shell_quote(t);
    }
    return out;
}

void print_value(std::ostream &os, const std::string &key, const json &v, size_t indent);

void print_object(std::ostream &os, const json &o, size_t indent) {
    size_t w = 0;
    for (auto it = o.begin(); it != o.end(); ++it) w = std::max(w, it.key().size());
    for (auto it = o.begin(); it != o.end(); ++it) {
        os << std::string(indent, ' ') << it.key() << ":";
        if (is_scalar(*it) || (it->is_array() && std::all_of(it->begin(), it->end(), is_scalar)))
            os << std::string(w - it.key().size() + 1, ' ');
        print_value(os, it.key(), *it, indent);
    }
}

void print_value(std::ostream &os, const std::string &key, const json &v, size_t indent) {
    if (is_scalar(v)) {
        os << scalar_text(key, v) << "\n";
    } else if (v.is_array() && std::all_of(v.begin(), v.end(), is_scalar)) {
        os << list_text(v) << "\n";
    } else if (v.is_array()) {
        os << "\n";
        for (const auto &e : v) {
            if (e.is_object()) {
                // "- " then the record's fields, the first on the dash's line.
                std::ostringstream item;
                print_object(item, e, indent + 4);
                std::string text = item.str();
                os << std::string(indent + 2, ' ') << "- " << text.substr(indent + 4);
            } else {
                os << std::string(indent + 2, ' ') << "- ";
                print_value(os, key, e, indent + 4);
            }
        }
    } else {
        os << "\n";
        print_object(os, v, indent + 2);
    }
}

}  // namespace

std::string status_text(const ContainerInfo &i) {
    std::string s = state_name(i.state);
    // Why, in short ("create interrupted", "no state file"): `info` has the whole sentence.
    if (auto it = i.details.find("incomplete"); it != i.details.end()) {
        std::string why = it->second.substr(0, it->second.find_first_of("(:"));
        while (!why.empty() && why.back() == ' ') why.pop_back();
        if (!why.empty()) s += " (" + why + ")";
    }
    if (i.state == State::stopped && i.exit_status)
        s += i.exit_status->signaled ? " (" + signal_name(i.exit_status->code) + ")"
                                     : " (" + std::to_string(i.exit_status->code) + ")";
    return s;
}

void print_info(std::ostream &os, const ContainerInfo &i, const std::string &uri) {
    json j = json::parse(to_json(i));
    json head = json::object();
    head["name"] = i.name;
    head["backend"] = i.backend + " (" + uri + ")";
    head["state"] = status_text(i);
    head["pid"] = i.pid ? std::to_string(i.pid) : "-";
    head["created"] = format_time(i.created);
    if (i.exit_status)
        head["exit_status"] = i.exit_status->signaled
                                  ? "killed by " + signal_name(i.exit_status->code) + " (" +
                                        std::to_string(i.exit_status->code) + ")"
                                  : "exited with " + std::to_string(i.exit_status->code);
    std::vector<std::string> ns;
    for (const auto &n : i.spec.effective_namespaces())
        ns.push_back(std::string(namespace_name(n.type)) + (n.path.empty() ? "" : "=" + n.path));
    head["namespaces"] = ns;
    print_object(os, head, 0);
    json spec = j.value("spec", json::object());
    spec.erase("version");
    spec.erase("name");
    spec.erase("namespaces");  // shown in effect above
    if (i.spec.namespaces) {
        // What the spec asks for, as given, when it asks for something.
        json asked = j["spec"]["namespaces"];
        if (std::any_of(asked.begin(), asked.end(), [](const json &e) { return !e.is_string(); }))
            spec["namespaces"] = asked;
    }
    os << "spec:\n";
    print_object(os, spec, 2);
    if (j.contains("details")) {
        os << "details:\n";
        print_object(os, j["details"], 2);
    }
}

}  // namespace ct::cli
