// The backend on this machine's own kernel. Without OpenVZ (no /proc/vz) opening openvz:///
// must fail with a clear message while `ct backends` still lists the backend as loadable; on an
// OpenVZ host the read-only calls are checked against the host's own vzctl.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "ct/error.hpp"
#include "ct/session.hpp"

namespace {

bool openvz_kernel() {
    struct stat st {};
    return ::stat("/proc/vz", &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

TEST(ThisHost, WithoutOpenVZOpeningFailsClearlyButTheBackendLoads) {
    if (openvz_kernel()) GTEST_SKIP() << "this host runs an OpenVZ kernel (/proc/vz exists)";
    try {
        ct::Session::open("openvz:///");
        FAIL() << "openvz:/// opened on a host without /proc/vz";
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported);
        EXPECT_NE(
            std::string(e.what()).find("(backend openvz): not an OpenVZ host: /proc/vz missing"),
            std::string::npos)
            << e.what();
    }
    bool listed = false;
    for (const auto &b : ct::list_backends()) {
        if (b.name != "openvz") continue;
        listed = true;
        EXPECT_EQ(b.load_error, "");
        EXPECT_EQ(b.schemes, std::vector<std::string>{"openvz"});
        EXPECT_EQ(b.operations.size(), 18u);  // every slot but the file transfers
    }
    EXPECT_TRUE(listed);
}

TEST(ThisHost, ListsTheContainersOfARealOpenVZHost) {
    if (!openvz_kernel())
        GTEST_SKIP() << "needs an OpenVZ kernel: /proc/vz is missing on this host";
    auto s = ct::Session::open("openvz:///");
    for (const auto &i : s.list()) {
        EXPECT_EQ(i.backend, "openvz");
        auto again = s.get(i.name).info();
        EXPECT_EQ(again.name, i.name);
        if (again.state == ct::State::running) {
            auto st = s.get(i.name).stats();
            EXPECT_FALSE(st.beancounters.empty()) << i.name;
            EXPECT_GT(st.pids.current, 0u) << i.name;
        }
    }
}

TEST(OtherBackends, RefuseOpenVZSettings) {
    char tmpl[] = "/tmp/ct-openvz-linux-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    std::string root = tmpl;
    ct::Spec s;
    s.name = "ovz-only";
    s.rootfs = root;
    s.process.args = {"/bin/true"};
    s.openvz = ct::OpenVzSpec{};
    s.openvz->ip = {"10.0.0.2"};
    try {
        auto session = ct::Session::open("linux:///?root=" + root + "/state");
        session.create(s);
        ADD_FAILURE() << "the linux backend accepted openvz settings";
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported) << e.what();
        EXPECT_NE(std::string(e.what()).find(
                      "openvz: settings for backend openvz are not supported by backend linux"),
                  std::string::npos)
            << e.what();
    }
    std::filesystem::remove_all(root);
}
