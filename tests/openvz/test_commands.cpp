// The pure parts of the mapping: sizes, quoting, command lines, migration destinations, CTIDs,
// session URIs, and the spec's `openvz` fields (codec and validation).
#include <algorithm>

#include <gtest/gtest.h>

#include "commands.hpp"
#include "ct/error.hpp"
#include "ct/internal/document.hpp"
#include "ctid.hpp"
#include "netif.hpp"
#include "options.hpp"

using namespace ct::openvz;

namespace {
template <class F>
ct::Errc code_of(F &&fn) {
    try {
        fn();
    } catch (const ct::Error &e) {
        return e.code();
    }
    return static_cast<ct::Errc>(0);
}
}  // namespace

TEST(Commands, Sizes) {
    EXPECT_EQ(size_arg(int64_t{2} << 30), "2G");
    EXPECT_EQ(size_arg(int64_t{1536} << 20), "1536M");
    EXPECT_EQ(size_arg(12288), "12K");
    EXPECT_EQ(size_arg(5000), "5000");
    EXPECT_EQ(size_arg(0), "0");
}

TEST(Commands, ResourceOptions) {
    ct::Resources r;
    r.memory = -1;
    r.memory_swap = -1;
    EXPECT_EQ(resource_options(r),
              (Argv{"--physpages", "0:unlimited", "--swappages", "0:unlimited"}));
    r = {};
    r.memory = int64_t{1} << 30;
    r.memory_swap = int64_t{1} << 30;
    r.cpu.quota_us = 150001;  // whole percents, rounded up: 151
    r.cpu.mems = "0";
    EXPECT_EQ(resource_options(r),
              (Argv{"--ram", "1G", "--swap", "0", "--cpulimit", "151", "--nodemask", "0"}));
    r = {};
    r.memory_swap = int64_t{1} << 30;
    EXPECT_EQ(code_of([&] { resource_options(r); }), ct::Errc::unsupported);
    r = {};
    r.memory = -1;
    r.memory_swap = int64_t{1} << 30;
    EXPECT_EQ(code_of([&] { resource_options(r); }), ct::Errc::unsupported);
    r = {};
    r.cpu.period_us = 100000;
    EXPECT_EQ(code_of([&] { resource_options(r); }), ct::Errc::unsupported);
    r = {};
    r.cpu.quota_us = 25000;
    r.cpu.period_us = 50000;
    EXPECT_EQ(resource_options(r), (Argv{"--cpulimit", "50"}));
}

TEST(Commands, CommandLinesSurviveTheShell) {
    EXPECT_EQ(shell_quote("abc/d-e_f.g"), "abc/d-e_f.g");
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_quote("a b"), "'a b'");
    EXPECT_EQ(shell_quote("$(reboot)"), "'$(reboot)'");
    EXPECT_EQ(shell_quote("x'y"), "'x'\\''y'");
    ct::ProcessSpec p;
    p.args = {"sh", "-c", "echo $HOME; exit 3"};
    EXPECT_EQ(command_line(p), "exec sh -c 'echo $HOME; exit 3'");
    p.cwd = "/tmp/a b";
    p.env = {"HOME=/root"};
    EXPECT_EQ(command_line(p),
              "cd '/tmp/a b' && exec env -i HOME=/root sh -c 'echo $HOME; exit 3'");
}

TEST(Commands, MigrationDestinations) {
    for (auto g : {Generation::legacy, Generation::vz7}) {
        auto t = migrate_target("openvz+ssh://node2/", g);
        EXPECT_EQ(t.destination, "node2");
        EXPECT_EQ(t.ssh_options, "");
        t = migrate_target("openvz+ssh://n/?host_key=strict", g);
        EXPECT_EQ(t.ssh_options, "-o StrictHostKeyChecking=yes");
        for (const char *bad :
             {"openvz:///", "openvz://localhost/", "openvz://node2/", "openvz+ssh:///",
              "openvz+ssh://n:22x/", "openvz+ssh://n/?identity=/a%20b",
              "openvz+ssh://n/?identity=a b", "openvz+ssh://n/?colour=blue", "node2"})
            EXPECT_EQ(code_of([&] { migrate_target(bad, g); }), ct::Errc::invalid_argument) << bad;
        EXPECT_EQ(code_of([&] { migrate_target("linux+ssh://node2/", g); }), ct::Errc::unsupported);
    }
    // vzmigrate 4.x is a script that runs `ssh root@$host`: it is given the bare host, never
    // root@user@host, and a user other than root cannot be honoured.
    auto t = migrate_target(
        "openvz+ssh://root@[2001:db8::5]:2200/?known_hosts=/k&keepalive=15&agent=/opt/ct-agent",
        Generation::legacy);
    EXPECT_EQ(t.destination, "2001:db8::5");
    EXPECT_EQ(t.ssh_options, "-p 2200 -o UserKnownHostsFile=/k -o ServerAliveInterval=15");
    try {
        migrate_target("openvz+ssh://admin@node2/", Generation::legacy);
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("always logs in as root"), std::string::npos)
            << e.what();
    }
    // OpenVZ 7's vzmigrate takes [user@]host.
    t = migrate_target("openvz+ssh://admin@[2001:db8::5]:2200/", Generation::vz7);
    EXPECT_EQ(t.destination, "admin@2001:db8::5");
    EXPECT_EQ(migrate_target("openvz+ssh://root@n/", Generation::vz7).destination, "root@n");
}

TEST(Commands, LayoutPerGeneration) {
    ct::Spec s;
    s.name = "101";
    s.openvz = ct::OpenVzSpec{};
    s.openvz->ostemplate = "centos-7-x86_64";
    auto with = [&](const std::string &layout, Generation g) {
        s.openvz->layout = layout;
        return create_options(s, g);
    };
    EXPECT_EQ(with("simfs", Generation::legacy),
              (Argv{"--ostemplate", "centos-7-x86_64", "--layout", "simfs"}));
    EXPECT_EQ(with("ploop:expanded", Generation::legacy),
              (Argv{"--ostemplate", "centos-7-x86_64", "--layout", "ploop:expanded"}));
    // vzctl 7.x takes --layout/--ve_layout "ploop" (or 5) only; the image kind is a flag.
    EXPECT_EQ(with("ploop", Generation::vz7),
              (Argv{"--ostemplate", "centos-7-x86_64", "--ve_layout", "ploop"}));
    EXPECT_EQ(with("ploop:expanded", Generation::vz7),
              (Argv{"--ostemplate", "centos-7-x86_64", "--ve_layout", "ploop", "--expanded"}));
    EXPECT_EQ(with("ploop:plain", Generation::vz7),
              (Argv{"--ostemplate", "centos-7-x86_64", "--ve_layout", "ploop", "--preallocated"}));
    EXPECT_EQ(with("ploop:raw", Generation::vz7),
              (Argv{"--ostemplate", "centos-7-x86_64", "--ve_layout", "ploop", "--raw"}));
    try {
        with("simfs", Generation::vz7);
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported);
        EXPECT_EQ(std::string(e.what()).rfind("openvz.layout 'simfs' is not supported", 0), 0u)
            << e.what();
    }
}

TEST(Commands, InterfacesPerGeneration) {
    ct::Spec s;
    s.name = "101";
    s.network.push_back(
        {"veth", "eth0", "veth101.0", "", "br0", "02:00:00:00:01:01", 0, 0, "", {}, ""});
    s.network.push_back({"veth", "eth1", "", "", "", "", 0, 0, "", {}, ""});
    s.network.push_back({"hostnic", "", "eth3", "", "", "", 0, 0, "", {}, ""});
    // vzctl 4.x: ifname,mac,host_ifname,host_mac,bridge, empty fields left to vzctl.
    auto legacy = set_options(s, false, Generation::legacy);
    EXPECT_EQ(legacy.main, (Argv{"--netif_add", "eth0,02:00:00:00:01:01,veth101.0,,br0",
                                 "--netif_add", "eth1", "--netdev_add", "eth3"}));
    EXPECT_TRUE(legacy.more.empty());
    // vzctl 7.x: no bridge field at all.
    try {
        set_options(s, false, Generation::vz7);
        ADD_FAILURE();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::unsupported);
        EXPECT_EQ(std::string(e.what()).rfind("network[0].bridge is not supported", 0), 0u)
            << e.what();
    }
    // Without it: the value of --netif_add is the name alone (libvzctl reads it as --ifname),
    // the rest per interface in a `vzctl set` of its own.
    s.network[0].bridge.clear();
    auto vz7 = set_options(s, false, Generation::vz7);
    EXPECT_EQ(vz7.main, (Argv{"--netdev_add", "eth3"}));
    EXPECT_EQ(vz7.more, (std::vector<Argv>{{"--netif_add", "eth0", "--ifname", "eth0", "--mac",
                                            "02:00:00:00:01:01", "--host_ifname", "veth101.0"},
                                           {"--netif_add", "eth1"}}));
}

TEST(Ctid, AcceptsNumericAndUuidOnly) {
    // IDs up to 100 are documented as reserved, but vzctl does not enforce it and real hosts
    // have containers 1 and 100.
    for (const char *ok :
         {"1", "2", "100", "101", "2147483644", "7001", "0b1c6a2e-4f55-4d3c-9a0e-1e2f3a4b5c6d"})
        EXPECT_NO_THROW(check_ctid(ok)) << ok;
    for (const char *bad :
         {"", "0", "0101", "2147483645", "99999999999", "web1", "-101", "101 ",
          "0B1C6A2E-4F55-4D3C-9A0E-1E2F3A4B5C6D", "0b1c6a2e4f554d3c9a0e1e2f3a4b5c6d", "../101"})
        EXPECT_EQ(code_of([&] { check_ctid(bad); }), ct::Errc::invalid_argument) << bad;
}

TEST(Uri, OptionsAndRefusals) {
    auto o = parse_uri("openvz:///");
    EXPECT_EQ(o.root, "/");
    EXPECT_EQ(o.bin, "");
    EXPECT_EQ(o.host_path("/proc/vz"), "/proc/vz");
    o = parse_uri("openvz://localhost/?root=/tmp/h%201/&bin=/opt/vz/bin");
    EXPECT_EQ(o.root, "/tmp/h 1");
    EXPECT_EQ(o.bin, "/opt/vz/bin");
    EXPECT_EQ(o.host_path("/etc/vz/vz.conf"), "/tmp/h 1/etc/vz/vz.conf");
    for (const char *bad : {"openvz://node2/", "linux:///", "openvz:///?root=rel",
                            "openvz:///?root=/a/../b", "openvz:///?colour=1", "openvz"})
        EXPECT_EQ(code_of([&] { parse_uri(bad); }), ct::Errc::invalid_argument) << bad;
}

TEST(SpecFields, OpenVzRoundTripsThroughTheDocument) {
    auto s = ct::doc::decode_spec(R"({
        "name": "7001",
        "openvz": {"ostemplate": "centos-7-x86_64", "layout": "ploop:expanded", "ip": ["10.0.0.2"],
                   "nameservers": ["1.1.1.1"], "diskspace": "10G", "diskinodes": 100000,
                   "cpus": 2, "ioprio": 7, "onboot": false,
                   "beancounters": {"numtcpsock": 360, "kmemsize": "14M:16M"}}})");
    ASSERT_TRUE(s.openvz);
    EXPECT_EQ(s.openvz->diskspace, int64_t{10} << 30);
    EXPECT_EQ(s.openvz->beancounters.at("numtcpsock"), "360");
    EXPECT_EQ(s.openvz->onboot, false);
    EXPECT_NO_THROW(ct::validate(s));  // no rootfs needed with a template
    EXPECT_EQ(ct::doc::decode_spec(ct::doc::encode_spec(s)), s);
    EXPECT_FALSE(ct::doc::decode_spec(R"({"name": "x"})").openvz);
    EXPECT_TRUE(ct::doc::decode_spec(R"({"name": "x", "openvz": {}})").openvz);
    EXPECT_EQ(code_of([] { ct::doc::decode_spec(R"({"openvz": {"template": "x"}})"); }),
              ct::Errc::invalid_spec);
}

TEST(SpecFields, OpenVzValidation) {
    auto bad = [](const std::string &openvz, const std::string &field) {
        auto s = ct::doc::decode_spec(R"({"name": "7001", "rootfs": "/r", "resources": {"pids": 5},
                                          "openvz": )" +
                                      openvz + "}");
        try {
            ct::validate(s);
            ADD_FAILURE() << openvz;
        } catch (const ct::Error &e) {
            EXPECT_EQ(e.code(), ct::Errc::invalid_spec);
            EXPECT_NE(std::string(e.what()).find(field + ": "), std::string::npos) << e.what();
        }
    };
    bad(R"({"ostemplate": "../etc"})", "openvz.ostemplate");
    bad(R"({"config": "a b"})", "openvz.config");
    bad(R"({"layout": "zfs"})", "openvz.layout");
    bad(R"({"ip": ["10.0.0.300"]})", "openvz.ip[0]");
    bad(R"({"nameservers": ["dns.example"]})", "openvz.nameservers[0]");
    bad(R"({"searchdomains": ["a b"]})", "openvz.searchdomains[0]");
    bad(R"({"diskspace": 10})", "openvz.diskspace");
    bad(R"({"ioprio": 8})", "openvz.ioprio");
    bad(R"({"cpus": 0})", "openvz.cpus");
    bad(R"({"beancounters": {"memory": "1"}})", "openvz.beancounters.memory");
    bad(R"({"beancounters": {"numfile": "10K"}})", "openvz.beancounters.numfile");
    bad(R"({"beancounters": {"kmemsize": "2M:1M"}})", "openvz.beancounters.kmemsize");
    bad(R"({"beancounters": {"numproc": "100"}})", "openvz.beancounters.numproc");  // vs pids
    EXPECT_EQ(code_of([] { ct::validate(ct::doc::decode_spec(R"({"name": "7001"})")); }),
              ct::Errc::invalid_spec);  // rootfs is required without a template
}

TEST(SpecFields, UnlimitedAsHostsWriteIt) {
    // LONG_MAX is how older vzctl writes "unlimited" into confs (0.conf of vzctl 4.x has
    // OOMGUARPAGES="9223372036854775807:9223372036854775807"), and 2147483647 the 32-bit one:
    // a spec copied from such a conf is valid.
    auto s = ct::doc::decode_spec(R"({"name": "7001", "openvz": {"ostemplate": "centos-7",
        "beancounters": {"oomguarpages": "9223372036854775807:9223372036854775807",
                         "kmemsize": "9223372036854775807", "privvmpages": "0:2147483647",
                         "numfile": "99999999999999999999"}}})");
    EXPECT_NO_THROW(ct::validate(s));
    // ... and vzctl gets "unlimited" for them, which every vzctl reads (strtoul would refuse
    // a number past ULONG_MAX); 2147483647 is a number vzctl takes as it is.
    for (auto gen : {Generation::legacy, Generation::vz7}) {
        auto a = set_options(s, false, gen).main;
        auto value = [&](const std::string &opt) {
            auto it = std::find(a.begin(), a.end(), opt);
            return it == a.end() || it + 1 == a.end() ? std::string("(none)") : *(it + 1);
        };
        EXPECT_EQ(value("--oomguarpages"), "unlimited:unlimited");
        EXPECT_EQ(value("--kmemsize"), "unlimited");
        EXPECT_EQ(value("--privvmpages"), "0:2147483647");
        EXPECT_EQ(value("--numfile"), "unlimited");
    }
}
