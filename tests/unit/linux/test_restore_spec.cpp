// What a restore takes from a spec the caller gives (criu::restore_spec) and which mount points
// it makes in a new root (fs::root_mount_points): pure functions of the specs.
#include <gtest/gtest.h>

#include "criu/restore_spec.hpp"
#include "ct/error.hpp"
#include "fs/mount_points.hpp"

namespace ct::linux_native {
namespace {

Spec saved() {
    Spec s;
    s.name = "web1";
    s.rootfs = "/srv/old-root";
    s.hostname = "web1";
    s.process.args = {"/bin/httpd", "-f"};
    s.mounts = {{"/srv/data", "/data", "bind", {"rbind", "rprivate", "ro"}},
                {"tmpfs", "/run", "tmpfs", {"nosuid"}},
                {"/srv/hosts", "/etc/hosts", "bind", {"bind", "rprivate"}}};
    s.sysctl = {{"net.ipv4.ip_forward", "1"}, {"kernel.msgmax", "8192"}};
    s.resources.memory = 64 << 20;
    return s;
}

std::string refusal(const Spec &given) {
    try {
        criu::restore_spec(saved(), given);
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec) << e.what();
        return e.what();
    }
    return "(accepted)";
}

TEST(RestoreSpec, TakesWhatTheRestoreMakesAnewAndKeepsWhatTheImagesHold) {
    Spec g = saved();
    g.name = "web2";
    g.rootfs = "/srv/new-root";
    g.hostname = "other";
    g.process.args = {"/bin/sh"};
    // Another order, other sources, another spelling of the same propagation.
    g.mounts = {{"/srv/hosts2", "/etc/hosts", "bind", {"bind", "private"}},
                {"/srv/data2", "/data/", "bind", {"rbind", "ro"}},
                {"tmpfs", "/run", "tmpfs", {"nosuid"}}};
    g.namespaces = default_namespaces();
    for (auto &n : *g.namespaces)
        if (n.type == Namespace::net) n.path = "/run/netns/new";
    g.sysctl = {{"net.ipv4.ip_forward", "0"}, {"kernel.msgmax", "1"}};
    g.resources.memory = 128 << 20;
    g.annotations["io.podman"] = "yes";

    Spec r = criu::restore_spec(saved(), g);
    EXPECT_EQ(r.rootfs, "/srv/new-root");
    EXPECT_EQ(r.mounts[0].source, "/srv/data2");
    EXPECT_EQ(r.mounts[2].source, "/srv/hosts2");
    EXPECT_EQ(r.mounts[2].options, saved().mounts[2].options) << "the images' options stay";
    bool joined = false;
    for (const auto &n : r.effective_namespaces())
        joined |= n.type == Namespace::net && n.path == "/run/netns/new";
    EXPECT_TRUE(joined);
    EXPECT_EQ(r.sysctl.at("net.ipv4.ip_forward"), "0");
    EXPECT_EQ(r.sysctl.at("kernel.msgmax"), "8192") << "the ipc namespace is in the images";
    EXPECT_EQ(r.resources.memory, 128 << 20);
    EXPECT_EQ(r.annotations.at("io.podman"), "yes");
    EXPECT_EQ(r.hostname, "web1");
    EXPECT_EQ(r.process.args, saved().process.args);
}

TEST(RestoreSpec, TheSameSpecGivesTheSavedOne) {
    EXPECT_EQ(criu::restore_spec(saved(), saved()), saved());
}

TEST(RestoreSpec, RefusesWhatTheImagesCannotBecomeNamingTheField) {
    Spec g = saved();
    g.mounts.push_back({"/srv/x", "/x", "bind", {}});
    EXPECT_NE(refusal(g).find("mounts[3] (/x)"), std::string::npos) << refusal(g);

    g = saved();
    g.mounts.pop_back();
    EXPECT_NE(refusal(g).find("no mount at /etc/hosts"), std::string::npos) << refusal(g);

    g = saved();
    g.mounts[0].options = {"rbind"};  // read-write where the images' is read-only
    EXPECT_NE(refusal(g).find("mounts[0] (/data): options"), std::string::npos) << refusal(g);

    g = saved();
    g.mounts[1].type = "bind";
    g.mounts[1].source = "/srv/run";
    EXPECT_NE(refusal(g).find("mounts[1] (/run): type 'bind'"), std::string::npos) << refusal(g);

    g = saved();
    g.namespaces = std::vector<NamespaceSpec>{{Namespace::mount, ""}, {Namespace::pid, ""}};
    EXPECT_NE(refusal(g).find("namespaces: {"), std::string::npos) << refusal(g);

    g = saved();
    g.namespaces = default_namespaces();
    for (auto &n : *g.namespaces)
        if (n.type == Namespace::ipc) n.path = "/proc/1/ns/ipc";
    EXPECT_NE(refusal(g).find("namespaces: ipc joins /proc/1/ns/ipc"), std::string::npos)
        << refusal(g);
}

TEST(RestoreMountPoints, OnlyThoseInTheRootItself) {
    Spec s;
    s.mounts = {{"tmpfs", "/scratch", "tmpfs", {}},
                {"/srv", "/scratch/srv", "bind", {}},
                {"/etc/hostname", "/etc//hostname", "bind", {}},
                {"proc", "/proc/sys", "bind", {}},
                {"/srv", "/data/", "bind", {}}};
    auto points = fs::root_mount_points(s);
    std::vector<std::pair<std::string, bool>> got;
    for (const auto &p : points) got.emplace_back(p.target, p.is_file);
    std::vector<std::pair<std::string, bool>> want = {{"/proc", false},        {"/dev", false},
                                                      {"/sys", false},         {"/scratch", false},
                                                      {"/etc/hostname", true}, {"/data", false}};
    EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace ct::linux_native
