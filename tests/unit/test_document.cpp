// The JSON document codec (api/src/document.cpp): every field survives encode -> decode, the
// encoder leaves defaults out (so old readers keep working), and the decoder is strict.
#include <gtest/gtest.h>

#include "ct/internal/document.hpp"
#include "ct/json.hpp"
#include "full_spec.hpp"

namespace ct {
namespace {

using nlohmann::json;
using test::full_spec;

TEST(Document, EveryFieldOfASpecRoundTrips) {
    Spec s = full_spec();
    validate(s);  // the fixture is a valid spec, so it is a fair sample of real input
    EXPECT_EQ(doc::spec_from_json(doc::spec_to_json(s)), s);
    EXPECT_EQ(doc::decode_spec(doc::encode_spec(s)), s);
    EXPECT_EQ(spec_from_json(to_json(s)), s);  // the public JSON form is the same document
}

// Each field alone: a field the encoder forgets would otherwise hide behind another that is set.
TEST(Document, EachFieldAloneRoundTrips) {
    const Spec full = full_spec();
    std::vector<std::pair<const char *, std::function<void(Spec &)>>> fields = {
        {"name", [&](Spec &s) { s.name = full.name; }},
        {"rootfs", [&](Spec &s) { s.rootfs = full.rootfs; }},
        {"readonly_rootfs", [&](Spec &s) { s.readonly_rootfs = true; }},
        {"inherit_keyring", [&](Spec &s) { s.inherit_keyring = true; }},
        {"private", [&](Spec &s) { s.private_area = full.private_area; }},
        {"private dir",
         [&](Spec &s) {
             s.private_area = {"dir", "/srv/x", {}, {}};
         }},
        {"hostname", [&](Spec &s) { s.hostname = full.hostname; }},
        {"namespaces", [&](Spec &s) { s.namespaces = full.namespaces; }},
        {"namespaces empty", [&](Spec &s) { s.namespaces = std::vector<NamespaceSpec>{}; }},
        {"uid_map", [&](Spec &s) { s.uid_map = full.uid_map; }},
        {"gid_map", [&](Spec &s) { s.gid_map = full.gid_map; }},
        {"process.args", [&](Spec &s) { s.process.args = full.process.args; }},
        {"process.env", [&](Spec &s) { s.process.env = full.process.env; }},
        {"process.cwd", [&](Spec &s) { s.process.cwd = full.process.cwd; }},
        {"process.user", [&](Spec &s) { s.process.user = full.process.user; }},
        {"process.user.uid", [&](Spec &s) { s.process.user.uid = 5; }},
        {"process.user.additional_gids",
         [&](Spec &s) {
             s.process.user.additional_gids = {1, 2};
         }},
        {"process.terminal", [&](Spec &s) { s.process.terminal = true; }},
        {"process.no_new_privileges", [&](Spec &s) { s.process.no_new_privileges = true; }},
        {"process.new_session", [&](Spec &s) { s.process.new_session = false; }},
        {"process.parent_death_signal", [&](Spec &s) { s.process.parent_death_signal = 15; }},
        {"cgroups", [&](Spec &s) { s.cgroups = full.cgroups; }},
        {"process.rlimits", [&](Spec &s) { s.process.rlimits = full.process.rlimits; }},
        {"process.capabilities",
         [&](Spec &s) { s.process.capabilities = full.process.capabilities; }},
        {"process.capabilities empty", [&](Spec &s) { s.process.capabilities = Capabilities{}; }},
        {"process.capabilities by set",
         [&](Spec &s) {
             Capabilities c;
             c.bounding = {"CAP_KILL", "CAP_CHOWN"};
             c.effective = {"CAP_KILL"};
             c.permitted = {"CAP_KILL"};
             c.inheritable = {"CAP_CHOWN"};
             c.ambient = {};
             s.process.capabilities = c;
         }},
        {"process.user.name", [&](Spec &s) { s.process.user.name = "www-data"; }},
        {"process.user.group", [&](Spec &s) { s.process.user.group = "adm"; }},
        {"resources.devices", [&](Spec &s) { s.resources.devices = full.resources.devices; }},
        {"devices", [&](Spec &s) { s.devices = full.devices; }},
        {"network.routes",
         [&](Spec &s) {
             s.network = {NetInterfaceSpec{}};
             s.network[0].type = "veth";
             s.network[0].routes = full.network[0].routes;
         }},
        {"resources.memory", [&](Spec &s) { s.resources.memory = full.resources.memory; }},
        {"resources.memory unlimited", [&](Spec &s) { s.resources.memory = -1; }},
        {"resources.memory_swap", [&](Spec &s) { s.resources.memory_swap = 1 << 30; }},
        {"resources.pids", [&](Spec &s) { s.resources.pids = 7; }},
        {"resources.cpu.shares", [&](Spec &s) { s.resources.cpu.shares = 2; }},
        {"resources.cpu.quota_us", [&](Spec &s) { s.resources.cpu.quota_us = -1; }},
        {"resources.cpu.period_us", [&](Spec &s) { s.resources.cpu.period_us = 1000; }},
        {"resources.cpu.cpus", [&](Spec &s) { s.resources.cpu.cpus = "0,2"; }},
        {"resources.cpu.mems", [&](Spec &s) { s.resources.cpu.mems = "0"; }},
        {"resources.io_weight", [&](Spec &s) { s.resources.io_weight = 10000; }},
        {"resources.memory_reservation",
         [&](Spec &s) { s.resources.memory_reservation = 1 << 20; }},
        {"resources.memory_reservation none",
         [&](Spec &s) { s.resources.memory_reservation = -1; }},
        {"resources.memory_swappiness", [&](Spec &s) { s.resources.memory_swappiness = 0; }},
        {"resources.oom_kill_disable", [&](Spec &s) { s.resources.oom_kill_disable = false; }},
        {"resources.cpu.rt_runtime_us", [&](Spec &s) { s.resources.cpu.rt_runtime_us = 5000; }},
        {"resources.cpu.rt_period_us", [&](Spec &s) { s.resources.cpu.rt_period_us = 10000; }},
        {"resources.cpu.idle", [&](Spec &s) { s.resources.cpu.idle = 0; }},
        {"resources.cpu.burst_us", [&](Spec &s) { s.resources.cpu.burst_us = 1000; }},
        {"resources.io.weight_device",
         [&](Spec &s) {
             s.resources.io.weight_device = {{8, 0, 5}};
         }},
        {"resources.io.read_bps",
         [&](Spec &s) {
             s.resources.io.read_bps = {{8, 0, 1}};
         }},
        {"resources.io.write_bps",
         [&](Spec &s) {
             s.resources.io.write_bps = {{8, 1, 0}};
         }},
        {"resources.io.read_iops",
         [&](Spec &s) {
             s.resources.io.read_iops = {{8, 2, 3}};
         }},
        {"resources.io.write_iops",
         [&](Spec &s) {
             s.resources.io.write_iops = {{8, 3, 4}};
         }},
        {"resources.hugepages", [&](Spec &s) { s.resources.hugepages = full.resources.hugepages; }},
        {"resources.hugepages unlimited",
         [&](Spec &s) {
             s.resources.hugepages = {{"1GB", -1}};
         }},
        {"resources.unified", [&](Spec &s) { s.resources.unified = full.resources.unified; }},
        {"mounts", [&](Spec &s) { s.mounts = full.mounts; }},
        {"network", [&](Spec &s) { s.network = full.network; }},
        {"sysctl", [&](Spec &s) { s.sysctl = full.sysctl; }},
        {"annotations", [&](Spec &s) { s.annotations = full.annotations; }},
    };
    for (const auto &[what, set] : fields) {
        Spec s;
        set(s);
        ASSERT_NE(s, Spec{}) << what << ": the setter changed nothing";
        json j = doc::spec_to_json(s);
        EXPECT_EQ(doc::spec_from_json(j), s) << what << " lost in " << j.dump();
    }
}

TEST(Document, DefaultsAreLeftOutSoOldReadersKeepWorking) {
    EXPECT_EQ(doc::spec_to_json(Spec{}), json({{"version", doc::kVersion}}));
    EXPECT_EQ(doc::spec_from_json(json::object()), Spec{});
    EXPECT_EQ(doc::process_to_json(ProcessSpec{}), json::object());
    EXPECT_EQ(doc::resources_to_json(Resources{}), json::object());
    // A spec without namespaces means "the default set", which differs from an empty list.
    EXPECT_FALSE(doc::spec_from_json(json::object()).namespaces.has_value());
    Spec none;
    none.namespaces = std::vector<NamespaceSpec>{};
    EXPECT_EQ(doc::spec_to_json(none)["namespaces"], json::array());
}

TEST(Document, ProcessAndResourcesDocumentsRoundTrip) {
    Spec s = full_spec();
    EXPECT_EQ(doc::decode_process(doc::encode_process(s.process)), s.process);
    EXPECT_EQ(doc::process_from_json(doc::process_to_json(s.process)), s.process);
    EXPECT_EQ(doc::resources_from_json(doc::resources_to_json(s.resources)), s.resources);
    Resources some;  // update() sends only the fields that change
    some.pids = 5;
    EXPECT_EQ(doc::resources_to_json(some), json({{"pids", 5}}));
}

TEST(Document, DecoderRejectsUnknownFieldsWithTheirPath) {
    auto path_of = [](const json &j) -> std::string {
        try {
            doc::spec_from_json(j);
        } catch (const doc::FieldError &e) {
            EXPECT_EQ(e.code(), Errc::invalid_spec);
            return e.path() + " | " + e.reason();
        }
        return "accepted";
    };
    EXPECT_EQ(path_of({{"nmae", "x"}}), "nmae | unknown field");
    EXPECT_EQ(path_of({{"process", {{"argv", {"x"}}}}}), "process.argv | unknown field");
    EXPECT_EQ(path_of({{"resources", {{"cpu", {{"share", 2}}}}}}),
              "resources.cpu.share | unknown field");
    EXPECT_EQ(path_of({{"mounts", {{{"target", "/a"}}, {{"target", "/b"}, {"opts", {"ro"}}}}}}),
              "mounts[1].opts | unknown field");
    EXPECT_EQ(path_of({{"version", 2}}),
              "version | spec version 2 is newer than this libct understands (1)");
    EXPECT_EQ(path_of({{"resources", {{"pids", "many"}}}}),
              "resources.pids | expected an integer, got a string \"many\"");
    EXPECT_EQ(path_of({{"process", {{"user", {{"uid", -1}}}}}}),
              "process.user.uid | number -1 is out of range");
    EXPECT_EQ(path_of({{"network", {{{"type", "veth"}, {"mtu", 1ll << 40}}}}}),
              "network[0].mtu | number 1099511627776 is out of range");
    EXPECT_EQ(path_of({{"readonly_rootfs", "yes"}}),
              "readonly_rootfs | expected true or false, got a string");
    EXPECT_EQ(path_of({{"process", {{"args", "sh"}}}}),
              "process.args | expected a list of strings, got a string");
    EXPECT_EQ(path_of({{"process", {{"args", {"sh", json::object()}}}}}),
              "process.args[1] | expected a string, got a mapping");
    EXPECT_EQ(path_of({{"namespaces", {"pid", "cgroupz"}}}),
              "namespaces[1] | unknown namespace 'cgroupz' (known: mount, uts, ipc, pid, net, "
              "user, cgroup, time)");
    EXPECT_EQ(path_of({{"namespaces", {{{"path", "/proc/1/ns/net"}}}}}),
              "namespaces[0].type | is required");
    EXPECT_EQ(path_of({{"sysctl", {{"a", json::array()}}}}),
              "sysctl.a | expected a string, got a list");
    EXPECT_EQ(path_of({{"annotations", "x"}}), "annotations | expected a mapping, got a string");
    EXPECT_EQ(path_of(json::array()), " | expected a mapping, got a list");
    EXPECT_EQ(path_of({{"resources", {{"memory", "64Q"}}}}),
              "resources.memory | '64Q' is not a size (examples: 512k, 64M, 1G)");
}

TEST(Document, SizesAreBytesOrText) {
    auto mem = [](const json &v) {
        return doc::resources_from_json({{"memory", v}}).memory.value();
    };
    EXPECT_EQ(mem(4096), 4096);
    EXPECT_EQ(mem("64M"), 64ll << 20);
    EXPECT_EQ(mem(-1), -1);
    EXPECT_EQ(mem("max"), -1);
}

TEST(Document, SyntaxErrorsAreInvalidSpec) {
    try {
        doc::decode_spec("{\"name\": ");
        FAIL() << "accepted broken JSON";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("spec document is not valid JSON"), std::string::npos)
            << e.what();
    }
}

TEST(Document, InfoStatsAndProcessesRoundTrip) {
    ContainerInfo i;
    i.name = "web1";
    i.backend = "linux";
    i.state = State::stopped;
    i.pid = 0;
    i.created = 1700000000;
    i.exit_status = ExitStatus{true, 9};
    i.spec = full_spec();
    i.details = {{"state_dir", "/run/ct/linux/web1"}};
    ContainerInfo back = doc::info_from_json(doc::info_to_json(i));
    EXPECT_EQ(back.name, i.name);
    EXPECT_EQ(back.backend, i.backend);
    EXPECT_EQ(back.state, i.state);
    EXPECT_EQ(back.created, i.created);
    EXPECT_EQ(back.exit_status, i.exit_status);
    EXPECT_EQ(back.spec, i.spec);
    EXPECT_EQ(back.details, i.details);
    for (State st :
         {State::created, State::running, State::paused, State::stopped, State::incomplete}) {
        i.state = st;
        EXPECT_EQ(doc::info_from_json(doc::info_to_json(i)).state, st) << state_name(st);
    }
    // Info comes from backends, possibly newer ones: unknown fields are facts, not errors.
    json j = doc::info_to_json(i);
    j["new_fact"] = 1;
    EXPECT_NO_THROW(doc::info_from_json(j));
    EXPECT_THROW(doc::info_from_json(json{{"state", "running"}}), Error);  // no name

    Stats s;
    s.cpu = {1, 2, 3};
    s.memory = {4, 5, 6, 7, 8};
    s.pids = {9, 10};
    s.io = {11, 12};
    s.network["eth0"] = {13, 14, 15, 16};
    Stats sb = doc::stats_from_json(doc::stats_to_json(s));
    EXPECT_EQ(sb.cpu.usage_ns, 1u);
    EXPECT_EQ(sb.cpu.system_ns, 3u);
    EXPECT_EQ(sb.memory.oom_kills, 7u);
    EXPECT_EQ(sb.memory.limit, 8);
    EXPECT_EQ(sb.pids.limit, 10);
    EXPECT_EQ(sb.io.write_bytes, 12u);
    EXPECT_EQ(sb.network.at("eth0").tx_packets, 16u);

    std::vector<ProcessInfo> ps = {{100, 1, "/bin/sh"}, {101, 7, "sleep 10"}};
    auto pb = doc::processes_from_json(doc::processes_to_json(ps));
    ASSERT_EQ(pb.size(), 2u);
    EXPECT_EQ(pb[1].pid, 101);
    EXPECT_EQ(pb[1].ns_pid, 7);
    EXPECT_EQ(pb[1].command, "sleep 10");
}

TEST(Document, ExitStatusFromWaitStatus) {
    EXPECT_EQ(ExitStatus::from_wait_status(3 << 8), (ExitStatus{false, 3}));
    EXPECT_EQ(ExitStatus::from_wait_status(9), (ExitStatus{true, 9}));
    EXPECT_EQ((ExitStatus{true, 15}).shell_code(), 143);
    EXPECT_EQ((ExitStatus{false, 7}).shell_code(), 7);
}

}  // namespace
}  // namespace ct
