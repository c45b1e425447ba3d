// YAML spec files (api/src/specfile.cpp): every field read, and every error names the file,
// the line and the key.
#include <gtest/gtest.h>

#include <fstream>

#include "ct/error.hpp"
#include "ct/specfile.hpp"
#include "full_spec.hpp"

namespace ct {
namespace {

// The message of the error parse_spec_yaml() throws for `yaml` ("accepted" if none).
std::string parse_error(const std::string &yaml, const std::string &origin = "t.yaml") {
    try {
        parse_spec_yaml(yaml, origin);
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec) << e.what();
        return e.what();
    }
    return "accepted";
}

std::string validate_error(const std::string &yaml) {
    try {
        validate_spec_file(parse_spec_yaml(yaml, "t.yaml"), yaml, "t.yaml");
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec) << e.what();
        return e.what();
    }
    return "accepted";
}

TEST(SpecFile, EveryFieldIsRead) {
    Spec s = parse_spec_yaml(test::full_spec_yaml(), "full.yaml");
    EXPECT_EQ(s, test::full_spec());
    EXPECT_NO_THROW(validate_spec_file(s, test::full_spec_yaml(), "full.yaml"));
}

TEST(SpecFile, TheDesignExampleParses) {
    const char *y = R"(name: web1
rootfs: /srv/ct/web1
hostname: web1
namespaces: [mount, uts, ipc, pid, net, cgroup]   # the default set
process:
  args: [/bin/sh, -c, "echo hello"]
  env: [PATH=/bin:/usr/bin]
  cwd: /
  user: {uid: 0, gid: 0}
resources:
  memory: 64M
  pids: 100
  cpu: {shares: 512, quota_us: 50000, period_us: 100000}
mounts:
  - {source: /srv/data, target: /data, type: bind, options: [ro]}
network:
  - {type: veth, name: eth0, host_name: veth-web1, addresses: [10.0.0.2/24], gateway: 10.0.0.1}
)";
    Spec s = parse_spec_yaml(y);
    EXPECT_EQ(s.effective_namespaces(), default_namespaces());
    EXPECT_EQ(s.process.args, (std::vector<std::string>{"/bin/sh", "-c", "echo hello"}));
    EXPECT_EQ(s.resources.memory, 64 << 20);
    EXPECT_EQ(s.resources.cpu.quota_us, 50000);
    EXPECT_EQ(s.mounts.at(0).options, std::vector<std::string>{"ro"});
    EXPECT_EQ(s.network.at(0).gateway, "10.0.0.1");
    validate_spec_file(s, y, "web1.yaml");
}

TEST(SpecFile, UnknownKeysNameTheKeyAndTheLine) {
    EXPECT_EQ(parse_error("name: a\nrootfs: /r\nhostnmae: x\n"),
              "t.yaml:3: hostnmae: unknown field");
    EXPECT_EQ(parse_error("name: a\nresources:\n  memory: 1M\n  cpu:\n    share: 2\n"),
              "t.yaml:5: resources.cpu.share: unknown field");
    EXPECT_EQ(parse_error("mounts:\n  - {target: /a}\n  - target: /b\n    opts: [ro]\n"),
              "t.yaml:4: mounts[1].opts: unknown field");
    EXPECT_EQ(parse_error("process:\n  user:\n    uid: 1\n    groups: [2]\n"),
              "t.yaml:4: process.user.groups: unknown field");
    EXPECT_EQ(parse_error("namespaces:\n  - {type: net, path: /x, mode: y}\n"),
              "t.yaml:2: namespaces[0].mode: unknown field");
}

TEST(SpecFile, WrongTypesNameTheKeyAndTheLine) {
    EXPECT_EQ(parse_error("name: [a, b]\n"), "t.yaml:1: name: expected a string, got a list");
    // Written out empty is refused; left out (or null) leaves the choice to the frontend.
    EXPECT_EQ(parse_error("name: ''\nrootfs: /\n"),
              "t.yaml:1: name: is empty; give a name, or leave the field out for a generated one");
    EXPECT_EQ(parse_error("name:\nrootfs: /\n"), "accepted");
    EXPECT_EQ(parse_error("name: a\nresources:\n  pids: lots\n"),
              "t.yaml:3: resources.pids: expected an integer, got a string \"lots\"");
    // A quoted number is a string, as in YAML; a plain one is a number.
    EXPECT_EQ(parse_error("resources:\n  pids: \"10\"\n"),
              "t.yaml:2: resources.pids: expected an integer, got a string \"10\"");
    EXPECT_EQ(parse_error("process:\n  args: /bin/sh\n"),
              "t.yaml:2: process.args: expected a list of strings, got a string");
    EXPECT_EQ(parse_error("process:\n  args:\n    - /bin/sh\n    - {a: b}\n"),
              "t.yaml:4: process.args[1]: expected a string, got a mapping");
    EXPECT_EQ(parse_error("readonly_rootfs: yes\n"),
              "t.yaml:1: readonly_rootfs: expected true or false, got a string");
    EXPECT_EQ(parse_error("process:\n  user: {uid: -5}\n"),
              "t.yaml:2: process.user.uid: number -5 is out of range");
    EXPECT_EQ(parse_error("resources: 64M\n"),
              "t.yaml:1: resources: expected a mapping, got a string");
    EXPECT_EQ(parse_error("mounts: {target: /a}\n"),
              "t.yaml:1: mounts: expected a list, got a mapping");
    EXPECT_EQ(parse_error("sysctl:\n  kernel.shmmax: [1]\n"),
              "t.yaml:2: sysctl.kernel.shmmax: expected a string, got a list");
    EXPECT_EQ(parse_error("resources:\n  cpu:\n    shares: 1.5\n"),
              "t.yaml:3: resources.cpu.shares: expected an integer, got a string \"1.5\"");
}

TEST(SpecFile, ScalarsAreTypedLikeYaml) {
    Spec s = parse_spec_yaml(
        "process:\n  args: [sleep, 10, '007', 'true']\n  terminal: True\n"
        "sysctl: {net.core.somaxconn: 1024, kernel.msgmax: \"8192\"}\n"
        "hostname: ~\nresources: {memory: null}\n");
    EXPECT_EQ(s.process.args, (std::vector<std::string>{"sleep", "10", "007", "true"}))
        << "a plain integer where text is expected is its text";
    EXPECT_TRUE(s.process.terminal);
    EXPECT_EQ(s.sysctl.at("net.core.somaxconn"), "1024");
    EXPECT_EQ(s.sysctl.at("kernel.msgmax"), "8192");
    EXPECT_EQ(s.hostname, "");
    EXPECT_FALSE(s.resources.memory.has_value()) << "null means 'not set'";
    // A plain true/false is a boolean, and is not taken for text: quote it.
    EXPECT_EQ(parse_error("process:\n  args: [test, true]\n"),
              "t.yaml:2: process.args[1]: expected a string, got a boolean");
}

TEST(SpecFile, Sizes) {
    auto mem = [](const std::string &v) {
        return parse_spec_yaml("resources:\n  memory: " + v + "\n").resources.memory.value();
    };
    EXPECT_EQ(mem("64M"), 64ll << 20);
    EXPECT_EQ(mem("512k"), 512ll << 10);
    EXPECT_EQ(mem("1G"), 1ll << 30);
    EXPECT_EQ(mem("2GiB"), 2ll << 30);
    EXPECT_EQ(mem("1048576"), 1048576);
    EXPECT_EQ(mem("-1"), -1);
    EXPECT_EQ(mem("max"), -1);
    EXPECT_EQ(parse_error("name: a\nresources:\n  memory: 64Q\n"),
              "t.yaml:3: resources.memory: '64Q' is not a size (examples: 512k, 64M, 1G)");
    EXPECT_EQ(parse_error("resources:\n  memory_swap: 1.5G\n"),
              "t.yaml:2: resources.memory_swap: '1.5G' is not a size (examples: 512k, 64M, 1G)");
}

TEST(SpecFile, Namespaces) {
    auto ns = [](const std::string &v) {
        return parse_spec_yaml("namespaces: " + v + "\n").namespaces;
    };
    EXPECT_FALSE(parse_spec_yaml("name: a\n").namespaces.has_value());
    EXPECT_EQ(ns("[]"), std::vector<NamespaceSpec>{});
    EXPECT_EQ(ns("[mnt, network]"),
              (std::vector<NamespaceSpec>{{Namespace::mount, {}}, {Namespace::net, {}}}));
    EXPECT_EQ(
        ns("[pid, {type: net, path: /run/netns/blue}]"),
        (std::vector<NamespaceSpec>{{Namespace::pid, {}}, {Namespace::net, "/run/netns/blue"}}));
    EXPECT_EQ(parse_error("namespaces:\n  - pid\n  - nett\n"),
              "t.yaml:3: namespaces[1]: unknown namespace 'nett' (known: mount, uts, ipc, pid, "
              "net, user, cgroup, time)");
    EXPECT_EQ(parse_error("namespaces:\n  - {path: /run/netns/x}\n"),
              "t.yaml:2: namespaces[0].type: is required");
    EXPECT_EQ(parse_error("namespaces: pid\n"),
              "t.yaml:1: namespaces: expected a list, got a string");
    // Listed twice is a validation error, with the line of the second.
    EXPECT_EQ(validate_error("name: a\nrootfs: /r\nprocess: {args: [x]}\n"
                             "namespaces:\n  - pid\n  - pid\n"),
              "t.yaml:6: namespaces[1]: namespace 'pid' listed twice");
}

TEST(SpecFile, DocumentErrors) {
    EXPECT_EQ(parse_error(""), "t.yaml: the spec is empty");
    EXPECT_EQ(parse_error("# only a comment\n"), "t.yaml: the spec is empty");
    EXPECT_EQ(parse_error("- a\n- b\n"),
              "t.yaml:1: a spec must be a mapping of fields (name:, rootfs:, ...)");
    EXPECT_EQ(parse_error("name: a\nname: b\n"), "t.yaml:2: name: key given twice");
    EXPECT_EQ(parse_error("process:\n  [a]: b\n"),
              "t.yaml:2: process: a key must be a plain word, not a list or mapping");
    std::string syntax = parse_error("name: a\nprocess: {args: [x\n");
    EXPECT_EQ(syntax.rfind("t.yaml:", 0), 0u) << syntax;
    EXPECT_NE(syntax.find("not valid YAML"), std::string::npos) << syntax;
    EXPECT_EQ(parse_error("version: 9\n"),
              "t.yaml:1: version: spec version 9 is newer than this libct understands (1)");
}

TEST(SpecFile, ValidationErrorsPointAtTheLine) {
    const std::string base = "name: a\nrootfs: /r\nprocess:\n  args: [x]\n";
    EXPECT_EQ(validate_error(base), "accepted");
    EXPECT_EQ(validate_error(base + "hostname: bad/host\n"),
              "t.yaml:5: hostname: 'bad/host' is not a valid host name");
    EXPECT_EQ(validate_error(base + "mounts:\n  - {source: /a, target: /a}\n  - source: /b\n"
                                    "    target: b\n"),
              "t.yaml:8: mounts[1].target: 'b' is not an absolute path");
    EXPECT_EQ(validate_error(base + "resources:\n  pids: 0\n"),
              "t.yaml:6: resources.pids: 0 is below the minimum 1 (-1 means unlimited)");
    EXPECT_EQ(validate_error("rootfs: /r\nprocess: {args: [x]}\n"), "t.yaml: name: is required");
    EXPECT_EQ(validate_error("name: a\nrootfs: r\nprocess: {args: [x]}\n"),
              "t.yaml:2: rootfs: 'r' is not an absolute path");
    EXPECT_EQ(validate_error(base + "  env: [A=1, NOVALUE]\n"),
              "t.yaml:5: process.env[1]: 'NOVALUE' is not KEY=value");
}

TEST(SpecFile, LoadSpecFile) {
    std::string path = ::testing::TempDir() + "ct-unit-spec-" + std::to_string(getpid()) + ".yaml";
    {
        std::ofstream f(path);
        f << "name: x\nrootfs: /r\nbogus: 1\n";
    }
    try {
        load_spec_file(path);
        FAIL() << "accepted an unknown key";
    } catch (const Error &e) {
        EXPECT_EQ(std::string(e.what()), path + ":3: bogus: unknown field");
    }
    std::remove(path.c_str());
    try {
        load_spec_file(path);
        FAIL() << "read a missing file";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        EXPECT_EQ(e.sys_errno(), ENOENT);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ct
