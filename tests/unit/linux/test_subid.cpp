// /etc/subuid's reader and the rootless default map built from it (security/subid.hpp,
// security/rootless.hpp).
#include <gtest/gtest.h>

#include "security/rootless.hpp"
#include "security/subid.hpp"

namespace ct::linux_native {
namespace {

using R = std::vector<SubidRange>;

TEST(Subid, LinesOfTheUserByNameOrUid) {
    const char *text =
        "alice:100000:65536\n"
        "bob:165536:65536\n"
        "1001:300000:10\n"
        "alice:400000:5";  // no final newline
    EXPECT_EQ(parse_subids(text, "alice", 1000), (R{{100000, 65536}, {400000, 5}}));
    EXPECT_EQ(parse_subids(text, "bob", 1001), (R{{165536, 65536}, {300000, 10}}));
    EXPECT_EQ(parse_subids(text, "carol", 1002), R{});
    // A prefix of a name is not the name.
    EXPECT_EQ(parse_subids("alicex:1:2\nalic:3:4\n", "alice", 7), R{});
}

TEST(Subid, MalformedLinesAreSkipped) {
    const char *text =
        "alice\n"
        "alice:1\n"
        "alice:x:10\n"
        "alice:10:\n"
        "alice:-1:10\n"
        "alice: 10:10\n"
        "alice:10:0\n"           // no ids
        "alice:4294967295:2\n"   // wraps past 2^32
        "alice:99999999999:1\n"  // too large
        "alice:10:20:extra\n"    // a fourth field makes the count malformed
        ":10:20\n"               // no owner
        "alice:4294967295:1\n"   // the last id: fits
        "alice:500:20\n";
    EXPECT_EQ(parse_subids(text, "alice", 1000), (R{{4294967295U, 1}, {500, 20}}));
    EXPECT_EQ(parse_subids("", "alice", 1000), R{});
    EXPECT_EQ(parse_subids(std::string_view("alice:1:2\0:3:4", 14), "alice", 1000),
              (R{}));  // a NUL in the count field: malformed
}

TEST(Subid, WithinOneRange) {
    R r{{100000, 65536}, {300000, 10}};
    EXPECT_TRUE(within(r, 100000, 65536));
    EXPECT_TRUE(within(r, 165535, 1));
    EXPECT_FALSE(within(r, 165535, 2));  // runs past the range
    EXPECT_FALSE(within(r, 99999, 2));
    EXPECT_FALSE(within(r, 165536, 1));
    EXPECT_TRUE(within(r, 300005, 5));
    EXPECT_FALSE(within(r, 0, 1));
    EXPECT_FALSE(within(R{}, 0, 1));
    // Adjacent ranges are two: newuidmap checks each line against one range.
    EXPECT_FALSE(within(R{{10, 5}, {15, 5}}, 12, 6));
    EXPECT_FALSE(within(R{{4294967290U, 5}}, 4294967294U, 4294967295U));  // no wrap
}

TEST(Subid, RootlessDefaultMap) {
    using M = std::vector<IdMap>;
    EXPECT_EQ(rootless_id_map(1000, {}), (M{{0, 1000, 1}}));
    EXPECT_EQ(rootless_id_map(1000, {{100000, 65536}}), (M{{0, 1000, 1}, {1, 100000, 65536}}));
    // More than 65536: the first 65536 only, as rootless Podman maps by default.
    EXPECT_EQ(rootless_id_map(1000, {{100000, 200000}}), (M{{0, 1000, 1}, {1, 100000, 65536}}));
    // Several ranges fill container ids 1..65536 in order.
    EXPECT_EQ(rootless_id_map(7, {{500, 10}, {900, 70000}, {5, 5}}),
              (M{{0, 7, 1}, {1, 500, 10}, {11, 900, 65526}}));
}

}  // namespace
}  // namespace ct::linux_native
