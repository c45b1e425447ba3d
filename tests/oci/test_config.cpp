// config.json -> ct::Spec (tools/ct-oci/config*.cpp): what engines write becomes the spec libct
// validates, and what this runtime cannot honour is an error naming the field. No root needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "ct/error.hpp"

namespace ct::oci {
namespace {

using nlohmann::json;

// What Podman 4.3 writes for `podman run --network none busybox sleep 100` (trimmed seccomp).
json podman_config() {
    return json::parse(R"({
  "ociVersion": "1.0.2-dev",
  "process": {
    "user": {"uid": 0, "gid": 0, "umask": 18, "additionalGids": [10]},
    "args": ["sleep", "100"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_KILL"], "effective": ["CAP_CHOWN", "CAP_KILL"],
      "permitted": ["CAP_CHOWN", "CAP_KILL"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "oomScoreAdj": 100
  },
  "root": {"path": "rootfs"},
  "hostname": "8306ca79090a",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/etc/hostname", "type": "bind", "source": "/run/c/hostname", "options": ["bind", "rprivate"]},
    {"destination": "/dev/shm", "type": "bind", "source": "shm", "options": ["bind", "rprivate", "nosuid", "noexec", "nodev"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rprivate", "nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "annotations": {"io.container.manager": "libpod"},
  "linux": {
    "sysctl": {"net.ipv4.ping_group_range": "0 0"},
    "resources": {"devices": [{"allow": false, "access": "rwm"}], "pids": {"limit": 2048}},
    "cgroupsPath": "/libpod_parent/libpod-8306ca79090a",
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"}]},
    "maskedPaths": ["/proc/kcore", "/sys/firmware"],
    "readonlyPaths": ["/proc/sys"]
  }
})");
}

const BundleContext kCtx{"c1", "/srv/bundle", false};

Spec decode(const json &j, const BundleContext &ctx = kCtx) {
    return spec_from_config(j, ctx);
}

// The error a config gets: its code and message.
std::pair<Errc, std::string> error_of(const json &j) {
    try {
        decode(j);
    } catch (const Error &e) {
        return {e.code(), e.what()};
    }
    return {Errc::backend, "no error"};
}

TEST(OciConfig, APodmanBundleBecomesAValidSpec) {
    Spec s = decode(podman_config());
    EXPECT_NO_THROW(validate(s));
    EXPECT_EQ(s.name, "c1");
    EXPECT_EQ(s.bundle, "/srv/bundle");
    EXPECT_EQ(s.rootfs, "/srv/bundle/rootfs");  // relative to the bundle
    EXPECT_EQ(s.hostname, "8306ca79090a");
    EXPECT_EQ(s.process.args, (std::vector<std::string>{"sleep", "100"}));
    EXPECT_EQ(s.process.umask, 18u);
    EXPECT_EQ(s.process.oom_score_adj, 100);
    EXPECT_EQ(s.process.user.additional_gids, std::vector<uint32_t>{10});
    ASSERT_TRUE(s.process.capabilities);  // the bundle's sets, not libct's default
    EXPECT_EQ(s.process.capabilities->bounding,
              (std::vector<std::string>{"CAP_CHOWN", "CAP_KILL"}));
    EXPECT_TRUE(s.process.capabilities->ambient.empty());
    ASSERT_EQ(s.process.rlimits.size(), 1u);
    EXPECT_EQ(s.process.rlimits[0], (Rlimit{"nofile", 1024, 1024}));
    ASSERT_TRUE(s.namespaces);
    EXPECT_EQ(s.namespaces->size(), 5u);  // exactly the bundle's: no cgroup namespace
    EXPECT_FALSE(s.has_namespace(Namespace::cgroup));
    EXPECT_EQ(s.cgroup_path, "/libpod_parent/libpod-8306ca79090a");
    EXPECT_EQ(s.resources.pids, 2048);
    EXPECT_TRUE(s.resources.devices.empty());  // the leading "deny all" is libct's own start
    EXPECT_EQ(s.sysctl.at("net.ipv4.ping_group_range"), "0 0");
    ASSERT_TRUE(s.seccomp);
    EXPECT_FALSE(s.seccomp->unconfined);
    EXPECT_EQ(s.seccomp->default_action, "SCMP_ACT_ERRNO");
    EXPECT_EQ(s.seccomp->default_errno_ret, 38u);
    EXPECT_EQ(s.masked_paths, (std::vector<std::string>{"/proc/kcore", "/sys/firmware"}));
    EXPECT_EQ(s.readonly_paths, std::vector<std::string>{"/proc/sys"});
    EXPECT_EQ(s.annotations.at("io.container.manager"), "libpod");
    // /proc, /dev, /sys, /dev/pts and /dev/mqueue are the backend's own mounts.
    ASSERT_EQ(s.mounts.size(), 3u);
    EXPECT_EQ(s.mounts[0],
              (MountSpec{"/run/c/hostname", "/etc/hostname", "bind", {"bind", "rprivate"}}));
    EXPECT_EQ(s.mounts[1].source, "/srv/bundle/shm");  // relative: the bundle's
    EXPECT_EQ(s.mounts[1].type, "bind");
    EXPECT_EQ(s.mounts[2], (MountSpec{"", "/sys/fs/cgroup", "cgroup", {}}));  // read-only
    // A cgroup2 mount (crun's type on a cgroup v2 host) is the container's own cgroups too.
    json j = podman_config();
    for (auto &m : j["mounts"])
        if (m["type"] == "cgroup") m["type"] = "cgroup2";
    EXPECT_EQ(decode(j).mounts[2], (MountSpec{"", "/sys/fs/cgroup", "cgroup", {}}));
}

TEST(OciConfig, WhatTheBundleDoesNotAskForItDoesNotGet) {
    json j = {{"ociVersion", "1.2.0"},
              {"root", {{"path", "/r"}}},
              {"process", {{"args", {"true"}}, {"cwd", "/"}}}};
    Spec s = decode(j);
    EXPECT_TRUE(s.namespaces && s.namespaces->empty());  // the host's, all of them
    ASSERT_TRUE(s.seccomp);
    EXPECT_TRUE(s.seccomp->unconfined);
    EXPECT_TRUE(s.masked_paths && s.masked_paths->empty());
    EXPECT_TRUE(s.readonly_paths && s.readonly_paths->empty());
    ASSERT_TRUE(s.process.capabilities);
    EXPECT_EQ(*s.process.capabilities, Capabilities{});  // no capabilities at all
    EXPECT_TRUE(s.mounts.empty());
}

TEST(OciConfig, VersionsOneZeroToOneTwoAreAccepted) {
    for (auto v : {"1.0.0", "1.0.2-dev", "1.1.0", "1.1.0-rc.1", "1.2.0", "1.2.1"})
        EXPECT_NO_THROW(check_version(v, "config.json")) << v;
    for (auto v : {"", "1", "1.3.0", "2.0.0", "0.9.0", "1.2", "1.2.x", "v1.2.0"}) {
        try {
            check_version(v, "config.json");
            ADD_FAILURE() << v << " accepted";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_spec);
            EXPECT_NE(std::string(e.what()).find("ociVersion"), std::string::npos) << e.what();
        }
    }
}

TEST(OciConfig, ErrorsNameTheField) {
    json j = podman_config();
    j["process"]["user"]["uid"] = "root";
    auto [code, msg] = error_of(j);
    EXPECT_EQ(code, Errc::invalid_spec);
    EXPECT_NE(msg.find("config.json: process.user.uid: expected an integer, got a string"),
              std::string::npos)
        << msg;

    j = podman_config();
    j["mounts"][5]["options"] = "bind";
    std::tie(code, msg) = error_of(j);
    EXPECT_NE(msg.find("mounts[5].options: expected a list of strings"), std::string::npos) << msg;

    j = podman_config();
    j.erase("process");
    std::tie(code, msg) = error_of(j);
    EXPECT_NE(msg.find("process: is required"), std::string::npos) << msg;

    j = podman_config();
    j["linux"]["namespaces"].push_back({{"type", "bogus"}});
    std::tie(code, msg) = error_of(j);
    EXPECT_NE(msg.find("linux.namespaces[5].type: unknown namespace 'bogus'"), std::string::npos)
        << msg;
}

TEST(OciConfig, WhatThisRuntimeCannotHonourIsRefusedNamingIt) {
    struct Case {
        const char *pointer;
        json value;
        const char *field;
    };
    const Case cases[] = {
        {"/linux/resources/memory", {{"kernel", 1 << 20}}, "linux.resources.memory.kernel"},
        {"/linux/resources/memory", {{"kernelTCP", 1 << 20}}, "linux.resources.memory.kernelTCP"},
        {"/linux/resources/memory",
         {{"checkBeforeUpdate", true}},
         "linux.resources.memory.checkBeforeUpdate"},
        {"/linux/resources/blockIO", {{"leafWeight", 10}}, "linux.resources.blockIO.leafWeight"},
        {"/linux/resources/blockIO",
         {{"weightDevice", {{{"major", 8}, {"minor", 0}, {"weight", 10}, {"leafWeight", 10}}}}},
         "linux.resources.blockIO.weightDevice[0].leafWeight"},
        {"/linux/resources/network", {{"classID", 1}}, "linux.resources.network"},
        {"/linux/resources/rdma", {{"mlx5_0", {{"hcaHandles", 1}}}}, "linux.resources.rdma"},
        {"/linux/intelRdt", {{"closID", "x"}}, "linux.intelRdt"},
        {"/linux/mountLabel", "system_u:object_r:x", "linux.mountLabel"},
        {"/linux/personality",
         {{"domain", "LINUX32"}, {"flags", {"SHORT_INODE"}}},
         "linux.personality.flags"},
        {"/linux/seccomp/listenerPath", "/run/x.sock", "linux.seccomp.listenerPath"},
        {"/process/ioPriority", {{"class", "IOPRIO_CLASS_IDLE"}}, "process.ioPriority"},
        {"/process/scheduler", {{"policy", "SCHED_FIFO"}}, "process.scheduler"},
        {"/windows", {{"layerFolders", {"x"}}}, "windows"},
    };
    for (const auto &c : cases) {
        json j = podman_config();
        j[json::json_pointer(c.pointer)] = c.value;
        auto [code, msg] = error_of(j);
        EXPECT_EQ(code, Errc::unsupported) << c.pointer << ": " << msg;
        EXPECT_NE(msg.find(std::string("config.json: ") + c.field + ":"), std::string::npos)
            << c.pointer << ": " << msg;
    }
}

// network and rdma: the refusal says why on this host (a probe of its cgroup mounts).
TEST(OciConfig, ControllersThisHostLacksAreNamedInTheRefusal) {
    std::ifstream mi("/proc/self/mountinfo");
    std::string mounts((std::istreambuf_iterator<char>(mi)), std::istreambuf_iterator<char>());
    json j = podman_config();
    j["linux"]["resources"]["network"] = {{"classID", 1}};
    auto [code, msg] = error_of(j);
    EXPECT_EQ(code, Errc::unsupported) << msg;
    if (mounts.find("net_cls") == std::string::npos &&
        mounts.find("net_prio") == std::string::npos) {
        EXPECT_NE(msg.find("which this host has not mounted"), std::string::npos) << msg;
    } else {
        EXPECT_NE(msg.find("not supported by libct"), std::string::npos) << msg;
    }
}

// A `unified` key that would leave the container's cgroup or move processes is invalid input
// (libct's validation, which every create runs), named, before anything is made.
TEST(OciConfig, UnifiedKeysOutsideTheContainersCgroupAreInvalid) {
    for (const char *key : {"cgroup.procs", "../memory.max", "cgroup.subtree_control", "a/b.c",
                            "cgroup.kill", "cgroup.freeze", "cgroup.type", "cgroup.threads"}) {
        json j = podman_config();
        j["linux"]["resources"]["unified"] = {{key, "1"}};
        Spec s = decode(j);
        EXPECT_EQ(s.resources.unified.at(key), "1");
        Errc code = Errc::backend;
        std::string msg = "no error";
        try {
            validate(s);
        } catch (const Error &e) {
            code = e.code();
            msg = e.what();
        }
        EXPECT_EQ(code, Errc::invalid_spec) << key << ": " << msg;
        EXPECT_NE(msg.find(std::string("resources.unified.") + key), std::string::npos) << msg;
    }
}

TEST(OciConfig, DefaultsEnginesWriteAreNotRefused) {
    json j = podman_config();
    // Docker writes zeros and false for what it does not set.
    j["linux"]["resources"]["memory"] = {
        {"limit", 0}, {"swappiness", nullptr}, {"disableOOMKiller", false}};
    j["linux"]["resources"]["cpu"] = {
        {"shares", 0}, {"quota", 0}, {"period", 0}, {"realtimeRuntime", 0}};
    j["linux"]["resources"]["blockIO"] = {{"weight", 0}};
    j["linux"]["resources"]["hugepageLimits"] = json::array();
    j["linux"]["personality"] = {{"domain", "LINUX"}};
    j["linux"]["rootfsPropagation"] = "rslave";
    Spec s = decode(j);
    EXPECT_FALSE(s.resources.memory);
    EXPECT_FALSE(s.resources.cpu.shares);
    EXPECT_FALSE(s.resources.io_weight);
}

TEST(OciConfig, PersonalityRootfsPropagationAndTimeOffsetsMapOntoTheSpec) {
    json j = podman_config();
    j["linux"]["personality"] = {{"domain", "LINUX32"}, {"flags", json::array()}};
    j["linux"]["rootfsPropagation"] = "rshared";
    j["linux"]["namespaces"].push_back({{"type", "time"}});
    j["linux"]["timeOffsets"] = {{"monotonic", {{"secs", 86400}, {"nanosecs", 5}}},
                                 {"boottime", {{"secs", -10}}}};
    Spec s = decode(j);
    EXPECT_EQ(s.personality, "linux32");
    EXPECT_EQ(s.rootfs_propagation, "rshared");
    EXPECT_EQ(s.time_offsets.monotonic, (ClockOffset{86400, 5}));
    EXPECT_EQ(s.time_offsets.boottime, (ClockOffset{-10, 0}));
    EXPECT_NO_THROW(validate(s));
    j["linux"]["personality"]["domain"] = "LINUX";
    EXPECT_EQ(decode(j).personality, "linux");

    // Values the kernel has no meaning for: invalid, naming the OCI field.
    const std::pair<const char *, json> bad[] = {
        {"/linux/personality/domain", "PER_BSD"},
        {"/linux/rootfsPropagation", "rslaves"},
        {"/linux/timeOffsets/monotonic/nanosecs", 1000000000},
        {"/linux/timeOffsets/realtime", {{"secs", 1}}},
    };
    for (const auto &[pointer, value] : bad) {
        json b = j;
        b[json::json_pointer(pointer)] = value;
        auto [code, msg] = error_of(b);
        std::string field = std::string(pointer).substr(1);
        std::replace(field.begin(), field.end(), '/', '.');
        EXPECT_EQ(code, Errc::invalid_spec) << pointer << ": " << msg;
        EXPECT_NE(msg.find("config.json: " + field + ":"), std::string::npos) << msg;
    }
}

TEST(OciConfig, UnknownPropertiesAreIgnoredAsTheOciSpecRequires) {
    json j = podman_config();
    j["someFutureField"] = {{"x", 1}};
    j["process"]["newThing"] = true;
    j["linux"]["memoryPolicy"] = {{"mode", "MPOL_DEFAULT"}};
    EXPECT_NO_THROW(decode(j));
}

TEST(OciConfig, BlkioWeightsTakeIoWeightsScaleAsRuncConvertsThem) {
    // runc's ConvertBlkIOToIOWeightValue: 1 + (w - 10) * 9999 / 990; 0 stays "not set".
    const std::pair<uint64_t, uint64_t> cases[] = {{0, 0},     {10, 1},     {11, 11},
                                                   {100, 910}, {500, 4950}, {1000, 10000}};
    for (auto [blkio, io] : cases) EXPECT_EQ(io_weight_of_blkio(blkio), io) << blkio;
    EXPECT_FALSE(io_weight_of_blkio(9));
    EXPECT_FALSE(io_weight_of_blkio(1001));
}

TEST(OciConfig, ResourcesMapOntoLibctsFields) {
    json r = {
        {"memory", {{"limit", 67108864}, {"swap", -1}}},
        {"cpu",
         {{"shares", 512}, {"quota", 50000}, {"period", 100000}, {"cpus", "0"}, {"mems", "0"}}},
        {"pids", {{"limit", -1}}},
        {"blockIO", {{"weight", 300}}},
        {"devices",
         {{{"allow", false}, {"access", "rwm"}},
          {{"allow", true}, {"type", "c"}, {"major", 10}, {"minor", 200}, {"access", "rwm"}},
          {{"allow", true}, {"type", "c"}, {"major", -1}, {"minor", -1}, {"access", "m"}}}}};
    Resources res = resources_from_config(r, "resources.json", "");
    EXPECT_EQ(res.memory, 67108864);
    EXPECT_EQ(res.memory_swap, -1);
    EXPECT_EQ(res.cpu.shares, 512u);
    EXPECT_EQ(res.cpu.quota_us, 50000);
    EXPECT_EQ(res.cpu.period_us, 100000u);
    EXPECT_EQ(res.cpu.cpus, "0");
    EXPECT_EQ(res.pids, -1);
    EXPECT_EQ(res.io_weight, 2930u);  // blkio's 300 on io.weight's scale, as runc converts it
    ASSERT_EQ(res.devices.size(), 2u);
    EXPECT_EQ(res.devices[0], (DeviceRule{true, "c", 10, 200, "rwm"}));
    EXPECT_EQ(res.devices[1], (DeviceRule{true, "c", {}, {}, "m"}));  // -1: any
    EXPECT_NO_THROW(validate(res));
}

TEST(OciConfig, MoreResourcesMapOntoLibctsFields) {
    json dev = {{"major", 254}, {"minor", 0}};
    auto with = [&](const char *k, uint64_t v) {
        json d = dev;
        d[k] = v;
        return json::array({d});
    };
    json r = {
        {"memory", {{"reservation", 33554432}, {"swappiness", 0}, {"disableOOMKiller", true}}},
        {"cpu", {{"realtimeRuntime", 5000}, {"realtimePeriod", 100000}, {"idle", 1}, {"burst", 0}}},
        {"blockIO",
         {{"weightDevice", with("weight", 500)},
          {"throttleReadBpsDevice", with("rate", 1048576)},
          {"throttleWriteBpsDevice", with("rate", 2097152)},
          {"throttleReadIOPSDevice", with("rate", 100)},
          {"throttleWriteIOPSDevice", with("rate", 200)}}},
        {"hugepageLimits",
         {{{"pageSize", "2MB"}, {"limit", 4194304}},
          {{"pageSize", "1GB"}, {"limit", 18446744073709551615ull}}}},
        {"unified", {{"memory.high", "max"}, {"cgroup.max.descendants", "5"}}}};
    Resources res = resources_from_config(r, "resources.json", "");
    EXPECT_EQ(res.memory_reservation, 33554432);
    EXPECT_EQ(res.memory_swappiness, 0u);  // 0 is a swappiness, not "unset"
    EXPECT_EQ(res.oom_kill_disable, true);
    EXPECT_EQ(res.cpu.rt_runtime_us, 5000);
    EXPECT_EQ(res.cpu.rt_period_us, 100000u);
    EXPECT_EQ(res.cpu.idle, 1);
    EXPECT_EQ(res.cpu.burst_us, 0u);                                              // present: set
    EXPECT_EQ(res.io.weight_device, (std::vector<DeviceLimit>{{254, 0, 4950}}));  // blkio's 500
    EXPECT_EQ(res.io.read_bps, (std::vector<DeviceLimit>{{254, 0, 1048576}}));
    EXPECT_EQ(res.io.write_bps, (std::vector<DeviceLimit>{{254, 0, 2097152}}));
    EXPECT_EQ(res.io.read_iops, (std::vector<DeviceLimit>{{254, 0, 100}}));
    EXPECT_EQ(res.io.write_iops, (std::vector<DeviceLimit>{{254, 0, 200}}));
    EXPECT_EQ(res.hugepages, (std::vector<HugepageLimit>{{"2MB", 4194304}, {"1GB", -1}}));
    EXPECT_EQ(res.unified.at("memory.high"), "max");
    EXPECT_NO_THROW(validate(res));

    // runc's "not set" spellings stay unset.
    json unset = {{"memory", {{"reservation", 0}, {"swappiness", -1}, {"disableOOMKiller", false}}},
                  {"cpu", {{"realtimeRuntime", 0}, {"realtimePeriod", 0}}}};
    res = resources_from_config(unset, "resources.json", "");
    EXPECT_EQ(res, Resources{});

    // A device without its numbers, a swappiness out of range: errors naming the field.
    json bad = {{"blockIO", {{"throttleReadBpsDevice", {{{"major", 8}, {"rate", 1}}}}}}};
    try {
        resources_from_config(bad, "resources.json", "");
        ADD_FAILURE() << "accepted a device without its minor";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("blockIO.throttleReadBpsDevice[0].minor"),
                  std::string::npos)
            << e.what();
    }
    bad = {{"memory", {{"swappiness", 101}}}};
    try {
        resources_from_config(bad, "resources.json", "");
        ADD_FAILURE() << "accepted swappiness 101";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("memory.swappiness"), std::string::npos) << e.what();
    }
    // Weights are blkio's, 10..1000.
    for (auto [b, field] : {std::pair{json{{"weight", 5}}, "blockIO.weight"},
                            std::pair{json{{"weightDevice", with("weight", 1001)}},
                                      "blockIO.weightDevice[0].weight"}}) {
        try {
            resources_from_config({{"blockIO", b}}, "resources.json", "");
            ADD_FAILURE() << "accepted " << b.dump();
        } catch (const Error &e) {
            EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("10..1000"), std::string::npos) << e.what();
        }
    }
}

TEST(OciConfig, HooksKeepTheirOrderFieldsAndTimeouts) {
    json j = podman_config();
    j["hooks"] = {{"prestart", {{{"path", "/bin/a"}}}},
                  {"createRuntime",
                   {{{"path", "/bin/b"}, {"args", {"b", "x"}}, {"env", {"K=v"}}, {"timeout", 3}}}},
                  {"createContainer", {{{"path", "/bin/c"}}}},
                  {"startContainer", {{{"path", "/bin/d"}}}},
                  {"poststart", {{{"path", "/bin/e"}}}},
                  {"poststop", {{{"path", "/bin/f"}}, {{"path", "/bin/g"}}}}};
    Spec s = decode(j);
    EXPECT_EQ(s.hooks.prestart[0].path, "/bin/a");
    EXPECT_EQ(s.hooks.create_runtime[0], (Hook{"/bin/b", {"b", "x"}, {"K=v"}, 3}));
    EXPECT_EQ(s.hooks.create_container[0].path, "/bin/c");
    EXPECT_EQ(s.hooks.start_container[0].path, "/bin/d");
    EXPECT_EQ(s.hooks.poststart[0].path, "/bin/e");
    ASSERT_EQ(s.hooks.poststop.size(), 2u);
    EXPECT_EQ(s.hooks.poststop[1].path, "/bin/g");
    EXPECT_NO_THROW(validate(s));

    j["hooks"]["poststop"][0]["timeout"] = 0;
    auto [code, msg] = error_of(j);
    EXPECT_NE(msg.find("hooks.poststop[0].timeout: must be 1..86400 seconds"), std::string::npos)
        << msg;
    j["hooks"]["poststop"][0] = {{"args", {"x"}}};
    std::tie(code, msg) = error_of(j);
    EXPECT_NE(msg.find("hooks.poststop[0].path: is required"), std::string::npos) << msg;
}

TEST(OciConfig, MountsKeepOciSemantics) {
    json j = podman_config();
    j["mounts"] = {
        {{"destination", "/a"}, {"type", "none"}, {"source", "/x"}, {"options", {"rbind", "rro"}}},
        {{"destination", "/b"}, {"source", "/y"}, {"options", {"bind", "x-mount.mkdir"}}},
        {{"destination", "/c"}, {"type", "bind"}, {"source", "/z"}},
        {{"destination", "/dev/shm"},
         {"type", "tmpfs"},
         {"source", "shm"},
         {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
        {{"destination", "/run"},
         {"type", "tmpfs"},
         {"source", "tmpfs"},
         {"options", {"nosuid", "size=1m"}}},
        // Idmapped: the mount's own maps, and the container's ("ridmap": the whole tree).
        {{"destination", "/i"},
         {"type", "bind"},
         {"source", "/v"},
         {"options", {"idmap"}},
         // OCI's lines are the kernel's: the filesystem's id 1000 is host id 300000, which the
         // container's namespace shows as 0; host ids it does not map (400000) are dropped.
         {"uidMappings",
          {{{"containerID", 1000}, {"hostID", 300000}, {"size", 10}},
           {{"containerID", 0}, {"hostID", 400000}, {"size", 5}}}},
         {"gidMappings", {{{"containerID", 5}, {"hostID", 300100}, {"size", 10}}}}},
        {{"destination", "/r"},
         {"type", "bind"},
         {"source", "/w"},
         {"options", {"rbind", "ridmap"}}}};
    j["linux"]["namespaces"].push_back({{"type", "user"}});
    j["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 300000}, {"size", 65536}}};
    j["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 300000}, {"size", 65536}}};
    Spec s = decode(j);
    ASSERT_EQ(s.mounts.size(), 6u);  // /dev/shm as the backend makes it: not twice
    EXPECT_EQ(s.mounts[0], (MountSpec{"/x", "/a", "bind", {"rbind", "ro"}}));
    EXPECT_EQ(s.mounts[1], (MountSpec{"/y", "/b", "bind", {"bind"}}));  // x- hints dropped
    EXPECT_EQ(s.mounts[2], (MountSpec{"/z", "/c", "bind", {"bind"}}));  // OCI: not recursive
    EXPECT_EQ(s.mounts[3], (MountSpec{"tmpfs", "/run", "tmpfs", {"nosuid", "size=1m"}}));
    EXPECT_EQ(s.mounts[4],
              (MountSpec{"/v", "/i", "bind", {"idmap", "bind"}, {{0, 1000, 10}}, {{100, 5, 10}}}));
    EXPECT_TRUE(s.mounts[4].idmapped());
    EXPECT_FALSE(s.mounts[4].idmap_recursive());
    EXPECT_EQ(s.mounts[5], (MountSpec{"/w", "/r", "bind", {"rbind", "ridmap"}}));
    EXPECT_TRUE(s.mounts[5].idmap_recursive());
    EXPECT_NO_THROW(validate(s));
}

TEST(OciConfig, ASharedBindUnderASharedRootPropagatesBothWaysAsWithRunc) {
    // Kubernetes' Bidirectional volume as containerd writes it: "rshared" on the bind and on
    // the root. Without the shared root, or on a bind that is not shared, nothing goes back.
    json j = podman_config();
    j["mounts"] = {{{"destination", "/b"},
                    {"type", "bind"},
                    {"source", "/x"},
                    {"options", {"rbind", "rshared"}}},
                   {{"destination", "/p"},
                    {"type", "bind"},
                    {"source", "/y"},
                    {"options", {"rbind", "rslave"}}}};
    j["linux"]["rootfsPropagation"] = "rshared";
    Spec s = decode(j);
    ASSERT_EQ(s.mounts.size(), 2u);
    EXPECT_EQ(s.mounts[0].options, (std::vector<std::string>{"rbind", "rshared", "bidirectional"}));
    EXPECT_TRUE(s.mounts[0].bidirectional());
    EXPECT_FALSE(s.mounts[1].bidirectional());
    EXPECT_NO_THROW(validate(s));
    j["linux"]["rootfsPropagation"] = "rslave";
    EXPECT_FALSE(decode(j).mounts[0].bidirectional());
    j["linux"].erase("rootfsPropagation");
    EXPECT_FALSE(decode(j).mounts[0].bidirectional());
    // From a source on a private mount runc's has no way back: nor has ct-oci's.
    j["linux"]["rootfsPropagation"] = "rshared";
    BundleContext ctx = kCtx;
    std::vector<std::string> asked;
    ctx.on_shared_mount = [&](const std::string &p) {
        asked.push_back(p);
        return false;
    };
    EXPECT_FALSE(decode(j, ctx).mounts[0].bidirectional());
    EXPECT_EQ(asked, std::vector<std::string>{"/x"});
}

TEST(OciConfig, IdmappedMountsThatCannotBeAreRefusedNamingThem) {
    // idmap on a mount that is not a bind; maps of one kind only; idmap without maps of the
    // mount's own and without a user namespace.
    struct Case {
        json mount;
        bool userns;
        const char *want;
    };
    const Case cases[] = {
        {{{"destination", "/t"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"idmap"}}},
         true,
         "mounts[0].options: only a bind mount can be idmapped, not a tmpfs mount"},
        {{{"destination", "/t"},
          {"type", "bind"},
          {"source", "/x"},
          {"uidMappings", {{{"containerID", 0}, {"hostID", 100000}, {"size", 1}}}}},
         true,
         "mounts[0].gid_map: an idmapped mount needs both uid_map and gid_map"},
        // Host ids the container cannot see (its namespace maps 100000..165535).
        {{{"destination", "/t"},
          {"type", "bind"},
          {"source", "/x"},
          {"uidMappings", {{{"containerID", 0}, {"hostID", 1}, {"size", 1}}}}},
         true,
         "mounts[0].uidMappings: no host id of its lines is mapped by the container's user "
         "namespace"},
        {{{"destination", "/t"}, {"type", "bind"}, {"source", "/x"}, {"options", {"idmap"}}},
         false,
         "mounts[0].options: an idmapped mount without uid_map/gid_map of its own takes the "
         "container's user namespace mappings, and the container has no user namespace"},
        {{{"destination", "/t"},
          {"type", "bind"},
          {"source", "/x"},
          {"uidMappings", {{{"containerID", 4294967290u}, {"hostID", 100000}, {"size", 100}}}},
          {"gidMappings", {{{"containerID", 0}, {"hostID", 100000}, {"size", 1}}}}},
         true,
         "mounts[0].uid_map[0].size: 100 ids from host_id 4294967290 go past 4294967294"},
    };
    for (const auto &c : cases) {
        json j = podman_config();
        j["mounts"] = json::array({c.mount});
        if (c.userns) {
            j["linux"]["namespaces"].push_back({{"type", "user"}});
            j["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
            j["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
        }
        std::string msg;
        try {
            validate(decode(j));
        } catch (const Error &e) {
            msg = e.what();
            EXPECT_EQ(e.code(), Errc::invalid_spec) << msg;
        }
        EXPECT_NE(msg.find(c.want), std::string::npos) << c.mount.dump() << ": " << msg;
    }
}

TEST(OciConfig, DevicesAndIdMaps) {
    json j = podman_config();
    j["linux"]["devices"] = {{{"path", "/dev/fuse"},
                              {"type", "c"},
                              {"major", 10},
                              {"minor", 229},
                              {"fileMode", 438},
                              {"uid", 0},
                              {"gid", 0}},
                             {{"path", "/dev/x"}, {"type", "u"}, {"major", 1}, {"minor", 3}}};
    j["linux"]["namespaces"].push_back({{"type", "user"}});
    j["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    j["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    Spec s = decode(j);
    ASSERT_EQ(s.devices.size(), 2u);
    EXPECT_EQ(s.devices[0], (DeviceNode{"/dev/fuse", "c", 10, 229, 0666, 0, 0}));
    EXPECT_EQ(s.devices[1].type, "c");
    EXPECT_EQ(s.uid_map, (std::vector<IdMap>{{0, 100000, 65536}}));
    EXPECT_EQ(s.gid_map, s.uid_map);
    j["linux"]["devices"][1]["type"] = "p";
    auto [code, msg] = error_of(j);
    EXPECT_EQ(code, Errc::unsupported);
    EXPECT_NE(msg.find("linux.devices[1].type"), std::string::npos) << msg;
}

TEST(OciConfig, SystemdCgroupPathsBecomeCgroupfsPaths) {
    EXPECT_EQ(cgroup_path("/a/b", false, "c"), "/a/b");
    EXPECT_EQ(cgroup_path("machine.slice:libpod:abc", true, "c"),
              "/machine.slice/libpod-abc.scope");
    EXPECT_EQ(cgroup_path("system-foo.slice:cri:x", true, "c"),
              "/system.slice/system-foo.slice/cri-x.scope");
    EXPECT_EQ(cgroup_path(":p:n", true, "c"), "/p-n.scope");
    EXPECT_THROW(cgroup_path("a:b", true, "c"), Error);
    EXPECT_THROW(cgroup_path("nota-slice:p:n", true, "c"), Error);
}

// Buildah's process (so every RUN step of `podman build`): its whole set as ambient, with no
// inheritable set. runc raises none of them (the kernel cannot) and runs the step; so does
// ct-oci, warning about the ones it leaves out. Those both permitted and inheritable stay.
TEST(OciConfig, AmbientCapabilitiesTheKernelCannotRaiseAreLeftOutWithAWarning) {
    json caps = {{"bounding", {"CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"}},
                 {"effective", {"CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"}},
                 {"permitted", {"CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"}},
                 {"inheritable", {"CAP_KILL", "CAP_NET_RAW"}},
                 {"ambient", {"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"}}};
    json j = podman_config();
    j["process"]["capabilities"] = caps;
    std::vector<std::string> warnings;
    BundleContext ctx = kCtx;
    ctx.warn = [&](const std::string &m) { warnings.push_back(m); };
    Spec s = decode(j, ctx);
    EXPECT_NO_THROW(validate(s));
    ASSERT_TRUE(s.process.capabilities);
    EXPECT_EQ(s.process.capabilities->ambient, std::vector<std::string>{"CAP_KILL"});
    EXPECT_EQ(s.process.capabilities->inheritable,
              (std::vector<std::string>{"CAP_KILL", "CAP_NET_RAW"}));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0],
              "process.capabilities.ambient: not raised (not both permitted and inheritable): "
              "CAP_CHOWN, CAP_SYS_ADMIN");
    // An exec's process document the same way; nothing to warn about when all can be raised.
    caps["ambient"] = {"CAP_KILL"};
    warnings.clear();
    ProcessSpec p = process_from_config({{"args", {"true"}}, {"cwd", "/"}, {"capabilities", caps}},
                                        "exec.json", "", ctx.warn);
    EXPECT_EQ(p.capabilities->ambient, std::vector<std::string>{"CAP_KILL"});
    EXPECT_TRUE(warnings.empty());
}

TEST(OciConfig, AnExecProcessDocument) {
    json p = {
        {"args", {"/bin/sh", "-c", "id"}},
        {"cwd", "/tmp"},
        {"env", {"A=1"}},
        {"terminal", true},
        {"consoleSize", {{"height", 40}, {"width", 100}}},
        {"user", {{"uid", 1000}, {"gid", 1000}}},
        {"noNewPrivileges", true},
        {"capabilities",
         {{"bounding", {"CAP_KILL"}}, {"permitted", {"CAP_KILL"}}, {"effective", {"CAP_KILL"}}}}};
    ProcessSpec s = process_from_config(p, "exec.json", "");
    EXPECT_EQ(s.args[2], "id");
    EXPECT_EQ(s.cwd, "/tmp");
    EXPECT_TRUE(s.terminal);
    ASSERT_TRUE(s.console_size);
    EXPECT_EQ(*s.console_size, (ConsoleSize{40, 100}));
    EXPECT_EQ(s.user.uid, 1000u);
    EXPECT_TRUE(s.no_new_privileges);
    p["rlimits"] = {{{"type", "NOFILE"}, {"soft", 1}, {"hard", 1}}};
    try {
        process_from_config(p, "exec.json", "");
        ADD_FAILURE() << "accepted";
    } catch (const Error &e) {
        EXPECT_NE(
            std::string(e.what()).find("exec.json: rlimits[0].type: 'NOFILE' is not RLIMIT_<NAME>"),
            std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace ct::oci
