// The suite's own accounting: the ct-agent processes its teardown waits for are the ones this
// test process started (through its sshd), never another user's on the same machine.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "remote_test.hpp"

namespace ct::test::remote {
namespace {

using namespace std::chrono_literals;

// Processes whose executable is `exe` and that are not among `except`.
std::vector<pid_t> running(const std::string &exe, const std::vector<pid_t> &except = {}) {
    std::vector<pid_t> out;
    for (const auto &p : std::filesystem::directory_iterator("/proc")) {
        const std::string n = p.path().filename();
        if (n.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec;
        if (std::filesystem::read_symlink(p.path() / "exe", ec) != exe || ec) continue;
        pid_t pid = static_cast<pid_t>(std::stol(n));
        if (std::find(except.begin(), except.end(), pid) == except.end()) out.push_back(pid);
    }
    return out;
}

std::string comm(pid_t pid) {
    std::string c;
    std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/comm"), c);
    return c;
}

class OwnAgents : public RemoteTest {};

TEST_F(OwnAgents, AForeignAgentIsNotCounted) {
    // Two foreign ct-agents, not children of this process (the fixture counts those) and
    // outside the far host: this build's own agent, waiting for a client that never speaks,
    // and a shell copied under the name ct-agent that only sleeps. Both end soon after this
    // process does, so they are still there when the suite's teardown counts agents.
    const std::string self = std::to_string(getpid());
    const std::string watch = "while kill -0 " + self + " 2>/dev/null; do sleep 0.2; done";
    const std::string fake = temp("bin") + "/ct-agent";
    std::filesystem::create_directories(temp("bin"));
    std::filesystem::remove(fake);  // a previous run's (--gtest_repeat), maybe still running
    std::filesystem::copy_file("/bin/sh", fake);
    const auto before = running(env()->agent);
    ASSERT_EQ(sh("setsid -f sh -c '" + watch + " | exec " + env()->agent +
                 "' </dev/null >/dev/null 2>&1"),
              0);
    ASSERT_EQ(sh("setsid -f " + fake + " -c '" + watch + "' </dev/null >/dev/null 2>&1"), 0);
    std::vector<pid_t> foreign_agent, foreign_sleeper;
    for (int i = 0; i < 200 && (foreign_agent.empty() || foreign_sleeper.empty()); ++i) {
        std::this_thread::sleep_for(10ms);
        foreign_agent = running(env()->agent, before);
        foreign_sleeper = running(fake);
    }
    ASSERT_EQ(foreign_agent.size(), 1u) << "the foreign ct-agent did not start";
    ASSERT_EQ(foreign_sleeper.size(), 1u) << "the foreign sleeper did not start";
    EXPECT_EQ(comm(foreign_sleeper[0]), "ct-agent");

    // The fixture's own session has an agent of ours already.
    const auto fixture_agents = env()->own_agents();
    EXPECT_EQ(fixture_agents.size(), 1u);
    for (pid_t p : fixture_agents) {
        EXPECT_NE(p, foreign_agent[0]) << "a foreign ct-agent was counted as ours";
        EXPECT_NE(p, foreign_sleeper[0]) << "a foreign ct-agent was counted as ours";
    }
    {
        auto s = Session::open(remote_uri());
        s.list();
        auto own = env()->own_agents();
        ASSERT_EQ(own.size(), fixture_agents.size() + 1) << "the new session's agent not counted";
        for (pid_t p : own) EXPECT_NE(p, foreign_agent[0]);
    }
    // Closed: its agent ends, the foreign ones live on (through the suite's teardown).
    auto left = env()->own_agents();
    for (int i = 0; i < 300 && left != fixture_agents; ++i) {
        std::this_thread::sleep_for(10ms);
        left = env()->own_agents();
    }
    EXPECT_EQ(left, fixture_agents) << "the session's agent did not end with it";
    EXPECT_EQ(::kill(foreign_agent[0], 0), 0);
    EXPECT_EQ(::kill(foreign_sleeper[0], 0), 0);
}

}  // namespace
}  // namespace ct::test::remote
