// parse_size(): the sizes of spec files and of --memory.
#include <gtest/gtest.h>

#include "ct/error.hpp"
#include "ct/spec.hpp"

namespace ct {
namespace {

TEST(ParseSize, UnitsAreBinary) {
    EXPECT_EQ(parse_size("0", "m"), 0);
    EXPECT_EQ(parse_size("1", "m"), 1);
    EXPECT_EQ(parse_size("1b", "m"), 1);
    EXPECT_EQ(parse_size("512k", "m"), 512 << 10);
    EXPECT_EQ(parse_size("512K", "m"), 512 << 10);
    EXPECT_EQ(parse_size("512KB", "m"), 512 << 10);
    EXPECT_EQ(parse_size("512KiB", "m"), 512 << 10);
    EXPECT_EQ(parse_size("64M", "m"), 64 << 20);
    EXPECT_EQ(parse_size("64mb", "m"), 64 << 20);
    EXPECT_EQ(parse_size("1G", "m"), 1ll << 30);
    EXPECT_EQ(parse_size("3T", "m"), 3ll << 40);
    EXPECT_EQ(parse_size("9223372036854775807", "m"), INT64_MAX);
    EXPECT_EQ(parse_size("8388607T", "m"), 8388607ll << 40);
}

TEST(ParseSize, UnlimitedSpellings) {
    for (const char *u : {"-1", "max", "unlimited"}) EXPECT_EQ(parse_size(u, "m"), -1) << u;
}

TEST(ParseSize, MalformedSizesNameWhatTheyAreFor) {
    for (const char *bad :
         {"", "M", "abc", "-5", "-0", "+5", "1.5G", "12X", "64 M", " 64M", "1kk", "1Ki B",
          "9223372036854775808", "8388608T", "99999999999999999999999", "0x10", "Max"}) {
        try {
            parse_size(bad, "resources.memory");
            ADD_FAILURE() << "'" << bad << "' accepted";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_spec);
            EXPECT_EQ(std::string(e.what()), std::string("resources.memory: '") + bad +
                                                 "' is not a size (examples: 512k, 64M, 1G, -1)");
        }
    }
}

}  // namespace
}  // namespace ct
