// Migration between two sessions of this host (two state roots, two cgroup parents: as far
// from each other as two hosts are, for everything but the kernel): the counter moves, the
// source goes only once the destination runs, a failure leaves it running where it was.
//
// The remote suite (tests/remote) runs these same tests with the fixture's session on the
// "remote host" (linux+ssh:// to an sshd in a network namespace): then every migration below
// crosses hosts, from there to here, and MovesToTheRemoteHost moves one from here to there.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "criu_fixture.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

using namespace std::chrono_literals;

class Migrate : public LinuxTest {
  protected:
    void SetUp() override {
        LinuxTest::SetUp();
        if (IsSkipped()) return;
        CT_SKIP_WITHOUT_CRIU();
        dst_root_ = state_root_ + "-dst";
        dst_parent_ = cgroup_parent_ + "-dst";
    }

    void TearDown() override {
        if (!dst_root_.empty()) {
            std::vector<std::string> left;
            {
                auto dst = Session::open(dst_uri());
                for (const auto &i : dst.list()) {
                    left.push_back(i.name);
                    dst.get(i.name).destroy(true);
                }
            }
            EXPECT_TRUE(left.empty())
                << "left at the destination: " << ::testing::PrintToString(left);
            std::error_code ec;
            EXPECT_TRUE(fs::is_empty(dst_root_, ec) || !fs::exists(dst_root_));
            fs::remove(dst_root_, ec);
            for (const auto &h : cgroup_hierarchies()) {
                std::string d = "/sys/fs/cgroup/" + h + "/" + dst_parent_;
                if (!fs::exists(d)) continue;
                for (const auto &e : fs::directory_iterator(d))
                    if (e.is_directory()) ADD_FAILURE() << "cgroup left: " << e.path();
                rmdir(d.c_str());
            }
        }
        LinuxTest::TearDown();
    }

    std::string dst_uri() const {
        return "linux:///?root=" + dst_root_ + "&cgroup_parent=" + dst_parent_;
    }

    Container start_counter(const std::string &tag, std::string *rootfs_out) {
        std::string rootfs = private_rootfs(tag);
        temp_dirs_.push_back(rootfs);
        auto c = session().create(counter_spec(spec({}), rootfs));
        StartOptions o;
        o.stdio = {-1, -1, -1};
        o.detach = true;
        c.start(o);
        EXPECT_GE(wait_counter(rootfs, 3), 3);
        *rootfs_out = rootfs;
        return c;
    }

    std::string dst_root_, dst_parent_;
};

TEST_F(Migrate, MovesARunningCounter) {
    std::string rootfs;
    auto c = start_counter("move", &rootfs);
    std::mutex mu;
    uint64_t last_done = 0, last_total = 0;
    int calls = 0;
    set_progress_handler([&](const std::string &what, uint64_t done, uint64_t total) {
        std::lock_guard lock(mu);
        EXPECT_NE(what.find(c.name()), std::string::npos) << what;
        last_done = done;
        last_total = total;
        ++calls;
    });
    long before = read_counter(rootfs);
    auto moved = c.migrate(dst_uri());
    set_progress_handler(nullptr);

    EXPECT_GT(calls, 0) << "no progress reported";
    EXPECT_GT(last_total, 0u);
    EXPECT_EQ(last_done, last_total);
    EXPECT_TRUE(session().list().empty()) << "the source is still there";
    auto dst = Session::open(dst_uri());
    auto info = dst.get(c.name()).info();
    EXPECT_EQ(info.state, State::running);
    EXPECT_EQ(moved.name(), c.name());
    long v = wait_counter(rootfs, before + 5);
    EXPECT_GE(v, before + 5) << "not counting after the migration";
    EXPECT_LT(v, before + 60);
    EXPECT_TRUE(migration_leftovers(c.name()).empty())
        << ::testing::PrintToString(migration_leftovers(c.name()));
    moved.destroy(true);
}

TEST_F(Migrate, MovesToTheRemoteHost) {
    const char *remote = std::getenv("CT_TEST_REMOTE_URI");
    if (!remote) GTEST_SKIP() << "no remote host: the remote suite (tests/remote) runs this one";
    std::string src_root = state_root_ + "-here", src_parent = cgroup_parent_ + "-here";
    std::string here = "linux:///?root=" + src_root + "&cgroup_parent=" + src_parent;
    std::string there =
        std::string(remote) + "&root=" + dst_root_ + "-far&cgroup_parent=" + dst_parent_ + "-far";
    std::string rootfs = private_rootfs("to-remote");
    temp_dirs_.push_back(rootfs);
    auto local = Session::open(here);
    auto c = local.create(counter_spec(spec({}), rootfs));
    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.detach = true;
    c.start(o);
    ASSERT_GE(wait_counter(rootfs, 3), 3);
    uint64_t last_done = 0, last_total = 0;
    std::mutex mu;
    set_progress_handler([&](const std::string &, uint64_t done, uint64_t total) {
        std::lock_guard lock(mu);
        last_done = done;
        last_total = total;
    });
    long before = read_counter(rootfs);
    std::optional<Container> moved;
    try {
        moved = c.migrate(there);
    } catch (const std::exception &e) {
        ADD_FAILURE() << e.what();
    }
    set_progress_handler(nullptr);
    if (moved) {
        EXPECT_GT(last_total, 0u);
        EXPECT_EQ(last_done, last_total);
        EXPECT_TRUE(local.list().empty()) << "the source is still here";
        EXPECT_EQ(moved->state(), State::running);
        EXPECT_GE(wait_counter(rootfs, before + 5), before + 5) << "not counting over there";
        moved->destroy(true);
    }
    for (const auto &i : local.list()) local.get(i.name).destroy(true);
    EXPECT_TRUE(migration_leftovers(c.name()).empty());
    std::error_code ec;
    fs::remove(src_root, ec);
    fs::remove(dst_root_ + "-far", ec);
    for (const auto &parent : {src_parent, dst_parent_ + "-far"})
        for (const auto &h : cgroup_hierarchies()) {
            std::string d = "/sys/fs/cgroup/" + h + "/" + parent;
            if (fs::exists(d)) {
                EXPECT_EQ(rmdir(d.c_str()), 0) << "cgroups left under " << d;
            }
        }
}

TEST_F(Migrate, AFailureThereLeavesItRunningHere) {
    std::string rootfs;
    auto c = start_counter("fail", &rootfs);
    // The destination cannot make the container's cgroup: its restore fails after the images
    // were made and moved.
    std::string blocker = "/sys/fs/cgroup/pids/" + dst_parent_ + "/" + c.name();
    fs::create_directories(blocker);
    try {
        c.migrate(dst_uri());
        ADD_FAILURE() << "migration succeeded despite the destination's failure";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("migrate container '" + c.name() + "'"),
                  std::string::npos)
            << e.what();
    }
    rmdir(blocker.c_str());
    EXPECT_EQ(c.state(), State::running);
    long at = read_counter(rootfs);
    EXPECT_GE(wait_counter(rootfs, at + 3), at + 3) << "the source does not count any more";
    EXPECT_TRUE(Session::open(dst_uri()).list().empty());
    EXPECT_TRUE(migration_leftovers(c.name()).empty())
        << ::testing::PrintToString(migration_leftovers(c.name()));
    c.destroy(true);
}

TEST_F(Migrate, RefusesANameTakenThere) {
    std::string rootfs;
    auto c = start_counter("taken", &rootfs);
    auto dst = Session::open(dst_uri());
    auto other = dst.create(spec({"/bin/true"}, c.name()));
    try {
        c.migrate(dst_uri());
        ADD_FAILURE() << "migrated over an existing container";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exists) << e.what();
    }
    EXPECT_EQ(c.state(), State::running);
    other.destroy();
    c.destroy(true);
}

}  // namespace
}  // namespace ct::test
