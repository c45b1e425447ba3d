// The query part of a session URI ("...?root=/run/ct&cgroup_parent=ct"), as backends read it.
// Internal: linked into every backend through ct_core.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ct::uri {

// "%2F" -> "/"; a malformed escape stays as it is.
std::string pct_decode(const std::string &s);

// The decoded key=value pairs of `query` (without the '?'), in order; empty pieces are skipped
// and a key without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> query_pairs(const std::string &query);

// Splits "scheme://authority/path?query" into its authority (up to the first '/') and query.
// Returns false when `uri` has no "://".
bool split(const std::string &uri, std::string &scheme, std::string &authority, std::string &query);

}  // namespace ct::uri
