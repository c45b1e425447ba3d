// The file archive stream of migration (api/src/archive.hpp): round trips, and streams that
// must be refused without leaving anything behind.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "archive.hpp"
#include "ct/error.hpp"
#include "fixture.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

class Archive : public ::testing::Test {
  protected:
    void SetUp() override {
        base_ = "/tmp/ct-it-archive-" + std::to_string(getpid());
        fs::remove_all(base_);
        fs::create_directories(base_ + "/src/sub/deeper");
    }
    void TearDown() override { fs::remove_all(base_); }

    std::string pack(const std::string &dir) {
        std::string out;
        archive::pack(dir, [&](const char *d, size_t n) { out.append(d, n); });
        return out;
    }
    archive::Totals unpack(const std::string &stream, const std::string &dir, size_t piece = 7) {
        size_t pos = 0;
        return archive::unpack(dir, [&](char *buf, size_t len) {
            size_t n = std::min({len, piece, stream.size() - pos});
            std::memcpy(buf, stream.data() + pos, n);
            pos += n;
            return n;
        });
    }
    Errc unpack_error(const std::string &stream, const std::string &dir) {
        try {
            unpack(stream, dir);
        } catch (const Error &e) {
            return e.code();
        }
        ADD_FAILURE() << "the stream was accepted";
        return Errc::backend;
    }

    std::string base_;
};

TEST_F(Archive, RoundTripKeepsContentsAndModes) {
    write_text(base_ + "/src/a.img", "alpha");
    write_text(base_ + "/src/empty", "");
    std::string big(3 << 20, 'x');
    for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i >> 12);
    write_text(base_ + "/src/sub/deeper/big.img", big);
    chmod((base_ + "/src/a.img").c_str(), 0640);
    chmod((base_ + "/src/sub").c_str(), 0750);
    std::string s = pack(base_ + "/src");
    auto header = archive::parse_header(s.data(), s.size());
    ASSERT_TRUE(header);
    EXPECT_EQ(header->entries, 5u);  // a.img, empty, sub, sub/deeper, sub/deeper/big.img
    EXPECT_EQ(header->bytes, 5u + big.size());

    std::string dst = base_ + "/dst";
    uint64_t last = 0;
    size_t pos = 0;
    auto t = archive::unpack(
        dst,
        [&](char *buf, size_t len) {
            size_t n = std::min(len, s.size() - pos);
            std::memcpy(buf, s.data() + pos, n);
            pos += n;
            return n;
        },
        [&](uint64_t done, uint64_t total) {
            EXPECT_EQ(total, header->bytes);
            EXPECT_GE(done, last);
            last = done;
        });
    EXPECT_EQ(t.bytes, header->bytes);
    EXPECT_EQ(last, header->bytes);
    EXPECT_EQ(read_text(dst + "/a.img"), "alpha");
    EXPECT_EQ(read_text(dst + "/empty"), "");
    EXPECT_EQ(read_text(dst + "/sub/deeper/big.img"), big);
    EXPECT_EQ(fs::status(dst + "/a.img").permissions(), fs::perms(0640));
    EXPECT_EQ(fs::status(dst + "/sub").permissions(), fs::perms(0750));
    EXPECT_EQ(pack(dst), s) << "packing the copy gives another stream";
}

TEST_F(Archive, RefusesWhatIsNotFilesAndDirectories) {
    fs::create_symlink("/etc/passwd", base_ + "/src/link");
    EXPECT_THROW(pack(base_ + "/src"), Error);
    EXPECT_THROW(pack(base_ + "/missing"), Error);
}

TEST_F(Archive, BadStreamsLeaveNothing) {
    write_text(base_ + "/src/a.img", "alpha");
    std::string good = pack(base_ + "/src"), dst = base_ + "/dst";
    // Cut anywhere: refused, and the target directory is gone again.
    for (size_t cut : {size_t{0}, size_t{10}, size_t{30}, good.size() - 1}) {
        EXPECT_EQ(unpack_error(good.substr(0, cut), dst), Errc::invalid_argument) << cut;
        EXPECT_FALSE(fs::exists(dst)) << cut;
    }
    // A path that climbs out of the target.
    std::string evil = good;
    auto p = evil.find("a.img");
    ASSERT_NE(p, std::string::npos);
    evil.replace(p, 5, "../ab");
    EXPECT_EQ(unpack_error(evil, dst), Errc::invalid_argument);
    EXPECT_FALSE(fs::exists(base_ + "/ab"));
    EXPECT_FALSE(fs::exists(dst));
    // Totals that do not match the data.
    std::string wrong = good;
    wrong[16] = static_cast<char>(wrong[16] + 1);
    EXPECT_EQ(unpack_error(wrong, dst), Errc::invalid_argument);
    EXPECT_FALSE(fs::exists(dst));
    EXPECT_EQ(unpack_error("not an archive at all, really", dst), Errc::invalid_argument);
    // An existing target is never written into.
    fs::create_directories(dst);
    EXPECT_EQ(unpack_error(good, dst), Errc::exists);
    EXPECT_TRUE(fs::is_empty(dst));
}

TEST_F(Archive, RemoveTreeStaysOnItsFilesystemAndRefusesRoot) {
    write_text(base_ + "/src/sub/deeper/x", "x");
    archive::remove_tree(base_ + "/src");
    EXPECT_FALSE(fs::exists(base_ + "/src"));
    archive::remove_tree(base_ + "/src");  // already gone: fine
    EXPECT_THROW(archive::remove_tree("/"), Error);
    EXPECT_THROW(archive::remove_tree("relative/dir"), Error);
}

}  // namespace
}  // namespace ct::test
