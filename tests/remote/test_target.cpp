// Remote URIs and the ssh command line: options, defaults, refusals, and quoting that leaves no
// way to inject a command or an ssh option.
#include <gtest/gtest.h>

#include "ct/error.hpp"
#include "target.hpp"

namespace ct::remote {
namespace {

std::vector<std::string> common(const std::string &policy, int keepalive = 15, int timeout = 10) {
    return {"ssh", "-T",
            "-e",  "none",
            "-o",  "BatchMode=yes",
            "-o",  "StrictHostKeyChecking=" + policy,
            "-o",  "ConnectTimeout=" + std::to_string(timeout),
            "-o",  "ServerAliveInterval=" + std::to_string(keepalive),
            "-o",  "ServerAliveCountMax=3",
            "-o",  "ControlMaster=no",
            "-o",  "ControlPath=none"};
}

TEST(Target, Defaults) {
    auto t = parse_target("linux+ssh://host1/", "/usr/libexec/ct/ct-agent");
    EXPECT_EQ(t.backend, "linux");
    EXPECT_EQ(t.host, "host1");
    EXPECT_EQ(t.user, "");
    EXPECT_EQ(t.port, 0);
    EXPECT_EQ(t.host_key, "strict");  // never off by default
    EXPECT_EQ(t.agent, "/usr/libexec/ct/ct-agent");
    EXPECT_EQ(t.inner_uri, "linux:///");
    auto argv = ssh_argv(t, "ssh");
    auto want = common("yes");
    want.insert(want.end(), {"--", "host1", "exec '/usr/libexec/ct/ct-agent'"});
    EXPECT_EQ(argv, want);
}

TEST(Target, EveryOption) {
    auto t = parse_target(
        "openvz+ssh://admin@[fe80::1]:2200/?identity=/k/id%20x&known_hosts=/k/kh%25h&"
        "host_key=accept-new&agent=/opt/ct%20agent&keepalive=5&connect_timeout=3&root=/srv/ct&x=1",
        "/default");
    EXPECT_EQ(t.backend, "openvz");
    EXPECT_EQ(t.user, "admin");
    EXPECT_EQ(t.host, "fe80::1");
    EXPECT_EQ(t.port, 2200);
    EXPECT_EQ(t.where(), "admin@[fe80::1]:2200");
    // Options of the far backend pass through untouched; ours are taken out.
    EXPECT_EQ(t.inner_uri, "openvz:///?root=/srv/ct&x=1");
    auto want = common("accept-new", 5, 3);
    want.insert(want.end(),
                {"-p", "2200", "-l", "admin", "-i", "/k/id x", "-o", "IdentitiesOnly=yes", "-o",
                 "UserKnownHostsFile=\"/k/kh%%h\"", "--", "fe80::1", "exec '/opt/ct agent'"});
    EXPECT_EQ(ssh_argv(t, "/usr/bin/ssh")[0], "/usr/bin/ssh");
    want[0] = "/usr/bin/ssh";
    EXPECT_EQ(ssh_argv(t, "/usr/bin/ssh"), want);
}

TEST(Target, ShellQuoting) {
    EXPECT_EQ(shell_quote("plain"), "'plain'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote("$(rm -rf /); `x` \"y\" \\z"), "'$(rm -rf /); `x` \"y\" \\z'");
    EXPECT_EQ(shell_quote(""), "''");
}

TEST(Target, Refusals) {
    auto refused = [](const std::string &uri, const std::string &part) {
        try {
            parse_target(uri, "/a");
            ADD_FAILURE() << "accepted " << uri;
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_argument);
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
        }
    };
    refused("linux://host/", "a host needs a transport, e.g. linux+ssh://host/");
    refused("linux+tcp://host/", "expected <backend>+ssh");
    refused("+ssh://host/", "is not <backend> or <backend>+<transport>");
    refused("linux+ssh:///", "transport 'ssh' needs a host");
    refused("linux+ssh://-oProxyCommand=x/", "has a character");
    refused("linux+ssh://-host/", "starts with '-'");
    refused("linux+ssh://a%20b/", "has a character");
    refused("linux+ssh://-l@host/", "starts with '-'");
    refused("linux+ssh://a;b@host/", "user 'a;b'");
    refused("linux+ssh://host:99999/", "port out of range");
    refused("linux+ssh://host:x/", "port 'x' is not a number");
    refused("linux+ssh://[::1/", "unterminated");
    refused("linux+ssh://[::1]x/", "garbage after");
    refused("linux+ssh://host/?host_key=no", "host_key must be strict or accept-new");
    refused("linux+ssh://host/?host_key=off", "host_key must be strict or accept-new");
    refused("linux+ssh://host/?keepalive=0", "keepalive must be between");
    refused("linux+ssh://host/?connect_timeout=", "is not a number");
    refused("linux+ssh://host/?identity=", "identity is empty");
    refused("linux+ssh://host/?identity=a%22b", "quote, backslash or control");
    refused("linux+ssh://host/?known_hosts=a%0Ab", "quote, backslash or control");
    refused("linux+ssh://host/?agent=", "agent must be a path");
    refused("linux+ssh://host/?agent=a%0Ab", "agent must be a path");
    refused("linux+ssh://host/?x=%zz", "bad percent escape");
    refused("linux+ssh+ssh://host/", "cannot itself be remote");
}

}  // namespace
}  // namespace ct::remote
