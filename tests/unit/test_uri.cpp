// Session URIs (api/src/uri.cpp, part of ct_core): linux:///, local, openvz:///,
// <backend>+ssh://[user@]host[:port]/?options.
#include <gtest/gtest.h>

#include "ct/error.hpp"
#include "ct/internal/uri.hpp"

namespace ct::uri {
namespace {

TEST(Uri, DefaultAndAliases) {
    for (const char *t : {"", "local", "linux:///", "local:///"}) {
        Uri u = parse_uri(t);
        EXPECT_EQ(u.text, "linux:///") << t;
        EXPECT_EQ(u.scheme, "linux") << t;
        EXPECT_EQ(u.backend, "linux") << t;
        EXPECT_EQ(u.transport, "") << t;
        EXPECT_EQ(u.host, "") << t;
        EXPECT_EQ(u.path, "/") << t;
        EXPECT_TRUE(u.query.empty()) << t;
    }
    EXPECT_EQ(parse_uri("openvz:///").backend, "openvz");
    EXPECT_EQ(parse_uri("linux://").path, "/");
    EXPECT_EQ(parse_uri("linux://localhost/").host, "localhost");
}

TEST(Uri, QueryOptionsAreDecoded) {
    Uri u = parse_uri("linux:///?root=/run/ct%2Dx&cgroup_parent=a%2fb&&flag");
    EXPECT_EQ(u.query.at("root"), "/run/ct-x");
    EXPECT_EQ(u.query.at("cgroup_parent"), "a/b");
    EXPECT_EQ(u.query.at("flag"), "");
    EXPECT_EQ(u.query.size(), 3u);
    EXPECT_EQ(u.text, "linux:///?root=/run/ct%2Dx&cgroup_parent=a%2fb&&flag")
        << "the backend gets the URI as written";
    EXPECT_EQ(parse_uri("local:///?root=/x").text, "linux:///?root=/x");
}

TEST(Uri, RemoteForms) {
    Uri u = parse_uri("linux+ssh://ops%40corp@host.example:2222/?identity=/k&host_key=accept-new");
    EXPECT_EQ(u.scheme, "linux+ssh");
    EXPECT_EQ(u.backend, "linux");
    EXPECT_EQ(u.transport, "ssh");
    EXPECT_EQ(u.user, "ops@corp");
    EXPECT_EQ(u.host, "host.example");
    EXPECT_EQ(u.port, 2222);
    EXPECT_EQ(u.path, "/");
    EXPECT_EQ(u.query.at("identity"), "/k");
    EXPECT_EQ(u.query.at("host_key"), "accept-new");

    Uri v6 = parse_uri("openvz+ssh://root@[fd00::1]:22/");
    EXPECT_EQ(v6.host, "fd00::1");
    EXPECT_EQ(v6.port, 22);
    EXPECT_EQ(v6.user, "root");
    Uri v6np = parse_uri("linux+ssh://[::1]/");
    EXPECT_EQ(v6np.host, "::1");
    EXPECT_EQ(v6np.port, 0);
    Uri nopath = parse_uri("linux+ssh://h");
    EXPECT_EQ(nopath.host, "h");
    EXPECT_EQ(nopath.path, "/");
}

TEST(Uri, MalformedUrisSayWhy) {
    const std::pair<const char *, const char *> cases[] = {
        {"linux", "expected SCHEME://"},
        {"://x", "expected SCHEME://"},
        {"li nux:///", "scheme 'li nux' has an invalid character"},
        {"linux+:///", "is not <backend> or <backend>+<transport>"},
        {"+ssh://h/", "is not <backend> or <backend>+<transport>"},
        {"linux://host/", "a host needs a transport, e.g. linux+ssh://host/"},
        {"linux+ssh:///", "transport 'ssh' needs a host"},
        {"linux+ssh://h:/", "empty port"},
        {"linux+ssh://[::1]:/", "empty port"},
        {"linux+ssh://h:ssh/", "port 'ssh' is not a number"},
        {"linux+ssh://h:123456/", "port '123456' is not a number"},
        {"linux+ssh://h:70000/", "port out of range"},
        {"linux+ssh://[::1/", "unterminated [IPv6] host"},
        {"linux+ssh://[::1]x/", "garbage after [IPv6] host"},
        {"linux:///?root=%zz", "bad percent escape"},
        {"linux:///?root=%2", "bad percent escape"},
        {"linux:///?=v", "empty option name"},
    };
    for (const auto &[uri, why] : cases) {
        try {
            parse_uri(uri);
            ADD_FAILURE() << uri << ": accepted";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_argument) << uri;
            std::string msg = e.what();
            EXPECT_NE(msg.find(std::string("invalid connection URI '") + uri + "'"),
                      std::string::npos)
                << msg;
            EXPECT_NE(msg.find(why), std::string::npos) << uri << ": " << msg;
        }
    }
}

}  // namespace
}  // namespace ct::uri
