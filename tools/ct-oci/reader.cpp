#include "reader.hpp"

#include <limits>

#include "ct/error.hpp"

namespace ct::oci {
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
        case json::value_t::number_float:
            return "a fraction";
        default:
            return "a number";
    }
}

}  // namespace

bool is_unset(const json &v) {
    if (v.is_null()) return true;
    if (v.is_boolean()) return !v.get<bool>();
    if (v.is_number_integer()) return v.get<int64_t>() == 0;
    if (v.is_string() || v.is_array() || v.is_object()) return v.empty();
    return false;
}

Node::Node(const json &j, std::string origin, std::string path)
    : j_(j), origin_(std::move(origin)), path_(std::move(path)) {
    if (!j.is_object())
        throw Error(Errc::invalid_spec, origin_ + ": " + (path_.empty() ? "the document" : path_) +
                                            ": expected a mapping, got " + type_of(j));
}

std::string Node::field(const std::string &key) const {
    return path_.empty() ? key : path_ + "." + key;
}

const json *Node::get(const char *key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
}

bool Node::has(const char *key) const {
    return get(key) != nullptr;
}

void Node::fail(const std::string &key, const std::string &why) const {
    throw Error(Errc::invalid_spec, origin_ + ": " + field(key) + ": " + why);
}

void Node::refuse(const char *key, const std::string &why) const {
    throw Error(Errc::unsupported, origin_ + ": " + field(key) + ": " + why);
}

void Node::refuse_set(const char *key, const std::string &why) const {
    if (const json *v = get(key); v && !is_unset(*v)) refuse(key, why);
}

std::optional<Node> Node::object(const char *key) const {
    const json *v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_object()) fail(key, "expected a mapping, got " + type_of(*v));
    return Node(*v, origin_, field(key));
}

std::vector<Node> Node::items(const char *key) const {
    std::vector<Node> out;
    const json *v = get(key);
    if (!v) return out;
    if (!v->is_array()) fail(key, "expected a list, got " + type_of(*v));
    for (size_t i = 0; i < v->size(); ++i)
        out.emplace_back((*v)[i], origin_, field(key) + "[" + std::to_string(i) + "]");
    return out;
}

std::string Node::str(const char *key, const std::string &fallback) const {
    const json *v = get(key);
    if (!v) return fallback;
    if (!v->is_string()) fail(key, "expected a string, got " + type_of(*v));
    return v->get<std::string>();
}

bool Node::boolean(const char *key, bool fallback) const {
    const json *v = get(key);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(key, "expected true or false, got " + type_of(*v));
    return v->get<bool>();
}

std::optional<int64_t> Node::int64(const char *key) const {
    const json *v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) fail(key, "expected an integer, got " + type_of(*v));
    if (v->is_number_unsigned() &&
        v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(key, "number " + v->dump() + " is out of range");
    return v->get<int64_t>();
}

std::optional<uint64_t> Node::uint64(const char *key) const {
    const json *v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) fail(key, "expected an integer, got " + type_of(*v));
    if (!v->is_number_unsigned() && v->get<int64_t>() < 0)
        fail(key, "number " + v->dump() + " is out of range");
    return v->get<uint64_t>();
}

std::optional<uint32_t> Node::uint32(const char *key) const {
    auto v = uint64(key);
    if (v && *v > std::numeric_limits<uint32_t>::max())
        fail(key, "number " + std::to_string(*v) + " is out of range");
    if (!v) return std::nullopt;
    return static_cast<uint32_t>(*v);
}

std::vector<std::string> Node::strings(const char *key) const {
    std::vector<std::string> out;
    const json *v = get(key);
    if (!v) return out;
    if (!v->is_array()) fail(key, "expected a list of strings, got " + type_of(*v));
    for (size_t i = 0; i < v->size(); ++i) {
        if (!(*v)[i].is_string())
            fail(std::string(key) + "[" + std::to_string(i) + "]",
                 "expected a string, got " + type_of((*v)[i]));
        out.push_back((*v)[i].get<std::string>());
    }
    return out;
}

std::vector<uint32_t> Node::uint32s(const char *key) const {
    std::vector<uint32_t> out;
    const json *v = get(key);
    if (!v) return out;
    if (!v->is_array()) fail(key, "expected a list of integers, got " + type_of(*v));
    for (size_t i = 0; i < v->size(); ++i) {
        const json &e = (*v)[i];
        std::string k = std::string(key) + "[" + std::to_string(i) + "]";
        if (!e.is_number_integer()) fail(k, "expected an integer, got " + type_of(e));
        if ((!e.is_number_unsigned() && e.get<int64_t>() < 0) || e.get<uint64_t>() > 0xffffffffULL)
            fail(k, "number " + e.dump() + " is out of range");
        out.push_back(e.get<uint32_t>());
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> Node::string_map(const char *key) const {
    std::vector<std::pair<std::string, std::string>> out;
    const json *v = get(key);
    if (!v) return out;
    if (!v->is_object()) fail(key, "expected a mapping of strings, got " + type_of(*v));
    for (auto it = v->begin(); it != v->end(); ++it) {
        if (!it->is_string())
            fail(std::string(key) + "." + it.key(), "expected a string, got " + type_of(*it));
        out.emplace_back(it.key(), it->get<std::string>());
    }
    return out;
}

}  // namespace ct::oci
