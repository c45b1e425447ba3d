// The `ct` command's surface: usage errors exit 2, every command has useful --help, spec file
// errors name file:line:key, the URI comes from -c or CT_CONNECT, and an unknown backend is
// reported with every directory searched.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.hpp"

namespace ct::test {
namespace {

bool has(const std::string &text, const std::string &what) {
    return text.find(what) != std::string::npos;
}

// Needs no backend and no privilege.
TEST(CtUsage, UsageErrorsExit2) {
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"frobnicate"},
        {"--bogus", "list"},
        {"-c"},
        {"list", "--bogus"},
        {"list", "extra"},
        {"kill"},
        {"info"},
        {"info", "a", "--", "x"},
        {"kill", "a", "RTMIN+x"},
        {"kill", "a", "RTMAX-99"},
        {"kill", "a", "4294967296"},
        {"wait", "a", "--timeout", "soon"},
        {"run", "--rootfs", "/"},    // no command
        {"run", "--", "/bin/true"},  // no rootfs
        {"run", "--rootfs", "/", "--memory", "64Q", "--", "/bin/true"},
        {"run", "--rootfs", "/", "--pids", "many", "--", "/bin/true"},
        {"run", "--rootfs", "/", "--mount", "nocolon", "--", "/bin/true"},
        {"run", "--rootfs", "/", "--ns", "pid,bogus", "--", "/bin/true"},
        {"run", "--rootfs", "/", "-e", "NOEQUALS", "--", "/bin/true"},
        {"run", "--rootfs", "/", "-d", "-t", "--", "/bin/true"},
        {"exec", "a"},
        {"update", "a"},
        {"start", "a", "--attach", "--log", "/tmp/x"},
        {"checkpoint", "a"},
        {"create", "-n", "", "--rootfs", "/", "--", "/bin/true"},  // no quiet generated name
        {"run", "--name=", "--rootfs", "/", "--", "/bin/true"},
        {"exec", "-u", "", "a", "/bin/true"},
    };
    for (const auto &args : cases) {
        auto r = run_ct(args, {"CT_CONNECT=nosuch:///"});  // never reached: no backend needed
        std::string line;
        for (const auto &a : args) line += a + " ";
        EXPECT_EQ(r.code, 2) << "ct " << line << "\n" << r.text();
        bool says_why = r.err.rfind("ct", 0) == 0 || r.err.rfind("Usage: ct", 0) == 0;
        EXPECT_TRUE(says_why) << "ct " << line << "\n" << r.text();
        EXPECT_EQ(r.out, "") << "ct " << line;
    }
}

TEST(CtUsage, HelpForEveryCommand) {
    auto top = run_ct({"--help"});
    ASSERT_EQ(top.code, 0) << top.text();
    EXPECT_TRUE(has(top.out, "Usage: ct [-c URI] [-v] COMMAND")) << top.out;
    EXPECT_EQ(run_ct({"-h"}).out, top.out);
    // Every command of DESIGN.md's list is there, and each has its own help.
    std::vector<std::string> listed;
    std::istringstream in(top.out.substr(top.out.find("Commands:")));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line) && line.rfind("  ", 0) == 0) {
        std::istringstream ls(line);
        std::string name;
        ls >> name;
        listed.push_back(name);
    }
    for (const char *c :
         {"backends", "run", "create", "start", "exec", "wait", "kill", "destroy", "list", "info",
          "ps", "stats", "pause", "resume", "update", "checkpoint", "restore", "migrate"})
        EXPECT_NE(std::find(listed.begin(), listed.end(), c), listed.end()) << c;
    for (const auto &c : listed) {
        auto r = run_ct({c, "--help"}, {"CT_CONNECT=nosuch:///"});
        EXPECT_EQ(r.code, 0) << c << ": " << r.text();
        EXPECT_EQ(r.out.rfind("Usage: ct " + c, 0), 0u) << r.out;
        EXPECT_TRUE(has(r.out, "--connect")) << c << ": " << r.out;
        EXPECT_GT(r.out.size(), 120u) << c << " says too little: " << r.out;
        EXPECT_EQ(run_ct({c, "-h"}, {"CT_CONNECT=nosuch:///"}).out, r.out) << c;
    }
    auto v = run_ct({"--version"});
    EXPECT_EQ(v.code, 0);
    EXPECT_EQ(v.out.rfind("ct ", 0), 0u) << v.out;
}

TEST(CtUsage, UnknownBackendNamesTheDirectoriesSearched) {
    std::string dir = "/tmp/ct-cli-empty-backends-" + std::to_string(getpid());
    auto r = run_ct({"-c", "nosuch:///", "list"}, {"CT_BACKEND_PATH=" + dir});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_EQ(r.err.rfind("ct: no backend serves URI scheme 'nosuch' (searched " + dir + ", ", 0),
              0u)
        << r.err;
    EXPECT_TRUE(has(r.err, std::string(CT_TEST_BUILD_DIR) + "/lib/ct/backends")) << r.err;
    EXPECT_TRUE(has(r.err, "found linux, openvz, remote")) << r.err;
    // For run it is ct's own failure: 125.
    r = run_ct({"-c", "nosuch:///", "run", "--rootfs", "/", "--", "/bin/true"});
    EXPECT_EQ(r.code, 125) << r.text();
    EXPECT_TRUE(has(r.err, "no backend serves URI scheme 'nosuch'")) << r.err;
    r = run_ct({"-c", "linux://somehost/", "list"});  // a malformed URI
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_TRUE(has(r.err, "invalid connection URI")) << r.err;
}

TEST(CtUsage, BackendsCommand) {
    auto r = run_ct({"backends"});
    ASSERT_EQ(r.code, 0) << r.text();
    EXPECT_TRUE(has(r.out, "search path: ")) << r.out;
    EXPECT_TRUE(has(r.out, "\nlinux: ")) << r.out;
    auto j = run_ct({"backends", "--json"});
    ASSERT_EQ(j.code, 0) << j.text();
    auto a = nlohmann::json::parse(j.out);
    ASSERT_TRUE(a.is_array());
    bool linux_seen = false;
    for (const auto &b : a) {
        ASSERT_TRUE(b.contains("name") && b.contains("path") && b.contains("loaded")) << b;
        if (b["name"] != "linux") continue;
        linux_seen = true;
        EXPECT_EQ(b["loaded"], true);
        EXPECT_EQ(b["abi"], "1.2");
        EXPECT_EQ(b["schemes"], nlohmann::json({"linux", "local"}));
        // What works is reported: user namespaces and networking among the rest.
        for (const char *cap : {"namespaces", "cgroups", "userns", "network", "exec", "pause",
                                "checkpoint", "migrate"})
            EXPECT_NE(std::find(b["capabilities"].begin(), b["capabilities"].end(), cap),
                      b["capabilities"].end())
                << cap << " in " << b["capabilities"];
        for (const char *op : {"open", "create", "start", "wait", "kill", "destroy"})
            EXPECT_NE(std::find(b["operations"].begin(), b["operations"].end(), op),
                      b["operations"].end())
                << op;
    }
    EXPECT_TRUE(linux_seen) << j.out;
}

using CtCli = CliTest;

TEST_F(CtCli, SpecFileErrorsNameFileLineAndKey) {
    std::string f = write_file("web.yaml", "name: web\nrootfs: " + rootfs_ +
                                               "\nprocess:\n  args: [/bin/true]\n  cwdd: /\n");
    auto r = ct({"create", f});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_EQ(r.err, "ct: " + f + ":5: process.cwdd: unknown field\n");
    r = ct({"run", f});
    EXPECT_EQ(r.code, 125) << r.text();
    EXPECT_EQ(r.err, "ct: " + f + ":5: process.cwdd: unknown field\n");

    f = write_file("bad-type.yaml", "name: web\nresources:\n  pids: [1]\n");
    r = ct({"create", f});
    EXPECT_EQ(r.err, "ct: " + f + ":3: resources.pids: expected an integer, got a list\n");

    f = write_file("invalid.yaml", "name: web\nrootfs: " + rootfs_ +
                                       "\nprocess: {args: [/bin/true]}\nmounts:\n"
                                       "  - {source: /tmp, target: relative}\n");
    r = ct({"create", f});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_EQ(r.err, "ct: " + f + ":5: mounts[0].target: 'relative' is not an absolute path\n");

    r = ct({"create", scratch_ + "/missing.yaml"});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_EQ(r.err, "ct: spec file " + scratch_ + "/missing.yaml: No such file or directory\n");
    EXPECT_EQ(ct({"list", "-q"}).out, "") << "nothing was created";
}

TEST_F(CtCli, ConnectOptionAndEnvironment) {
    ASSERT_EQ(ct({"create", "--rootfs", rootfs_, "--name", "c1", "--", "/bin/true"}).code, 0);
    // CT_CONNECT alone, and every spelling of -c, reach the same state root.
    EXPECT_EQ(run_ct({"list", "-q"}, {"CT_CONNECT=" + uri()}).out, "c1\n");
    EXPECT_EQ(run_ct({"--connect", uri(), "list", "-q"}).out, "c1\n");
    EXPECT_EQ(run_ct({"--connect=" + uri(), "list", "-q"}).out, "c1\n");
    EXPECT_EQ(run_ct({"-c" + uri(), "list", "-q"}).out, "c1\n");
    EXPECT_EQ(run_ct({"list", "-q", "-c", uri()}).out, "c1\n");
    // -c wins over CT_CONNECT.
    std::string other = "linux:///?root=" + state_root_ + "-other&cgroup_parent=" + cgroup_parent_;
    auto r = run_ct({"-c", other, "list", "-q"}, {"CT_CONNECT=" + uri()});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "");
    r = run_ct({"-c", uri(), "list", "-q"}, {"CT_CONNECT=" + other});
    EXPECT_EQ(r.out, "c1\n");
    std::filesystem::remove_all(state_root_ + "-other");
    EXPECT_EQ(ct({"destroy", "c1"}).code, 0);
}

}  // namespace
}  // namespace ct::test
