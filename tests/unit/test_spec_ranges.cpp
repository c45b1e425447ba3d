// Ids and the other numbers of a spec are range-checked (api/src/validate.cpp): uids and gids
// are 0..4294967294, since (uid_t)-1 means "leave unchanged" to setresuid() and chown() and a
// process given it would stay root; the limits the kernel would refuse only at start are
// refused before anything is made. Every refusal names the field.
#include <gtest/gtest.h>

#include <functional>

#include "ct/error.hpp"
#include "ct/specfile.hpp"

namespace ct {
namespace {

Spec minimal() {
    Spec s;
    s.name = "a";
    s.rootfs = "/r";
    s.process.args = {"/bin/true"};
    return s;
}

Spec with_userns() {
    Spec s = minimal();
    s.namespaces = default_namespaces();
    s.namespaces->push_back({Namespace::user, {}});
    s.uid_map = {{0, 100000, 65536}};
    s.gid_map = {{0, 100000, 65536}};
    return s;
}

// "accepted", or the validator's message.
std::string check(const std::function<void(Spec &)> &change, Spec s = minimal()) {
    change(s);
    try {
        validate(s);
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec) << e.what();
        return e.what();
    }
    return "accepted";
}

TEST(SpecRanges, UidsAndGidsStopBelowMinusOne) {
    const char *kWhy = " is not an id (0..4294967294)";
    EXPECT_EQ(check([](Spec &s) { s.process.user.uid = 4294967295; }),
              std::string("invalid spec: process.user.uid: 4294967295") + kWhy);
    EXPECT_EQ(check([](Spec &s) { s.process.user.gid = 4294967295; }),
              std::string("invalid spec: process.user.gid: 4294967295") + kWhy);
    EXPECT_EQ(check([](Spec &s) {
                  s.process.user.additional_gids = {10, 4294967295};
              }),
              std::string("invalid spec: process.user.additional_gids[1]: 4294967295") + kWhy);
    EXPECT_EQ(check([](Spec &s) {
                  s.devices = {{"/dev/x", "c", 1, 3, 0666, 4294967295, 0}};
              }),
              std::string("invalid spec: devices[0].uid: 4294967295") + kWhy);
    EXPECT_EQ(check([](Spec &s) {
                  s.devices = {{"/dev/x", "c", 1, 3, 0666, 0, 4294967295}};
              }),
              std::string("invalid spec: devices[0].gid: 4294967295") + kWhy);
    // The largest id is an id.
    EXPECT_EQ(check([](Spec &s) {
                  s.process.user.uid = s.process.user.gid = 4294967294;
                  s.process.user.additional_gids = {4294967294};
                  s.devices = {{"/dev/x", "c", 1, 3, 0666, 4294967294, 4294967294}};
              }),
              "accepted");
}

TEST(SpecRanges, IdMapsStayBelowMinusOne) {
    Spec base = with_userns();
    EXPECT_EQ(check([](Spec &) {}, base), "accepted");
    EXPECT_EQ(check(
                  [](Spec &s) {
                      s.uid_map = {{4294967295, 100000, 1}};
                  },
                  base),
              "invalid spec: uid_map[0].container_id: 4294967295 is not an id (0..4294967294)");
    EXPECT_EQ(check(
                  [](Spec &s) {
                      s.gid_map.push_back({65536, 4294967295, 1});
                  },
                  base),
              "invalid spec: gid_map[1].host_id: 4294967295 is not an id (0..4294967294)");
    // A range wrapping past the last id to (uid_t)-1 and 0.
    EXPECT_EQ(check(
                  [](Spec &s) {
                      s.uid_map = {{4294967290, 100000, 10}};
                  },
                  base),
              "invalid spec: uid_map[0].size: 10 ids from container_id 4294967290 go past "
              "4294967294");
    EXPECT_EQ(check(
                  [](Spec &s) {
                      s.gid_map = {{0, 1, 4294967295}};
                  },
                  base),
              "invalid spec: gid_map[0].size: 4294967295 ids from host_id 1 go past 4294967294");
    // Up to and including the last id is fine.
    EXPECT_EQ(check([](Spec &s) { s.uid_map = {{4294967290, 100000, 5}}; }, base), "accepted");
    EXPECT_EQ(check([](Spec &s) { s.uid_map = {{0, 0, 4294967295}}; }, base), "accepted");
    EXPECT_EQ(check(
                  [](Spec &s) {
                      s.uid_map.assign(341, {0, 100000, 1});
                  },
                  base),
              "invalid spec: uid_map: 341 lines: a map has at most 340");
}

TEST(SpecRanges, LimitsTheKernelWouldRefuseAtStart) {
    EXPECT_EQ(check([](Spec &s) { s.resources.pids = 4194305; }),
              "invalid spec: resources.pids: 4194305 is above the maximum 4194304");
    EXPECT_EQ(check([](Spec &s) { s.resources.pids = 4194304; }), "accepted");
    EXPECT_EQ(check([](Spec &s) { s.resources.cpu.quota_us = 17592186044416; }),
              "invalid spec: resources.cpu.quota_us: 17592186044416 is above the maximum "
              "17592186044415");
    EXPECT_EQ(check([](Spec &s) { s.resources.cpu.quota_us = 17592186044415; }), "accepted");
    for (const char *cpus : {"0-99999999999999999999", "8192", "3-1", "0,99999"})
        EXPECT_EQ(check([&](Spec &s) { s.resources.cpu.cpus = cpus; }),
                  std::string("invalid spec: resources.cpu.cpus: '") + cpus +
                      "' is not a CPU list like 0-1,3 (CPUs 0..8191, ranges ascending)");
    EXPECT_EQ(check([](Spec &s) { s.resources.cpu.cpus = "0-8191,00003"; }), "accepted");
    EXPECT_EQ(check([](Spec &s) { s.resources.cpu.mems = "1024"; }),
              "invalid spec: resources.cpu.mems: '1024' is not a node list like 0 (nodes "
              "0..1023, ranges ascending)");
    // update() takes the same rules.
    Resources r;
    r.pids = 99999999;
    EXPECT_THROW(validate(r), Error);
}

// The messages a spec file gets: the decoder refuses what does not fit the field's type, the
// validator what fits but is no id.
std::string yaml_error(const std::string &user) {
    std::string y = "name: a\nrootfs: /r\nprocess:\n  args: [/bin/true]\n  user: " + user + "\n";
    try {
        validate_spec_file(parse_spec_yaml(y, "t.yaml"), y, "t.yaml");
    } catch (const Error &e) {
        return e.what();
    }
    return "accepted";
}

TEST(SpecRanges, SpecFileIdsNameTheLineAndField) {
    EXPECT_EQ(yaml_error("{uid: 4294967295}"),
              "t.yaml:5: process.user.uid: 4294967295 is not an id (0..4294967294)");
    EXPECT_EQ(yaml_error("{uid: 1000, gid: 4294967295}"),
              "t.yaml:5: process.user.gid: 4294967295 is not an id (0..4294967294)");
    EXPECT_EQ(yaml_error("{uid: 4294967296}"),
              "t.yaml:5: process.user.uid: number 4294967296 is out of range");
    EXPECT_EQ(yaml_error("{uid: -1}"), "t.yaml:5: process.user.uid: number -1 is out of range");
    EXPECT_EQ(yaml_error("{uid: 99999999999999999999}"),
              "t.yaml:5: process.user.uid: number 99999999999999999999 is out of range");
    EXPECT_EQ(yaml_error("{uid: " + std::string(5000, '9') + "}"),
              "t.yaml:5: process.user.uid: number " + std::string(40, '9') + "... is out of range");
    EXPECT_EQ(yaml_error("{uid: 0x10}"),
              "t.yaml:5: process.user.uid: expected an integer, got a string \"0x10\"");
    EXPECT_EQ(yaml_error("{uid: 4294967294, gid: 4294967294}"), "accepted");
}

}  // namespace
}  // namespace ct
