// Device nodes from the spec and the device allow-list of the devices cgroup.
#include <unistd.h>

#include "running.hpp"

namespace ct::test {
namespace {

class Devices : public LinuxTest {};

TEST_F(Devices, SpecNodesAreCreatedWithModeAndOwner) {
    auto s = spec({"/bin/sh", "-c",
                   "stat -c '%F %t:%T %a %u:%g' /dev/my-null /dev/sub/dir/zero; "
                   "echo x > /dev/my-null && head -c 3 /dev/sub/dir/zero | wc -c"});
    s.devices = {{"/dev/my-null", "c", 1, 3, 0600, 1000, 1001},
                 {"/dev/sub/dir/zero", "c", 1, 5, 0640, 0, 0}};
    auto r = run(s);
    EXPECT_EQ(r.out,
              "character special file 1:3 600 1000:1001\n"
              "character special file 1:5 640 0:0\n3\n")
        << r.err;
}

TEST_F(Devices, AllowListDeniesWhatItDoesNotList) {
    // c 1:11 is /dev/kmsg: not in the default list. mknod is allowed, opening is not.
    const std::string probe =
        "mknod /dev/probe c 1 11 && echo made; (exec 3</dev/probe) 2>/dev/null && echo opened "
        "|| echo denied; echo x > /dev/null && echo null-ok";
    auto r = run(spec({"/bin/sh", "-c", probe}));
    EXPECT_EQ(r.out, "made\ndenied\nnull-ok\n") << r.err;

    // Listed as a node of the spec: allowed.
    auto s = spec({"/bin/sh", "-c", probe});
    s.devices = {{"/dev/kmsg", "c", 1, 11, 0600, 0, 0}};
    r = run(s);
    EXPECT_EQ(r.out, "made\nopened\nnull-ok\n") << r.err;

    // A later rule wins: read access taken back by resources.devices.
    s.resources.devices = {{false, "c", 1, 11, "r"}};
    r = run(s);
    EXPECT_EQ(r.out, "made\ndenied\nnull-ok\n") << r.err;

    // And everything allowed again, for who wants no list at all.
    auto open_all = spec({"/bin/sh", "-c", probe});
    open_all.resources.devices = {{true, "a", std::nullopt, std::nullopt, "rwm"}};
    r = run(open_all);
    EXPECT_EQ(r.out, "made\nopened\nnull-ok\n") << r.err;
}

// Where the host has a cgroup2 tree (v2, and hybrid like this one) the list is an eBPF
// program on the container's cgroup2 directory (AllowListDeniesWhatItDoesNotList enforces it);
// on a legacy host it is the v1 devices controller, checked here with the cgroup2 tree hidden.
TEST_F(Devices, OnALegacyHostTheListIsInTheV1DevicesCgroup) {
    if (access("/sys/fs/cgroup/devices/devices.list", F_OK) != 0)
        GTEST_SKIP() << "no v1 devices hierarchy at /sys/fs/cgroup/devices";
    auto s =
        spec({"/bin/sh", "-c", "(exec 3</dev/kmsg2) 2>/dev/null && echo opened || echo denied"});
    s.devices = {{"/dev/fuse", "c", 10, 229, 0666, 0, 0}, {"/dev/kmsg2", "c", 1, 11, 0600, 0, 0}};
    s.resources.devices = {{false, "c", 1, 11, "r"}};
    std::string err = on_a_legacy_host([&] {
        auto sess = Session::open(uri());
        auto c = sess.create(s);
        std::string list;
        for (const auto &d : cgroup_dirs_for(cgroup_parent_, s.name))
            if (d.find("/devices/") != std::string::npos) list = read_text(d + "/devices.list");
        auto r = run_captured(c);
        c.destroy();
        if (list.empty()) throw std::runtime_error("no v1 devices cgroup for the container");
        if (list.find("a *:* rwm") != std::string::npos)
            throw std::runtime_error("everything allowed:\n" + list);
        for (const char *rule : {"c 1:3 rwm", "c 136:* rwm", "c *:* m", "c 10:229 rwm"})
            if (list.find(rule) == std::string::npos)
                throw std::runtime_error(std::string(rule) + " missing from\n" + list);
        if (r.out != "denied\n") throw std::runtime_error("the denied device opened: " + r.out);
    });
    EXPECT_EQ(err, "");
}

TEST_F(Devices, BadRulesAreRefusedBeforeAnythingIsMade) {
    auto s = spec({"/bin/true"});
    s.resources.devices = {{true, "x", 1, 3, "rwm"}};
    EXPECT_THROW(session().create(s), Error);
    s.resources.devices = {{true, "c", 1, 3, "rwz"}};
    EXPECT_THROW(session().create(s), Error);
    s.resources.devices = {};
    s.devices = {{"dev/relative", "c", 1, 3, 0666, 0, 0}};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("devices[0].path"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(session().list().empty());
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty());
}

}  // namespace
}  // namespace ct::test
