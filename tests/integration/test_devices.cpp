// Device nodes from the spec and the device allow-list of the devices cgroup.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

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

// c 1:11 is /dev/kmsg: not in the default list. Reading it also takes CAP_SYSLOG (this host
// restricts dmesg), which the probes get so that the device list alone decides.
Spec kmsg_probe(Spec s) {
    s.process.args = {"/bin/sh", "-c",
                      "mknod /dev/probe c 1 11 && echo made; (exec 3</dev/probe) 2>/dev/null && "
                      "echo opened || echo denied; echo x > /dev/null && echo null-ok"};
    s.process.capabilities_add = {"CAP_SYSLOG"};
    return s;
}

TEST_F(Devices, AllowListDeniesWhatItDoesNotList) {
    // mknod is allowed, opening is not.
    auto r = run(kmsg_probe(spec({"/bin/true"})));
    EXPECT_EQ(r.out, "made\ndenied\nnull-ok\n") << r.err;

    // Listed as a node of the spec: allowed.
    auto s = kmsg_probe(spec({"/bin/true"}));
    s.devices = {{"/dev/kmsg", "c", 1, 11, 0600, 0, 0}};
    r = run(s);
    EXPECT_EQ(r.out, "made\nopened\nnull-ok\n") << r.err;

    // A later rule wins: read access taken back by resources.devices.
    s.resources.devices = {{false, "c", 1, 11, "r"}};
    r = run(s);
    EXPECT_EQ(r.out, "made\ndenied\nnull-ok\n") << r.err;

    // And everything allowed again, for who wants no list at all.
    auto open_all = kmsg_probe(spec({"/bin/true"}));
    open_all.resources.devices = {{true, "a", std::nullopt, std::nullopt, "rwm"}};
    r = run(open_all);
    EXPECT_EQ(r.out, "made\nopened\nnull-ok\n") << r.err;
}

// The ids of the device programs attached to the container's cgroup2 directory ("" if it has
// none, or no such directory).
std::string device_programs(const std::string &parent, const std::string &name) {
    std::string out;
    for (const auto &d : cgroup_dirs_for(parent, name)) {
        if (d.find("/unified/") == std::string::npos) continue;
        int fd = open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) continue;
        uint32_t ids[8] = {};
        union bpf_attr a;
        std::memset(&a, 0, sizeof a);
        a.query.target_fd = static_cast<uint32_t>(fd);
        a.query.attach_type = BPF_CGROUP_DEVICE;
        a.query.prog_ids = reinterpret_cast<uint64_t>(ids);
        a.query.prog_cnt = 8;
        if (syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof a) == 0)
            for (uint32_t i = 0; i < a.query.prog_cnt; ++i) out += std::to_string(ids[i]) + " ";
        close(fd);
    }
    return out;
}

// A session loads a device program once for consecutive containers with the same rules: the
// next one gets the same program attached (the kernel's program id), which still denies what
// it does not list; other rules get a program of their own.
TEST_F(Devices, ContainersWithTheSameRulesShareOneProgram) {
    auto first = session().create(spec({"/bin/true"}));
    std::string id = device_programs(cgroup_parent_, first.info().name);
    if (id.empty()) {
        first.destroy();
        GTEST_SKIP() << "the device list is not an eBPF program on this host (legacy cgroups)";
    }
    auto second_spec = kmsg_probe(spec({"/bin/true"}));
    auto second = session().create(second_spec);
    EXPECT_EQ(device_programs(cgroup_parent_, second_spec.name), id);
    auto r = run_captured(second);
    EXPECT_EQ(r.out, "made\ndenied\nnull-ok\n") << r.err;

    auto other_spec = kmsg_probe(spec({"/bin/true"}));
    other_spec.devices = {{"/dev/kmsg", "c", 1, 11, 0600, 0, 0}};
    auto other = session().create(other_spec);
    std::string other_id = device_programs(cgroup_parent_, other_spec.name);
    EXPECT_NE(other_id, id);
    EXPECT_FALSE(other_id.empty());
    r = run_captured(other);
    EXPECT_EQ(r.out, "made\nopened\nnull-ok\n") << r.err;
    for (auto *c : {&first, &second, &other}) c->destroy();
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
