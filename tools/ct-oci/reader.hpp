// Reading config.json (and process.json, resources.json) field by field: each read checks the
// type and names the field in its error ("config.json: process.user.uid: expected an
// integer, got a string"). Properties the reader is not asked about are ignored, as the OCI
// runtime spec requires; the decoder asks about every property it knows, and refuses those it
// knows but cannot honour (Node::refuse).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ct::oci {

using nlohmann::json;

class Node {
  public:
    // `origin` names the document ("config.json"), `path` the field ("process.user").
    Node(const json &j, std::string origin, std::string path = "");

    const json &value() const { return j_; }
    const std::string &path() const { return path_; }
    std::string field(const std::string &key) const;

    bool has(const char *key) const;  // present and not null
    // The member `key` as a node (Errors if it is not a mapping). nullopt when absent.
    std::optional<Node> object(const char *key) const;
    // The items of the list `key` (empty when absent).
    std::vector<Node> items(const char *key) const;

    std::string str(const char *key, const std::string &fallback = "") const;
    bool boolean(const char *key, bool fallback = false) const;
    std::optional<int64_t> int64(const char *key) const;
    std::optional<uint64_t> uint64(const char *key) const;
    std::optional<uint32_t> uint32(const char *key) const;
    std::vector<std::string> strings(const char *key) const;
    std::vector<uint32_t> uint32s(const char *key) const;
    // A mapping of strings (annotations, sysctl).
    std::vector<std::pair<std::string, std::string>> string_map(const char *key) const;

    // Errors naming the field: what this node is not (a malformed value), or a known property
    // this runtime cannot honour.
    [[noreturn]] void fail(const std::string &key, const std::string &why) const;
    [[noreturn]] void refuse(const char *key, const std::string &why) const;
    // refuse() when `key` is present with anything but an empty/zero/false value.
    void refuse_set(const char *key, const std::string &why) const;

  private:
    const json *get(const char *key) const;
    const json &j_;
    std::string origin_, path_;
};

// Whether a JSON value is "not set": null, false, 0, "", [] or {} (engines write defaults).
bool is_unset(const json &v);

}  // namespace ct::oci
