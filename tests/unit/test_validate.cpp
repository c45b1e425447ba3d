// The validator (api/src/validate.cpp): a valid spec passes, and every rule has a case that
// breaks it and is refused with the offending field named.
#include <gtest/gtest.h>

#include <functional>

#include "ct/error.hpp"
#include "full_spec.hpp"

namespace ct {
namespace {

Spec minimal() {
    Spec s;
    s.name = "a";
    s.rootfs = "/r";
    s.process.args = {"/bin/true"};
    return s;
}

struct Case {
    const char *field;  // expected at the start of the message, after "invalid spec: "
    std::function<void(Spec &)> breakit;
    bool from_full = false;  // start from full_spec() instead of minimal()
};

void no_ns(Spec &s, Namespace t) {
    auto ns = s.effective_namespaces();
    std::erase_if(ns, [&](const NamespaceSpec &n) { return n.type == t; });
    s.namespaces = ns;
}

TEST(Validate, ValidSpecsPass) {
    EXPECT_NO_THROW(validate(minimal()));
    EXPECT_NO_THROW(validate(test::full_spec()));
    Spec s = minimal();
    s.name = std::string(64, 'n');
    s.resources.memory = 4096;
    s.resources.memory_swap = -1;
    s.resources.pids = -1;
    s.resources.cpu.quota_us = -1;
    s.resources.cpu.shares = 262144;
    s.namespaces = std::vector<NamespaceSpec>{};  // host namespaces entirely
    EXPECT_NO_THROW(validate(s));
    // The host kernel's own filesystems, for a container that could mount them itself.
    s = minimal();
    s.mounts = {{"tracefs", "/sys/kernel/tracing", "tracefs", {}}};
    EXPECT_THROW(validate(s), Error);
    s.process.capabilities_add = {"CAP_SYS_ADMIN"};
    EXPECT_NO_THROW(validate(s));
    // A writable sysfs likewise (without rw, the backend mounts it read-only).
    s = minimal();
    s.mounts = {{"sysfs", "/sys", "sysfs", {"nosuid"}}};
    EXPECT_NO_THROW(validate(s));
    s.mounts[0].options.push_back("rw");
    EXPECT_THROW(validate(s), Error);
    s.process.capabilities_add = {"CAP_SYS_ADMIN"};
    EXPECT_NO_THROW(validate(s));
}

// An engine makes a container's network namespace itself and passes its path with the sysctls
// to set there (Podman's net.ipv4.ping_group_range); whether it is the host's is the backend's
// check.
TEST(Validate, SysctlsOfAJoinedNamespacePass) {
    Spec s = minimal();
    no_ns(s, Namespace::net);
    no_ns(s, Namespace::ipc);
    s.namespaces->push_back({Namespace::net, "/run/netns/pod"});
    s.namespaces->push_back({Namespace::ipc, "/proc/42/ns/ipc"});
    s.sysctl = {{"net.ipv4.ping_group_range", "0 0"}, {"kernel.shmmni", "8192"}};
    EXPECT_NO_THROW(validate(s));
    no_ns(s, Namespace::uts);
    s.namespaces->push_back({Namespace::uts, "/proc/42/ns/uts"});
    s.hostname = "pod";  // CRI-O sets the pod's hostname in each of its containers
    EXPECT_NO_THROW(validate(s));
    EXPECT_EQ(sysctl_namespace("net.core.somaxconn"), Namespace::net);
    EXPECT_EQ(sysctl_namespace("fs.mqueue.msg_max"), Namespace::ipc);
    EXPECT_EQ(sysctl_namespace("kernel.hostname"), Namespace::uts);
    EXPECT_EQ(sysctl_namespace("kernel.printk"), std::nullopt);
}

TEST(Validate, EveryRuleRefusesItsCase) {
    const Case cases[] = {
        {"name", [](Spec &s) { s.name.clear(); }},
        {"name", [](Spec &s) { s.name = "-a"; }},
        {"name", [](Spec &s) { s.name = "a/b"; }},
        {"name", [](Spec &s) { s.name = std::string(65, 'n'); }},
        {"rootfs", [](Spec &s) { s.rootfs.clear(); }},
        {"rootfs", [](Spec &s) { s.rootfs = "rel/dir"; }},
        {"rootfs", [](Spec &s) { s.rootfs = "/srv/../etc"; }},
        {"private.path", [](Spec &s) { s.private_area = {"dir", "p", {}, {}}; }},
        {"private.lower[1]", [](Spec &s) { s.private_area = {"overlay", "/u", {"/l", "l"}, {}}; }},
        {"private.work", [](Spec &s) { s.private_area = {"overlay", "/u", {"/l"}, "w"}; }},
        {"namespaces[1]",
         [](Spec &s) {
             s.namespaces = std::vector<NamespaceSpec>{{Namespace::pid, {}}, {Namespace::pid, {}}};
         }},
        {"namespaces[0].path",
         [](Spec &s) { s.namespaces = std::vector<NamespaceSpec>{{Namespace::net, "ns/net"}}; }},
        {"hostname", [](Spec &s) { s.hostname = "a b"; }},
        {"hostname", [](Spec &s) { s.hostname = std::string(65, 'h'); }},
        {"hostname",
         [](Spec &s) {
             s.hostname = "h";
             no_ns(s, Namespace::uts);
         }},
        {"uid_map", [](Spec &s) { s.uid_map = {{0, 1000, 1}}; }},
        {"namespaces",
         [](Spec &s) {
             s.namespaces = std::vector<NamespaceSpec>{{Namespace::user, {}}};
             s.uid_map = {{0, 1000, 1}};
         }},
        {"gid_map[0].size", [](Spec &s) { s.gid_map[0].size = 0; }, true},
        {"uid_map[1].size", [](Spec &s) { s.uid_map[1].size = 0; }, true},
        {"process.args", [](Spec &s) { s.process.args.clear(); }},
        {"process.args[0]", [](Spec &s) { s.process.args = {""}; }},
        {"process.env[0]", [](Spec &s) { s.process.env = {"NOEQUALS"}; }},
        {"process.env[1]", [](Spec &s) { s.process.env = {"A=1", "=x"}; }},
        {"process.cwd", [](Spec &s) { s.process.cwd = "tmp"; }},
        {"process.cwd", [](Spec &s) { s.process.cwd = "/a/../.."; }},
        {"process.rlimits[0].type", [](Spec &s) { s.process.rlimits = {{"nofiles", 1, 1}}; }},
        {"process.rlimits[0]", [](Spec &s) { s.process.rlimits = {{"nofile", 2, 1}}; }},
        {"process.capabilities",
         [](Spec &s) { s.process.capabilities = Capabilities::all_sets({"CAP_"}); }},
        {"process.capabilities",
         [](Spec &s) { s.process.capabilities = Capabilities::all_sets({"net admin"}); }},
        {"process.capabilities.ambient",
         [](Spec &s) {
             Capabilities c;
             c.ambient = {"bad-name"};
             s.process.capabilities = c;
         }},
        {"process.user.name", [](Spec &s) { s.process.user.name = "a:b"; }},
        {"process.user",
         [](Spec &s) {
             s.process.user.name = "www-data";
             s.process.user.uid = 33;
         }},
        {"process.user.group", [](Spec &s) { s.process.user.group = "a/b"; }},
        {"process.user",
         [](Spec &s) {
             s.process.user.group = "adm";
             s.process.user.gid = 4;
         }},
        {"resources.memory", [](Spec &s) { s.resources.memory = 4095; }},
        {"resources.memory", [](Spec &s) { s.resources.memory = -2; }},
        {"resources.memory_swap", [](Spec &s) { s.resources.memory_swap = 100; }},
        {"resources.memory_swap",
         [](Spec &s) {
             s.resources.memory = 1 << 30;
             s.resources.memory_swap = 1 << 20;
         }},
        {"resources.pids", [](Spec &s) { s.resources.pids = 0; }},
        {"resources.cpu.shares", [](Spec &s) { s.resources.cpu.shares = 1; }},
        {"resources.cpu.shares", [](Spec &s) { s.resources.cpu.shares = 262145; }},
        {"resources.cpu.period_us", [](Spec &s) { s.resources.cpu.period_us = 999; }},
        {"resources.cpu.period_us", [](Spec &s) { s.resources.cpu.period_us = 1000001; }},
        {"resources.cpu.quota_us", [](Spec &s) { s.resources.cpu.quota_us = 999; }},
        {"resources.cpu.cpus", [](Spec &s) { s.resources.cpu.cpus = "0-"; }},
        {"resources.cpu.cpus", [](Spec &s) { s.resources.cpu.cpus = "0,"; }},
        {"resources.cpu.cpus", [](Spec &s) { s.resources.cpu.cpus = "a"; }},
        {"resources.cpu.mems", [](Spec &s) { s.resources.cpu.mems = "0;1"; }},
        {"resources.io_weight", [](Spec &s) { s.resources.io_weight = 0; }},
        {"resources.io_weight", [](Spec &s) { s.resources.io_weight = 10001; }},
        {"resources.memory_reservation", [](Spec &s) { s.resources.memory_reservation = -2; }},
        {"resources.memory_swappiness", [](Spec &s) { s.resources.memory_swappiness = 101; }},
        {"resources.cpu.rt_runtime_us", [](Spec &s) { s.resources.cpu.rt_runtime_us = -2; }},
        {"resources.cpu.rt_period_us", [](Spec &s) { s.resources.cpu.rt_period_us = 0; }},
        {"resources.cpu.rt_period_us", [](Spec &s) { s.resources.cpu.rt_period_us = 1000001; }},
        {"resources.cpu.rt_runtime_us",
         [](Spec &s) {
             s.resources.cpu.rt_runtime_us = 20000;
             s.resources.cpu.rt_period_us = 10000;
         }},
        {"resources.cpu.idle", [](Spec &s) { s.resources.cpu.idle = 2; }},
        {"resources.cpu.burst_us", [](Spec &s) { s.resources.cpu.burst_us = 17592186044416ull; }},
        {"resources.io.weight_device[0].value",
         [](Spec &s) { s.resources.io.weight_device = {{8, 0, 0}}; }},
        {"resources.io.weight_device[0].value",
         [](Spec &s) { s.resources.io.weight_device = {{8, 0, 10001}}; }},
        {"resources.io.read_bps[0]", [](Spec &s) { s.resources.io.read_bps = {{0x1000, 0, 1}}; }},
        {"resources.io.write_iops[1]",
         [](Spec &s) { s.resources.io.write_iops = {{8, 0, 1}, {8, 0, 2}}; }},
        {"resources.hugepages[0].page_size", [](Spec &s) { s.resources.hugepages = {{"2M", 1}}; }},
        {"resources.hugepages[0].page_size", [](Spec &s) { s.resources.hugepages = {{"MB", 1}}; }},
        {"resources.hugepages[0].page_size",
         [](Spec &s) { s.resources.hugepages = {{"../2MB", 1}}; }},
        {"resources.hugepages[1].page_size",
         [](Spec &s) { s.resources.hugepages = {{"2MB", 1}, {"2MB", 2}}; }},
        {"resources.hugepages[0].limit", [](Spec &s) { s.resources.hugepages = {{"2MB", -2}}; }},
        {"resources.unified.cgroup.procs", [](Spec &s) { s.resources.unified = {{"cgroup.procs", "1"}}; }},
        {"resources.unified.cgroup.threads",
         [](Spec &s) { s.resources.unified = {{"cgroup.threads", "1"}}; }},
        {"resources.unified.cgroup.subtree_control",
         [](Spec &s) { s.resources.unified = {{"cgroup.subtree_control", "+memory"}}; }},
        {"resources.unified.cgroup.type",
         [](Spec &s) { s.resources.unified = {{"cgroup.type", "threaded"}}; }},
        {"resources.unified.cgroup.kill", [](Spec &s) { s.resources.unified = {{"cgroup.kill", "1"}}; }},
        {"resources.unified.cgroup.freeze",
         [](Spec &s) { s.resources.unified = {{"cgroup.freeze", "1"}}; }},
        {"resources.unified.../pids.max",
         [](Spec &s) { s.resources.unified = {{"../pids.max", "1"}}; }},
        {"resources.unified.x/pids.max",
         [](Spec &s) { s.resources.unified = {{"x/pids.max", "1"}}; }},
        {"resources.unified...", [](Spec &s) { s.resources.unified = {{"..", "1"}}; }},
        {"resources.unified.pids max", [](Spec &s) { s.resources.unified = {{"pids max", "1"}}; }},
        {"resources.unified.pids.max\n",
         [](Spec &s) { s.resources.unified = {{"pids.max\n", "1"}}; }},
        {"resources.unified.tasks", [](Spec &s) { s.resources.unified = {{"tasks", "1"}}; }},
        {"resources.unified.", [](Spec &s) { s.resources.unified = {{"", "1"}}; }},
        {"resources.devices[0].type", [](Spec &s) { s.resources.devices = {{true, "x", {}, {}, "r"}}; }},
        {"resources.devices[0]", [](Spec &s) { s.resources.devices = {{true, "a", 1, {}, "r"}}; }},
        {"resources.devices[0].major",
         [](Spec &s) { s.resources.devices = {{true, "c", -1, {}, "r"}}; }},
        {"resources.devices[0].minor",
         [](Spec &s) { s.resources.devices = {{true, "c", 1, 0x100000, "r"}}; }},
        {"resources.devices[0].access",
         [](Spec &s) { s.resources.devices = {{true, "c", 1, 3, "rwx"}}; }},
        {"resources.devices[0].access",
         [](Spec &s) { s.resources.devices = {{true, "c", 1, 3, "rr"}}; }},
        {"resources.devices[0].access",
         [](Spec &s) { s.resources.devices = {{true, "c", 1, 3, ""}}; }},
        {"devices[0].path", [](Spec &s) { s.devices = {{"dev/x", "c", 1, 3, 0666, 0, 0}}; }},
        {"devices[0].path", [](Spec &s) { s.devices = {{"/", "c", 1, 3, 0666, 0, 0}}; }},
        {"devices[1].path",
         [](Spec &s) {
             s.devices = {{"/dev/x", "c", 1, 3, 0666, 0, 0}, {"/dev/x", "c", 1, 5, 0666, 0, 0}};
         }},
        {"devices[0].type", [](Spec &s) { s.devices = {{"/dev/x", "p", 1, 3, 0666, 0, 0}}; }},
        {"devices[0]", [](Spec &s) { s.devices = {{"/dev/x", "c", 0x1000, 3, 0666, 0, 0}}; }},
        {"devices[0].mode", [](Spec &s) { s.devices = {{"/dev/x", "c", 1, 3, 010000, 0, 0}}; }},
        {"devices[0]",
         [](Spec &s) {
             s.devices = {{"/dev/x", "c", 1, 3, 0666, 0, 0}};
             no_ns(s, Namespace::mount);
         }},
        {"mounts[0].target", [](Spec &s) { s.mounts = {{"/a", "a", "bind", {}}}; }},
        {"mounts[0].target", [](Spec &s) { s.mounts = {{"/a", "/x/../../etc", "bind", {}}}; }},
        {"mounts[0].type", [](Spec &s) { s.mounts = {{"/a", "/a", "", {}}}; }},
        {"mounts[0].source", [](Spec &s) { s.mounts = {{"", "/a", "bind", {}}}; }},
        {"mounts[0].source", [](Spec &s) { s.mounts = {{"data", "/a", "bind", {}}}; }},
        {"mounts[1].hooks.pre[0].path",
         [](Spec &s) {
             s.mounts = {{"", "/a", "tmpfs", {}}, {"", "/b", "tmpfs", {}}};
             s.mounts[1].hooks.pre = {{"mkdir", {}, {}, {}}};
         }},
        {"mounts[0].hooks.post[1].env[0]",
         [](Spec &s) {
             s.mounts = {{"", "/a", "tmpfs", {}}};
             s.mounts[0].hooks.post = {{"/bin/true", {}, {}, {}}, {"/bin/true", {}, {"B"}, {}}};
         }},
        {"mounts[0].hooks.post[0].timeout",
         [](Spec &s) {
             s.mounts = {{"", "/a", "tmpfs", {}}};
             s.mounts[0].hooks.post = {{"/bin/true", {}, {}, 0}};
         }},
        {"hooks.poststart[0].path", [](Spec &s) { s.hooks.poststart = {{"true", {}, {}, {}}}; }},
        {"mounts[0]",
         [](Spec &s) {
             s.mounts = {{"tmpfs", "/t", "tmpfs", {}}};
             no_ns(s, Namespace::mount);
         }},
        // Idmapped mounts: binds only, both maps or neither, their lines checked as a user
        // namespace's, the container's maps when none of their own.
        {"mounts[0].options", [](Spec &s) { s.mounts = {{"tmpfs", "/t", "tmpfs", {"idmap"}}}; }},
        {"mounts[0].uid_map",
         [](Spec &s) { s.mounts = {{"tmpfs", "/t", "tmpfs", {}, {{0, 1, 1}}, {{0, 1, 1}}}}; }},
        {"mounts[0].gid_map", [](Spec &s) { s.mounts = {{"/a", "/a", "bind", {}, {{0, 1, 1}}}}; }},
        {"mounts[0].uid_map", [](Spec &s) { s.mounts = {{"/a", "/a", "bind", {}, {}, {{0, 1, 1}}}}; }},
        {"mounts[0].options",
         [](Spec &s) { s.mounts = {{"/a", "/a", "bind", {"idmap", "ridmap"}, {{0, 1, 1}}, {{0, 1, 1}}}}; }},
        {"mounts[0].uid_map[0].size",
         [](Spec &s) { s.mounts = {{"/a", "/a", "bind", {}, {{0, 1, 0}}, {{0, 1, 1}}}}; }},
        {"mounts[0].gid_map[0].size",
         [](Spec &s) {
             s.mounts = {{"/a", "/a", "bind", {}, {{0, 1, 1}}, {{0, 4294967290u, 100}}}};
         }},
        {"mounts[0].uid_map[0].host_id",
         [](Spec &s) { s.mounts = {{"/a", "/a", "bind", {}, {{0, 4294967295u, 1}}, {{0, 1, 1}}}}; }},
        {"mounts[0].options", [](Spec &s) { s.mounts = {{"/a", "/a", "bind", {"idmap"}}}; }},
        {"mounts[0].options",
         [](Spec &s) {
             s.mounts = {{"/a", "/a", "bind", {"ridmap"}}};
             s.namespaces = default_namespaces();
             s.namespaces->push_back({Namespace::user, {}});  // without uid_map/gid_map
         }},
        {"network[0]",
         [](Spec &s) {
             s.network = test::full_spec().network;
             no_ns(s, Namespace::net);
         }},
        {"network[0].type", [](Spec &s) { s.network[0].type.clear(); }, true},
        {"network[0].name",
         [](Spec &s) {
             s.network[0].name.clear();
             s.network[0].host_name.clear();
         },
         true},
        {"network[0].name", [](Spec &s) { s.network[0].name = "a-very-long-name"; }, true},
        {"network[1].name", [](Spec &s) { s.network[1].name = "eth0"; }, true},
        {"network[0].host_name", [](Spec &s) { s.network[0].host_name = std::string(16, 'v'); },
         true},
        {"network[0].mac", [](Spec &s) { s.network[0].mac = "02:00:00:00:00"; }, true},
        {"network[0].mac", [](Spec &s) { s.network[0].mac = "02-00-00-00-00-01"; }, true},
        {"network[0].host_mac", [](Spec &s) { s.network[0].host_mac = "02:00:00"; }, true},
        {"network[1].host_mac", [](Spec &s) { s.network[1].host_mac = "02:00:00:00:00:09"; },
         true},
        {"network[0].mtu", [](Spec &s) { s.network[0].mtu = 67; }, true},
        {"network[0].mtu", [](Spec &s) { s.network[0].mtu = 65536; }, true},
        {"network[0].addresses[1]", [](Spec &s) { s.network[0].addresses[1] = "10.0.0.300/24"; },
         true},
        {"network[0].addresses[0]", [](Spec &s) { s.network[0].addresses[0] = "10.0.0.2/33"; },
         true},
        {"network[0].addresses[0]", [](Spec &s) { s.network[0].addresses[0] = "10.0.0.2/"; },
         true},
        {"network[0].gateway", [](Spec &s) { s.network[0].gateway = "10.0.0.1/24"; }, true},
        {"network[0].name", [](Spec &s) { s.network[0].name = "lo"; }, true},
        {"network[1].host_name",
         [](Spec &s) {
             s.network[1] = s.network[0];
             s.network[1].name = "eth5";
         },
         true},
        {"network[0].routes[0].dst", [](Spec &s) { s.network[0].routes[0].dst = "10.1.0.0/40"; },
         true},
        {"network[0].routes[0].via", [](Spec &s) { s.network[0].routes[0].via = "gw"; }, true},
        {"network[0].routes[0]", [](Spec &s) { s.network[0].routes[0].via = "fd00::1"; }, true},
        {"sysctl.a/b", [](Spec &s) { s.sysctl = {{"a/b", "1"}}; }},
        {"sysctl.net..x", [](Spec &s) { s.sysctl = {{"net..x", "1"}}; }},
        {"sysctl.net.ipv4.ip_forward",
         [](Spec &s) {
             s.sysctl = {{"net.ipv4.ip_forward", "1"}};
             no_ns(s, Namespace::net);
         }},
        {"sysctl.kernel.shmmax",
         [](Spec &s) {
             s.sysctl = {{"kernel.shmmax", "1"}};
             no_ns(s, Namespace::ipc);
         }},
        {"sysctl.kernel.domainname",
         [](Spec &s) {
             s.sysctl = {{"kernel.domainname", "x"}};
             no_ns(s, Namespace::uts);
         }},
        {"sysctl.vm.swappiness", [](Spec &s) { s.sysctl = {{"vm.swappiness", "1"}}; }},
        {"process.parent_death_signal", [](Spec &s) { s.process.parent_death_signal = 65; }},
        {"process.parent_death_signal", [](Spec &s) { s.process.parent_death_signal = -1; }},
        {"process.new_session", [](Spec &s) {
             s.process.terminal = true;
             s.process.new_session = false;
         }},
        {"mounts[0].options", [](Spec &s) {
             s.mounts = {{"", "/sys/fs/cgroup", "cgroup", {"nosuid"}}};
         }},
        {"mounts[0].type", [](Spec &s) { s.mounts = {{"cgroup2", "/cg", "cgroup2", {}}}; }},
        {"mounts[0].options", [](Spec &s) { s.mounts = {{"sysfs", "/sys", "sysfs", {"rw"}}}; }},
        {"mounts[1].type",
         [](Spec &s) {
             s.mounts = {{"", "/t", "tmpfs", {}}, {"binfmt_misc", "/b", "binfmt_misc", {}}};
         }},
        {"cgroups[0]", [](Spec &s) { s.cgroups = {"Memory"}; }},
        {"cgroups[0]", [](Spec &s) { s.cgroups = {"name="}; }},
        {"cgroups[0]", [](Spec &s) { s.cgroups = {"name=a/b"}; }},
        {"cgroups[1]", [](Spec &s) { s.cgroups = {"freezer", "freezer"}; }},
        {"personality", [](Spec &s) { s.personality = "LINUX32"; }},
        {"rootfs_propagation", [](Spec &s) { s.rootfs_propagation = "rslaves"; }},
        {"rootfs_propagation", [](Spec &s) {
             s.rootfs_propagation = "rshared";
             no_ns(s, Namespace::mount);
         }},
        {"time_offsets.boottime.nanosecs", [](Spec &s) {
             s.namespaces = std::vector<NamespaceSpec>{{Namespace::time, {}}};
             s.time_offsets.boottime = {1, 1000000000};
         }},
        {"time_offsets", [](Spec &s) { s.time_offsets.monotonic.secs = 10; }},
        {"time_offsets", [](Spec &s) {
             s.namespaces = std::vector<NamespaceSpec>{{Namespace::time, "/proc/1/ns/time"}};
             s.time_offsets.monotonic.secs = 10;
         }},
    };
    for (const auto &c : cases) {
        Spec s = c.from_full ? test::full_spec() : minimal();
        c.breakit(s);
        std::string prefix = std::string("invalid spec: ") + c.field + ": ";
        try {
            validate(s);
            ADD_FAILURE() << c.field << ": accepted";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_spec) << e.what();
            EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u)
                << "expected '" << prefix << "...', got: " << e.what();
        }
    }
}

TEST(Validate, ResourcesAloneUseTheSameRules) {
    Resources r;
    EXPECT_NO_THROW(validate(r));
    r.pids = 0;
    EXPECT_THROW(validate(r), Error);
    r.pids = 1;
    r.cpu.cpus = "0-1,3";
    EXPECT_NO_THROW(validate(r));
}

TEST(Validate, NamespaceDefaults) {
    Spec s = minimal();
    EXPECT_EQ(s.effective_namespaces(), default_namespaces());
    EXPECT_EQ(default_namespaces().size(), 6u);
    for (auto t : {Namespace::mount, Namespace::uts, Namespace::ipc, Namespace::pid, Namespace::net,
                   Namespace::cgroup})
        EXPECT_TRUE(s.has_namespace(t)) << namespace_name(t);
    EXPECT_FALSE(s.has_namespace(Namespace::user));
    EXPECT_FALSE(s.has_namespace(Namespace::time));
    s.namespaces = std::vector<NamespaceSpec>{{Namespace::time, {}}};
    EXPECT_TRUE(s.has_namespace(Namespace::time));
    EXPECT_FALSE(s.has_namespace(Namespace::pid));
}

}  // namespace
}  // namespace ct
