// Session URIs: linux:///, local, openvz:///, <backend>+ssh://[user@]host[:port]/?opts
#pragma once

#include <map>
#include <string>

namespace ct::loader {

struct Uri {
    std::string text;       // normalized full URI, as handed to the backend
    std::string scheme;     // "linux", "openvz", "linux+ssh"
    std::string backend;    // part before '+': "linux"
    std::string transport;  // part after '+': "ssh", or empty
    std::string user, host, path;
    int port = 0;
    std::map<std::string, std::string> query;
};

// Parses and normalizes a URI ("local" and "" become "linux:///"). Throws
// ct::Error(invalid_argument) naming the URI and what is wrong with it.
Uri parse_uri(const std::string &text);

}  // namespace ct::loader
