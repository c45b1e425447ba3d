#include "target.hpp"

#include <cctype>

#include "ct/error.hpp"
#include "ct/internal/uri.hpp"

namespace ct::remote {
namespace {

[[noreturn]] void bad(const std::string &uri, const std::string &why) {
    throw Error(Errc::invalid_argument, "remote URI '" + uri + "': " + why);
}

int number(const std::string &uri, const std::string &key, const std::string &v, int max) {
    if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos)
        bad(uri, key + " '" + v + "' is not a number");
    int n = std::stoi(v);
    if (n < 1 || n > max) bad(uri, key + " must be between 1 and " + std::to_string(max));
    return n;
}

// Text that reaches ssh_config's parser (-o values, -i): no control characters, and neither
// quotes nor backslashes, which that parser would interpret.
void check_config_text(const std::string &uri, const std::string &key, const std::string &v) {
    if (v.empty()) bad(uri, key + " is empty");
    for (char c : v)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '\'')
            bad(uri, key + " contains a character ssh would misread (quote, backslash or control)");
}

// %-tokens and ~ are expanded by ssh in file names: keep the name literal.
std::string ssh_literal(const std::string &v) {
    std::string out;
    for (char c : v) {
        if (c == '%') out += '%';
        out += c;
    }
    return out;
}

}  // namespace

std::string Target::where() const {
    std::string w = user.empty() ? host : user + "@" + host;
    if (host.find(':') != std::string::npos)
        w = (user.empty() ? "" : user + "@") + "[" + host + "]";
    if (port) w += ":" + std::to_string(port);
    return w;
}

Target parse_target(const std::string &uri, const std::string &default_agent) {
    Target t;
    t.uri = uri;
    t.agent = default_agent;
    uri::Uri u = uri::parse_uri(uri);  // the same reading as libct's, which routed it here
    if (auto last = u.scheme.rfind('+'); u.transport != "ssh" && u.scheme.substr(last + 1) == "ssh")
        bad(uri, "backend '" + u.scheme.substr(0, last) + "' cannot itself be remote");
    if (u.transport != "ssh") bad(uri, "expected <backend>+ssh://[user@]host[:port]/");
    t.backend = u.backend;
    t.user = u.user;
    t.host = u.host;
    t.port = u.port;
    const std::string &path = u.path;
    // ssh would read a leading '-' as an option, and the rest as its own syntax.
    if (t.host.empty()) bad(uri, "no host");
    for (char c : t.host)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
            c != '_')
            bad(uri, "host '" + t.host + "' has a character that is not allowed in a host name");
    if (t.host[0] == '-') bad(uri, "host '" + t.host + "' starts with '-'");
    for (char c : t.user)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
            c != '$')
            bad(uri, "user '" + t.user + "' has a character that is not allowed in a user name");
    if (!t.user.empty() && t.user[0] == '-') bad(uri, "user '" + t.user + "' starts with '-'");

    std::string passed;
    for (const auto &item : u.items) {
        const std::string &k = item.key, &v = item.value;
        if (k == "identity") {
            check_config_text(uri, k, v);
            t.identity = v;
        } else if (k == "known_hosts") {
            check_config_text(uri, k, v);
            t.known_hosts = v;
        } else if (k == "host_key") {
            if (v != "strict" && v != "accept-new")
                bad(uri, "host_key must be strict or accept-new (host keys are always checked)");
            t.host_key = v;
        } else if (k == "agent") {
            if (v.empty() || v.find('\0') != std::string::npos || v.find('\n') != std::string::npos)
                bad(uri, "agent must be a path");
            t.agent = v;
        } else if (k == "keepalive") {
            t.keepalive = number(uri, k, v, 3600);
        } else if (k == "connect_timeout") {
            t.connect_timeout = number(uri, k, v, 600);
        } else {
            passed += (passed.empty() ? "?" : "&") + item.raw;  // the far backend's, untouched
        }
    }
    t.inner_uri = t.backend + "://" + path + passed;
    return t;
}

std::string agent_command(const Target &t) {
    // exec: the agent is the channel's process, so its end is the channel's end.
    return "exec " + shell_quote(t.agent);
}

std::vector<std::string> ssh_argv(const Target &t, const std::string &ssh) {
    std::vector<std::string> a = {
        ssh, "-T", "-e", "none", "-o", "BatchMode=yes", "-o",
        "StrictHostKeyChecking=" + std::string(t.host_key == "strict" ? "yes" : "accept-new"), "-o",
        "ConnectTimeout=" + std::to_string(t.connect_timeout), "-o",
        "ServerAliveInterval=" + std::to_string(t.keepalive), "-o", "ServerAliveCountMax=3",
        // The session's connection is this ssh process: no shared
        // master that would outlive it or be cut by another.
        "-o", "ControlMaster=no", "-o", "ControlPath=none"};
    if (t.port) a.insert(a.end(), {"-p", std::to_string(t.port)});
    if (!t.user.empty()) a.insert(a.end(), {"-l", t.user});
    if (!t.identity.empty())
        a.insert(a.end(), {"-i", ssh_literal(t.identity), "-o", "IdentitiesOnly=yes"});
    if (!t.known_hosts.empty())
        a.insert(a.end(), {"-o", "UserKnownHostsFile=\"" + ssh_literal(t.known_hosts) + "\""});
    a.insert(a.end(), {"--", t.host, agent_command(t)});
    return a;
}

}  // namespace ct::remote
