#include "ct/internal/uri.hpp"

#include <cctype>

#include "ct/error.hpp"

namespace ct::uri {
namespace {

[[noreturn]] void bad(const std::string &uri, const std::string &why) {
    throw Error(Errc::invalid_argument, "invalid connection URI '" + uri + "': " + why);
}

std::string decode(const std::string &uri, const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
                bad(uri, "bad percent escape");
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

Uri parse_uri(const std::string &in) {
    std::string text = in.empty() || in == "local" ? "linux:///" : in;
    Uri u;
    auto colon = text.find("://");
    if (colon == std::string::npos || colon == 0)
        bad(text, "expected SCHEME://[user@]host[:port]/[?options], e.g. linux:///");
    u.scheme = text.substr(0, colon);
    for (char c : u.scheme)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '_')
            bad(text, "scheme '" + u.scheme + "' has an invalid character");
    if (u.scheme == "local") u.scheme = "linux";
    auto plus = u.scheme.find('+');
    u.backend = u.scheme.substr(0, plus);
    if (plus != std::string::npos) u.transport = u.scheme.substr(plus + 1);
    if (u.backend.empty() || (plus != std::string::npos && u.transport.empty()))
        bad(text, "scheme '" + u.scheme + "' is not <backend> or <backend>+<transport>");

    std::string rest = text.substr(colon + 3);
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    u.path = slash == std::string::npos ? "/" : rest.substr(slash);
    if (auto at = authority.rfind('@'); at != std::string::npos) {
        u.user = decode(text, authority.substr(0, at));
        authority = authority.substr(at + 1);
    }
    std::string port;
    if (!authority.empty() && authority[0] == '[') {  // [ipv6]:port
        auto close = authority.find(']');
        if (close == std::string::npos) bad(text, "unterminated [IPv6] host");
        u.host = authority.substr(1, close - 1);
        std::string tail = authority.substr(close + 1);
        if (!tail.empty() && tail[0] != ':') bad(text, "garbage after [IPv6] host");
        if (!tail.empty()) port = tail.substr(1);
        if (tail == ":") bad(text, "empty port");
    } else {
        if (auto pc = authority.rfind(':'); pc != std::string::npos) {
            port = authority.substr(pc + 1);
            if (port.empty()) bad(text, "empty port");
            authority = authority.substr(0, pc);
        }
        u.host = decode(text, authority);
    }
    if (!port.empty()) {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
            bad(text, "port '" + port + "' is not a number");
        u.port = std::stoi(port);
        if (u.port < 1 || u.port > 65535) bad(text, "port out of range: " + port + " (1..65535)");
    }
    if (u.transport.empty() && !u.host.empty() && u.host != "localhost")
        bad(text, "a host needs a transport, e.g. " + u.backend + "+ssh://" + u.host + "/");
    if (!u.transport.empty() && u.host.empty())
        bad(text, "transport '" + u.transport + "' needs a host");

    size_t pos = 0;
    while (pos < query.size()) {
        auto amp = query.find('&', pos);
        std::string kv =
            query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        pos = amp == std::string::npos ? query.size() : amp + 1;
        if (kv.empty()) continue;
        auto eq = kv.find('=');
        std::string k = decode(text, kv.substr(0, eq));
        std::string v = eq == std::string::npos ? "" : decode(text, kv.substr(eq + 1));
        if (k.empty()) bad(text, "empty option name");
        u.query[k] = v;
        u.items.push_back({k, v, kv});
    }
    u.text = u.scheme + "://" + text.substr(colon + 3);
    return u;
}

}  // namespace ct::uri
