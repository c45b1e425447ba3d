// Shared fixture of the integration tests: a private state root and cgroup parent per test
// process, a busybox rootfs, helpers to run containers with captured stdio, and the leak check
// every test ends with: no state file, cgroup, mount, net device, child process or fd left.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ct/ct.hpp"

namespace ct::test {

// The busybox rootfs shared (read-only by convention) by the tests of this process.
const std::string &busybox_rootfs();

// A writable copy of the busybox rootfs for one test; removed by the fixture.
std::string private_rootfs(const std::string &tag);

struct RunResult {
    ExitStatus status;
    std::string out, err;
};

// Runs `c` (already created) with stdin fed from `in`, stdout/stderr captured; waits.
RunResult run_captured(Container &c, const std::string &in = "");

class LinuxTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    // linux:/// with this test's state root and cgroup parent.
    std::string uri() const;
    Session &session() { return *session_; }
    // A spec with a unique name, the busybox rootfs and `args`.
    Spec spec(std::vector<std::string> args, const std::string &name = "");
    // create + run_captured + destroy.
    RunResult run(const Spec &s, const std::string &in = "");

    std::string state_root_, cgroup_parent_;
    std::vector<std::string> temp_dirs_;

  private:
    std::unique_ptr<Session> session_;
    std::string mounts_before_, netdevs_before_;
    std::vector<long> children_before_;
    int fds_before_ = 0;
};

// Runs `scenario` in a child process whose private mount namespace hides the cgroup2 tree, so
// the backend sees a legacy (v1 only) host. Returns "" or the first failure (an exception's
// what()). The child never returns into the test's own code.
std::string on_a_legacy_host(const std::function<void()> &scenario);

// The cgroup hierarchies mounted under /sys/fs/cgroup ("memory", "unified", ".libct", ...).
std::vector<std::string> cgroup_hierarchies();

// The cgroup directories the host would use for a container `name` under `parent`.
std::vector<std::string> cgroup_dirs_for(const std::string &parent, const std::string &name);
std::string read_text(const std::string &path);
void write_text(const std::string &path, const std::string &text);

}  // namespace ct::test
