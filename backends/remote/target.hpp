// What a remote URI asks for: where to connect, how, and the URI of the backend to open on the
// far side. <backend>+ssh://[user@]host[:port]/[path][?options]
#pragma once

#include "ct/backend/sys.hpp"

#include <string>
#include <vector>

namespace ct::remote {

struct Target {
    std::string uri;      // as given (for messages)
    std::string backend;  // "linux"
    std::string user, host;
    int port = 0;                     // 0: ssh's default (or the user's config)
    std::string identity;             // identity=FILE
    std::string known_hosts;          // known_hosts=FILE
    std::string host_key = "strict";  // host_key=strict|accept-new
    std::string agent;                // agent=PATH on the far host
    int keepalive = 15;               // keepalive=SECONDS
    int connect_timeout = 10;         // connect_timeout=SECONDS
    std::string inner_uri;            // "linux:///?root=/x": every other option passes through

    // "root@10.0.0.2" / "10.0.0.2:2222" for messages.
    std::string where() const;
};

// Parses and checks a remote URI. Throws Error(invalid_argument) naming the URI and the problem.
// `default_agent` is used when the URI has no agent= option.
Target parse_target(const std::string &uri, const std::string &default_agent);

// The remote shell command that runs the agent: every word quoted for a POSIX shell, so that
// no path can inject a command.
std::string agent_command(const Target &t);

// The ssh argument vector (argv[0] is `ssh`).
std::vector<std::string> ssh_argv(const Target &t, const std::string &ssh);

// Single-quotes a word for a POSIX shell (the support library's, always quoting).
using backend::shell_quote;

}  // namespace ct::remote
