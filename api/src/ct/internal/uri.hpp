// Session URIs: linux:///, local, openvz:///, <backend>+ssh://[user@]host[:port]/?opts.
// One parser for libct.so (which backend serves a URI) and the backends (their options), so
// a URI means the same on both sides of the driver boundary. Internal: part of ct_core.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ct::uri {

// One "key=value" of the query: decoded, and as written (for passing it on untouched).
struct QueryItem {
    std::string key, value, raw;
};

struct Uri {
    std::string text;       // normalized full URI, as handed to the backend
    std::string scheme;     // "linux", "openvz", "linux+ssh"
    std::string backend;    // part before '+': "linux"
    std::string transport;  // part after '+': "ssh", or empty
    std::string user, host, path;
    int port = 0;
    std::map<std::string, std::string> query;  // decoded; the last of a repeated key wins
    std::vector<QueryItem> items;              // every item, in order
};

// Parses and normalizes a URI ("local" and "" become "linux:///"). Throws
// ct::Error(invalid_argument) naming the URI and what is wrong with it.
Uri parse_uri(const std::string &text);

}  // namespace ct::uri
