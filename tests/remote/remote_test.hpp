// Base fixture of the remote suite's own tests: the shared fixture's leak checks and state root,
// with helpers to open more sessions, run sshd instances of their own and time calls.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "../integration/fixture.hpp"
#include "remote_env.hpp"

namespace ct::test::remote {

class RemoteTest : public LinuxTest {
  protected:
    void SetUp() override {
        if (!env()) GTEST_SKIP() << "the remote suite needs root (netns, sshd)";
        LinuxTest::SetUp();
    }
    // This test's state root and cgroup parent on the far side, as URI options.
    std::string state_opts() const {
        return "root=" + state_root_ + "&cgroup_parent=" + cgroup_parent_;
    }
    // A remote URI for this test's state with extra options (port: another sshd).
    std::string remote_uri(const std::string &extra = "", int port = 22) const {
        std::string e = state_opts();
        return env()->uri(extra.empty() ? e : e + "&" + extra, port);
    }
    // The local URI of the same state: what the far side itself opens.
    std::string local_uri() const { return "linux:///?" + state_opts(); }
    // A unique temp file name of this test.
    std::string temp(const std::string &tag) const {
        return env()->dir + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
               "-" + tag;
    }
};

// Runs fn, returning how long it took in milliseconds.
inline long elapsed_ms(const std::function<void()> &fn) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count());
}

}  // namespace ct::test::remote
