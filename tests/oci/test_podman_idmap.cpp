// Podman 4.3 driving the runtime with an idmapped volume (`-v SRC:DST:idmap`, which needs a
// user namespace: --uidmap/--gidmap): the volume's files show with the ids they are stored
// as, and what the container makes is stored as its own ids, while a plain volume of the same
// directory shows them through the container's mapping. runc (1.1 here) has no idmapped mounts
// (its features say so): skipped for it. Podman's setup as in test_podman.cpp.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "engine_fixture.hpp"

using namespace ct::oci::test;
using namespace std::chrono_literals;

namespace {

const char kImage[] = "localhost/ct-oci-busybox:idmap";

class PodmanIdmap : public EngineTest {
  protected:
    void SetUp() override {
        SetUpEngine("podman", {"podman", "conmon"}, "podman-idmap");
        if (IsSkipped() || HasFatalFailure()) return;
        Result f = run({runtime_, "features"});
        json j = json::parse(f.code == 0 ? f.out : "{}", nullptr, false);
        auto p = json::json_pointer("/linux/mountExtensions/idmap/enabled");
        if (!j.is_object() || !j.contains(p) || j[p] != true)
            GTEST_SKIP() << GetParam() << " has no idmapped mounts (its features say so)";
        Result i = podman({"import", rootfs_tarball(), kImage});
        ASSERT_EQ(i.code, 0) << i.text();
    }
    void TearDown() override {
        if (!dir_.empty()) podman({"rm", "--all", "--force", "--time", "0"});
        TearDownEngine();
    }
    Result podman(std::vector<std::string> args) {
        std::vector<std::string> argv = {
            "podman",   "--root",           dir_ + "/root",     "--runroot", dir_ + "/runroot",
            "--tmpdir", dir_ + "/tmp",      "--storage-driver", "vfs",       "--events-backend",
            "none",     "--cgroup-manager", "cgroupfs",         "--runtime", runtime_};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, "", 60s, engine_env());
    }
};

TEST_P(PodmanIdmap, VolumeWithTheIdmapOption) {
    std::string vol = dir_ + "/vol";
    std::filesystem::create_directories(vol);
    write_file(vol + "/f", "x\n");  // stored as host root's
    Result r = podman({"run",
                       "--rm",
                       "--network",
                       "none",
                       "--ulimit",
                       "nofile=1024:1024",
                       "--ulimit",
                       "nproc=1024:1024",
                       "--cgroup-parent",
                       "/" + cgroup_parent_,
                       "--uidmap",
                       "0:231072:65536",
                       "--gidmap",
                       "0:231072:65536",
                       "-v",
                       vol + ":/v:idmap",
                       "-v",
                       vol + ":/plain",
                       kImage,
                       "/bin/sh",
                       "-c",
                       "stat -c %u:%g /v/f /plain/f; touch /v/made && id -u"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "0:0\n65534:65534\n0\n") << r.text();
    struct stat st {};
    ASSERT_EQ(::stat((vol + "/made").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u);  // the container's root, stored as the volume's root
    Result ps = podman({"ps", "--all", "--quiet"});
    EXPECT_EQ(ps.out, "") << "containers left";
    expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(Runtimes, PodmanIdmap, ::testing::Values("ct-oci", "runc"),
                         engine_param_name);

}  // namespace
