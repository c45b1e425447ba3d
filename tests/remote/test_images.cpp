// ct-agent's leases of migration image directories (backends/remote/agent/images.hpp): which
// paths are migration directories, and what a sweep removes (a destination's directory whose
// lease nobody holds) and what it leaves (a held lease, a source's images, a directory without
// a lease, a lease that is a symlink).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/images.hpp"

namespace fs = std::filesystem;

namespace ct::remote::agent {
namespace {

TEST(ImageDirs, RecognisesOnlyMigrationDirectories) {
    EXPECT_TRUE(ImageDirs::is_migration_dir("/var/tmp/ct-migrate.web1.in.0123456789abcdef"));
    EXPECT_TRUE(ImageDirs::is_migration_dir("/var/tmp/ct-migrate.web1.out.0123456789abcdef"));
    EXPECT_FALSE(ImageDirs::is_migration_dir("/var/tmp/ct-migrate."));
    EXPECT_FALSE(ImageDirs::is_migration_dir("/var/tmp/ct-migrate.a.in.1/../../etc"));
    EXPECT_FALSE(ImageDirs::is_migration_dir("/var/tmp/ct-migrate.a.in.1.lease"));
    EXPECT_FALSE(ImageDirs::is_migration_dir("/srv/ckpt/web1"));
    EXPECT_FALSE(ImageDirs::is_migration_dir("/var/tmpx/ct-migrate.a.in.1"));
    EXPECT_TRUE(ImageDirs::is_copy("/var/tmp/ct-migrate.a.b.in.1"));
    EXPECT_TRUE(ImageDirs::is_copy("/var/tmp/ct-migrate.a.out.b.in.1"));  // a name with dots
    EXPECT_FALSE(ImageDirs::is_copy("/var/tmp/ct-migrate.a.in.b.out.1"));
    EXPECT_FALSE(ImageDirs::is_copy("/srv/ct-migrate.a.in.1"));
}

class Sweep : public ::testing::Test {
  protected:
    void SetUp() override {
        char t[] = "/tmp/ct-images-test-XXXXXX";
        ASSERT_NE(::mkdtemp(t), nullptr);
        dir_ = t;
    }
    void TearDown() override { fs::remove_all(dir_); }
    // An image directory with a file in it, and its lease unless `lease` is false.
    std::string make(const std::string &leaf, bool lease = true) {
        std::string d = dir_ + "/" + leaf;
        fs::create_directories(d + "/sub");
        std::ofstream(d + "/sub/pages-1.img") << "data";
        if (lease) std::ofstream(d + ".lease");
        return d;
    }
    std::string dir_;
};

TEST_F(Sweep, RemovesOnlyDestinationsWhoseLeaseNobodyHolds) {
    std::string stale = make("ct-migrate.a.in.1");
    std::string held = make("ct-migrate.b.in.2");
    std::string source = make("ct-migrate.c.out.3");
    std::string unleased = make("ct-migrate.d.in.4", false);
    std::string other = make("something-else.in.5");
    std::string linked = make("ct-migrate.e.in.6", false);
    fs::create_symlink(dir_ + "/elsewhere", linked + ".lease");
    int fd = ::open((held + ".lease").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // as a live agent holds it

    auto removed = ImageDirs::sweep(dir_);
    EXPECT_EQ(removed, std::vector<std::string>{stale});
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_FALSE(fs::exists(stale + ".lease"));
    for (const auto &kept : {held, source, unleased, other, linked})
        EXPECT_TRUE(fs::exists(kept + "/sub/pages-1.img")) << kept;
    EXPECT_TRUE(fs::exists(held + ".lease"));

    // The holder is gone: the next sweep takes it.
    ::close(fd);
    EXPECT_EQ(ImageDirs::sweep(dir_), std::vector<std::string>{held});
    EXPECT_FALSE(fs::exists(held));
}

}  // namespace
}  // namespace ct::remote::agent
