// The loader (loader/registry.cpp) against broken backends written in C: every defect gives a
// precise error naming the file, and nothing crashes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "ct/ct.hpp"
#include "ct/driver.h"

namespace ct {
namespace {

// Before any test: the test-only backends come first in the search path.
const bool kPathSet = [] {
    setenv("CT_BACKEND_PATH", CT_TEST_BACKEND_DIR, 1);
    return true;
}();

std::string so(const std::string &name) {
    return std::string(CT_TEST_BACKEND_DIR) + "/ct-backend-" + name + ".so";
}

std::string open_error(const std::string &uri, Errc expect = Errc::abi) {
    try {
        Session::open(uri);
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), expect) << e.what();
        return e.what();
    }
    return "opened";
}

std::string cannot_use(const std::string &name) {
    return "backend '" + name + "' (" + so(name) + ") cannot be used: ";
}

TEST(Loader, WrongMajorVersionNamesTheFileAndBothVersions) {
    EXPECT_EQ(open_error("major:///"), cannot_use("major") + "it was built for driver ABI " +
                                           std::to_string(CT_DRIVER_ABI_MAJOR + 1) +
                                           ".3, but this libct supports ABI " +
                                           std::to_string(CT_DRIVER_ABI_MAJOR) + ".x (" +
                                           std::to_string(CT_DRIVER_ABI_MAJOR) + "." +
                                           std::to_string(CT_DRIVER_ABI_MINOR) + ")");
}

TEST(Loader, MissingEntryPoint) {
    EXPECT_EQ(open_error("noentry:///"),
              cannot_use("noentry") +
                  "it does not export the entry point 'ct_backend_entry' (is it a libct backend?)");
}

// glibc's dlopen() dies of SIGBUS on a truncated file (it maps what the headers describe):
// the loader checks the ELF layout first.
TEST(Loader, TruncatedFile) {
    auto size = std::filesystem::file_size(so("truncated"));
    std::string msg = open_error("truncated:///");
    std::string expect = cannot_use("truncated") + "it is truncated: the file has " +
                         std::to_string(size) + " bytes, but its ELF headers describe ";
    EXPECT_EQ(msg.rfind(expect, 0), 0u) << msg;
    EXPECT_GT(std::stoull(msg.substr(expect.size())), size) << msg;
    msg = open_error("tiny:///");
    EXPECT_EQ(msg.rfind(cannot_use("tiny") + "it is truncated: the file has 100 bytes", 0), 0u)
        << msg;
}

TEST(Loader, NotAnElfFile) {
    std::string msg = open_error("garbage:///");
    EXPECT_EQ(msg, cannot_use("garbage") + "it cannot be loaded: " + so("garbage") +
                       ": invalid ELF header");
}

TEST(Loader, DescriptorTooSmall) {
    size_t small = offsetof(ct_backend, ops) + 2 * sizeof(void *);
    EXPECT_EQ(open_error("small:///"),
              cannot_use("small") + "its descriptor is " + std::to_string(small) +
                  " bytes, smaller than ABI 1.0's " + std::to_string(CT_BACKEND_MIN_SIZE_1_0));
    // Every slot of ABI 1.0 is inside the minimum: a 1.0 backend can never be read past its end.
    EXPECT_EQ(CT_BACKEND_MIN_SIZE_1_0,
              offsetof(ct_backend, ops) + offsetof(ct_backend_ops, remove_files) + sizeof(void *));
}

TEST(Loader, NameMustMatchTheFileName) {
    EXPECT_EQ(open_error("misnamed:///"),
              cannot_use("misnamed") +
                  "its descriptor names it 'someone-else', but the file is named for 'misnamed'");
}

TEST(Loader, NoOpenOperation) {
    EXPECT_EQ(open_error("noopen:///"),
              cannot_use("noopen") + "it has no open operation, so no session can be made");
}

TEST(Loader, UnknownSchemeNamesEveryDirectorySearchedAndTheLoadErrors) {
    std::string msg = open_error("nosuch:///");
    EXPECT_EQ(msg.rfind("no backend serves URI scheme 'nosuch' (searched ", 0), 0u) << msg;
    auto dirs = backend_search_path();
    ASSERT_GE(dirs.size(), 3u);
    for (const auto &d : dirs) EXPECT_NE(msg.find(d), std::string::npos) << d << " in " << msg;
    EXPECT_NE(msg.find("memc"), std::string::npos) << "found backends are listed: " << msg;
    EXPECT_NE(msg.find("load errors: "), std::string::npos) << msg;
    for (const char *b :
         {"major", "noentry", "small", "misnamed", "noopen", "truncated", "tiny", "garbage"})
        EXPECT_NE(msg.find(so(b) + ": "), std::string::npos) << b << " in " << msg;
}

TEST(Loader, SearchPathOrder) {
    auto dirs = backend_search_path();
    ASSERT_GE(dirs.size(), 2u);
    EXPECT_EQ(dirs[0], CT_TEST_BACKEND_DIR);
    EXPECT_EQ(dirs[1], CT_TEST_BUILT_BACKEND_DIR) << "then the directory beside libct.so";

    // Empty elements of CT_BACKEND_PATH are skipped, duplicates collapse, order is kept.
    std::string saved = std::getenv("CT_BACKEND_PATH");
    setenv("CT_BACKEND_PATH", ("/nonexistent-ct-a::" + saved + ":" + saved + ":").c_str(), 1);
    auto with = backend_search_path();
    setenv("CT_BACKEND_PATH", saved.c_str(), 1);
    ASSERT_GE(with.size(), 3u);
    EXPECT_EQ(with[0], "/nonexistent-ct-a");
    EXPECT_EQ(with[1], saved);
    EXPECT_EQ(with[2], dirs[1]);
}

TEST(Loader, ListBackendsShowsWorkingAndBrokenOnes) {
    auto list = list_backends();
    const BackendInfo *memc = nullptr, *major = nullptr, *linux_be = nullptr;
    for (const auto &b : list) {
        if (b.name == "memc") memc = &b;
        if (b.name == "major") major = &b;
        if (b.name == "linux") linux_be = &b;
    }
    ASSERT_TRUE(memc && major && linux_be);
    EXPECT_EQ(memc->path, so("memc"));
    EXPECT_EQ(memc->load_error, "");
    EXPECT_EQ(memc->version, "1.0-test");
    EXPECT_EQ(memc->abi_major, unsigned(CT_DRIVER_ABI_MAJOR));
    EXPECT_EQ(memc->schemes, std::vector<std::string>{"memc"});
    EXPECT_EQ(memc->operations, (std::vector<std::string>{"open", "close", "create", "list", "info",
                                                          "start", "wait", "kill", "destroy"}));
    EXPECT_TRUE(memc->capabilities.empty());
    EXPECT_NE(major->load_error.find("driver ABI"), std::string::npos) << major->load_error;
    EXPECT_EQ(linux_be->load_error, "");
}

TEST(Loader, FirstFileOfANameWins) {
    namespace fs = std::filesystem;
    std::string dir = ::testing::TempDir() + "ct-unit-loader-shadow-" + std::to_string(getpid());
    fs::create_directories(dir);
    fs::copy_file(so("memc"), dir + "/ct-backend-memc.so", fs::copy_options::overwrite_existing);
    std::string saved = std::getenv("CT_BACKEND_PATH");
    setenv("CT_BACKEND_PATH", (dir + ":" + saved).c_str(), 1);
    std::string path;
    for (const auto &b : list_backends())
        if (b.name == "memc") path += b.path + ";";
    std::string served = Session::open("memc:///").backend().path;
    setenv("CT_BACKEND_PATH", saved.c_str(), 1);
    std::string expect = fs::canonical(dir).string() + "/ct-backend-memc.so";
    fs::remove_all(dir);
    EXPECT_EQ(path, expect + ";");
    EXPECT_EQ(served, expect);
}

}  // namespace
}  // namespace ct
