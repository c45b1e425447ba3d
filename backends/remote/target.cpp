#include "target.hpp"

#include <cctype>

#include "ct/error.hpp"

namespace ct::remote {
namespace {

[[noreturn]] void bad(const std::string &uri, const std::string &why) {
    throw Error(Errc::invalid_argument, "remote URI '" + uri + "': " + why);
}

std::string decode(const std::string &uri, const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
            bad(uri, "bad percent escape");
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
    }
    return out;
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
    auto sep = uri.find("://");
    if (sep == std::string::npos) bad(uri, "not a URI");
    std::string scheme = uri.substr(0, sep);
    auto plus = scheme.rfind('+');
    if (plus == std::string::npos || scheme.substr(plus + 1) != "ssh" || plus == 0)
        bad(uri, "expected <backend>+ssh://[user@]host[:port]/");
    t.backend = scheme.substr(0, plus);
    if (t.backend.find('+') != std::string::npos)
        bad(uri, "backend '" + t.backend + "' cannot itself be remote");

    std::string rest = uri.substr(sep + 3), query;
    if (auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (auto at = authority.rfind('@'); at != std::string::npos) {
        t.user = decode(uri, authority.substr(0, at));
        authority = authority.substr(at + 1);
    }
    std::string port;
    if (!authority.empty() && authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string::npos) bad(uri, "unterminated [IPv6] host");
        t.host = authority.substr(1, close - 1);
        std::string tail = authority.substr(close + 1);
        if (!tail.empty() && tail[0] != ':') bad(uri, "garbage after [IPv6] host");
        if (!tail.empty()) port = tail.substr(1);
    } else {
        if (auto pc = authority.rfind(':'); pc != std::string::npos) {
            port = authority.substr(pc + 1);
            authority = authority.substr(0, pc);
        }
        t.host = decode(uri, authority);
    }
    if (!port.empty()) t.port = number(uri, "port", port, 65535);
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
    size_t pos = 0;
    while (pos < query.size()) {
        auto amp = query.find('&', pos);
        std::string kv =
            query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        pos = amp == std::string::npos ? query.size() : amp + 1;
        if (kv.empty()) continue;
        auto eq = kv.find('=');
        std::string k = decode(uri, kv.substr(0, eq));
        std::string v = eq == std::string::npos ? "" : decode(uri, kv.substr(eq + 1));
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
            passed += (passed.empty() ? "?" : "&") + kv;  // the far backend's option, untouched
        }
    }
    t.inner_uri = t.backend + "://" + path + passed;
    return t;
}

std::string shell_quote(const std::string &s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
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
