// Fixture of the `ct` command tests: each test gets its own state root and cgroup parent (in
// its URI), a busybox rootfs and a scratch directory, and ends by asserting that nothing is
// left: no container, state file, cgroup or host mount.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ct_runner.hpp"

namespace ct::test {

class CliTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    // linux:///?root=...&cgroup_parent=... of this test.
    const std::string &uri() const { return uri_; }
    // ct -c URI ARGS...
    CtResult ct(std::vector<std::string> args, const std::vector<std::string> &env = {},
                const std::string &input = "");
    // Writes `text` to a file of this test's scratch directory; returns its path.
    std::string write_file(const std::string &name, const std::string &text);

    std::string rootfs_;   // the shared busybox rootfs
    std::string scratch_;  // a directory removed at the end
    std::string state_root_, cgroup_parent_;

  private:
    std::string uri_, mounts_before_;
};

// The rootfs built by tools/mkrootfs-busybox.sh in the build tree.
const std::string &busybox_rootfs();

}  // namespace ct::test
