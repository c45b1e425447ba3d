// What vzctl and vzlist print, in each generation's words: `vzctl --version`, `vzctl status`
// and `vzlist -a -H -o ctid,status`. The lines are those the tools' sources print
// (fixtures/README.md: vzctl 4.x's vzctl.c, vzctl 7.x's Show(), vzlist.c of both).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "ct/error.hpp"
#include "generation.hpp"
#include "status.hpp"

using namespace ct::openvz;

namespace {
template <class F>
std::pair<ct::Errc, std::string> error_of(F &&fn) {
    try {
        fn();
    } catch (const ct::Error &e) {
        return {e.code(), e.what()};
    }
    ADD_FAILURE() << "no error";
    return {};
}

RunResult answer(std::string out, std::string err = {}) {
    return RunResult{0, std::move(out), std::move(err)};
}
}  // namespace

TEST(Generation, FromVzctlVersion) {
    auto legacy = parse_vzctl_version("vzctl version 4.11\n");
    EXPECT_EQ(legacy.generation, Generation::legacy);
    EXPECT_EQ(legacy.version, "4.11");
    EXPECT_EQ(legacy.describe(), "vzctl 4.11 (legacy OpenVZ)");
    EXPECT_EQ(parse_vzctl_version("vzctl version 3.0.30.2\n").generation, Generation::legacy);
    auto vz7 = parse_vzctl_version("vzctl v.7.0.205.2\n");
    EXPECT_EQ(vz7.generation, Generation::vz7);
    EXPECT_EQ(vz7.version, "7.0.205.2");
    EXPECT_EQ(parse_vzctl_version("vzctl v.9.0.1\n").generation, Generation::vz7);
    // A packager's or a git build's suffix does not change the generation.
    EXPECT_EQ(parse_vzctl_version("vzctl version 4.8-19-gd284c8a\n").version, "4.8-19-gd284c8a");
    EXPECT_EQ(parse_vzctl_version("vzctl v.7.0.205-1.vz7\n").generation, Generation::vz7);
    for (const char *bad : {"", "vzctl version\n", "vzctl version 7.0.1\n", "vzctl v.4.11\n",
                            "prlctl version 7.0.205\n", "vzctl version beta\n", "vzctl v.\n"}) {
        auto [code, msg] = error_of([&] { parse_vzctl_version(bad); });
        EXPECT_EQ(code, ct::Errc::unsupported) << bad;
        EXPECT_NE(msg.find("vzctl --version printed"), std::string::npos) << msg;
    }
}

TEST(Status, BothGenerationsStatusLines) {
    // vzctl 4.x
    auto s = parse_vzctl_status("CTID 101 exist mounted running\n", "101");
    EXPECT_TRUE(s.exists && s.mounted && s.running);
    EXPECT_FALSE(s.paused || s.suspended);
    s = parse_vzctl_status("CTID 101 exist unmounted down suspended\n", "101");
    EXPECT_TRUE(s.suspended);
    EXPECT_FALSE(s.running);
    // vzctl 3.x: a dump file left beside a running container (a suspended word after running).
    s = parse_vzctl_status("CTID 101 exist mounted running suspended\n", "101");
    EXPECT_TRUE(s.running);
    EXPECT_FALSE(s.suspended);
    s = parse_vzctl_status("CTID 7 deleted unmounted down\n", "7");
    EXPECT_FALSE(s.exists);
    // vzctl 7.x: VEID, and suspended or paused in place of running/down.
    s = parse_vzctl_status("VEID 101 exist mounted running\n", "101");
    EXPECT_TRUE(s.running);
    s = parse_vzctl_status("VEID 101 exist mounted paused\n", "101");
    EXPECT_TRUE(s.running && s.paused);
    s = parse_vzctl_status("VEID 101 exist unmounted suspended\n", "101");
    EXPECT_TRUE(s.suspended);
    EXPECT_FALSE(s.running);
    s = parse_vzctl_status("VEID 0b1c6a2e-4f55-4d3c-9a0e-1e2f3a4b5c6d exist unmounted down\n",
                           "0b1c6a2e-4f55-4d3c-9a0e-1e2f3a4b5c6d");
    EXPECT_TRUE(s.exists);
    for (const char *bad :
         {"", "CTID 102 exist mounted running\n", "VEID 101 exist mounted\n",
          "CTID 101 exist mounted paused suspended\n", "CTID 101 exist mounted asleep\n",
          "Container is not running\n", "CTID 101 there mounted running\n"}) {
        auto [code, msg] = error_of([&] { parse_vzctl_status(bad, "101"); });
        EXPECT_EQ(code, ct::Errc::backend) << bad;
        EXPECT_NE(msg.find("vzctl status 101"), std::string::npos) << msg;
    }
}

TEST(Status, VzlistAnswers) {
    auto l = parse_vzlist(answer("       101 running\n         1 stopped\n       102 mounted\n"
                                 "       103 suspended\n"),
                          Generation::legacy);
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[1].first, "1");
    EXPECT_TRUE(l[0].second.running);
    EXPECT_FALSE(l[1].second.running);
    EXPECT_TRUE(l[2].second.mounted);
    EXPECT_TRUE(l[3].second.suspended);
    l = parse_vzlist(answer("       101 paused\n"), Generation::vz7);
    EXPECT_TRUE(l[0].second.paused);
    // No containers: vzlist 4.x says so on stderr and exits 0; 7.x prints nothing.
    EXPECT_TRUE(parse_vzlist(answer("", "Container(s) not found\n"), Generation::legacy).empty());
    // ... and vzlist before 4.x exits 1 then.
    EXPECT_TRUE(vzlist_found_none(RunResult{1 << 8, "", "Container(s) not found\n"}));
    EXPECT_FALSE(vzlist_found_none(RunResult{2 << 8, "", "Container(s) not found\n"}));
    EXPECT_FALSE(vzlist_found_none(RunResult{1 << 8, "", "vzlist: bad option\n"}));
    EXPECT_TRUE(parse_vzlist(answer(""), Generation::vz7).empty());
    // An empty answer beside an error is an error, in both.
    for (auto g : {Generation::legacy, Generation::vz7}) {
        auto [code, msg] = error_of([&] {
            parse_vzlist(answer("", "vzlist: invalid option -- 't'\nUsage: vzlist [-a|-S]\n"), g);
        });
        EXPECT_EQ(code, ct::Errc::backend);
        EXPECT_NE(msg.find("vzlist listed no containers and reported"), std::string::npos) << msg;
    }
    EXPECT_EQ(error_of([] {
                  parse_vzlist(answer("", "Container(s) not found\n"), Generation::vz7);
              }).first,
              ct::Errc::backend);
    for (const char *bad : {"101\n", "web1 running\n", "101 running extra\n", "101 asleep\n"})
        EXPECT_EQ(error_of([&] { parse_vzlist(answer(bad), Generation::legacy); }).first,
                  ct::Errc::backend)
            << bad;
}
