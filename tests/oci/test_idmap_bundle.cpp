// A bundle with idmapped bind mounts (a mount's uidMappings/gidMappings, options idmap and
// ridmap) run through the runtime's command line, with ct-oci and with runc (the reference,
// skipped when its features say it has no idmapped mounts: runc 1.1). Nothing is left.
#include <sys/stat.h>

#include "runtime_fixture.hpp"

namespace fs = std::filesystem;
using namespace ct::oci::test;

namespace {

class IdmapBundle : public RuntimeTest {
  protected:
    // The runtime's own word on idmapped mounts (OCI features:
    // linux.mountExtensions.idmap.enabled).
    bool runtime_idmaps() {
        Result f = rt({"features"});
        json j = json::parse(f.code == 0 ? f.out : "{}", nullptr, false);
        if (!j.is_object()) return false;
        auto p = json::json_pointer("/linux/mountExtensions/idmap/enabled");
        return j.contains(p) && j[p] == true;
    }
    static std::string owner(const std::string &path) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) return "(missing)";
        return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
    }
};

TEST_P(IdmapBundle, IdmappedBindMount) {
    if (GetParam() == "ct-oci") {
        EXPECT_TRUE(runtime_idmaps()) << "ct-oci features: idmap off";
    }
    if (!runtime_idmaps())
        GTEST_SKIP() << GetParam() << " has no idmapped mounts (its features say so)";
    // A host directory stored as 100000; OCI's line: the file system's 100000.. is the host's
    // 0.. (no user namespace: what the container sees).
    std::string vol = dir_ + "/vol";
    fs::create_directories(vol + "/sub");
    write_file(vol + "/f", "x\n");
    for (const auto &p : {vol, vol + "/f", vol + "/sub"})
        ASSERT_EQ(::chown(p.c_str(), 100000, 100000), 0) << p;
    json lines = {{{"containerID", 100000}, {"hostID", 0}, {"size", 65536}}};
    json c =
        config({"/bin/sh", "-c", "stat -c %u:%g /m/f /r/f /plain/f; touch /m/made && echo made"});
    c["mounts"].push_back({{"destination", "/m"},
                           {"type", "bind"},
                           {"source", vol},
                           {"options", {"bind", "idmap"}},
                           {"uidMappings", lines},
                           {"gidMappings", lines}});
    c["mounts"].push_back({{"destination", "/r"},
                           {"type", "bind"},
                           {"source", vol},
                           {"options", {"rbind", "ridmap"}},
                           {"uidMappings", lines},
                           {"gidMappings", lines}});
    c["mounts"].push_back(
        {{"destination", "/plain"}, {"type", "bind"}, {"source", vol}, {"options", {"bind"}}});
    write_config_json(c);
    Result r = rt({"run", "--bundle", bundle_, id_});
    EXPECT_EQ(r.code, 0) << r.text() << "\nlog:\n" << read_file(log_);
    EXPECT_EQ(r.out, "0:0\n0:0\n100000:100000\nmade\n") << r.text();
    EXPECT_EQ(owner(vol + "/made"), "100000:100000");  // stored through the lines, not as 0
    rt({"delete", id_});
    expect_nothing_left();
}

// A source whose file system cannot be idmapped is refused at create, naming the mount.
TEST_P(IdmapBundle, ProcCannotBeIdmapped) {
    if (!runtime_idmaps())
        GTEST_SKIP() << GetParam() << " has no idmapped mounts (its features say so)";
    json lines = {{{"containerID", 0}, {"hostID", 0}, {"size", 1}}};
    json c = config({"/bin/true"});
    c["mounts"].push_back({{"destination", "/p"},
                           {"type", "bind"},
                           {"source", "/proc"},
                           {"options", {"bind", "idmap"}},
                           {"uidMappings", lines},
                           {"gidMappings", lines}});
    write_config_json(c);
    Result r = rt({"create", "--bundle", bundle_, id_});
    EXPECT_NE(r.code, 0) << r.text();
    if (GetParam() == "ct-oci") {
        std::string log = read_file(log_);
        EXPECT_NE(log.find("does not support idmapped mounts"), std::string::npos) << log;
        EXPECT_NE(log.find("/proc"), std::string::npos) << log;
    }
    rt({"delete", "--force", id_});
    expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(Runtimes, IdmapBundle, ::testing::Values("ct-oci", "runc"),
                         [](const auto &info) {
                             return info.param == "ct-oci" ? "ct_oci" : "runc";
                         });

}  // namespace
