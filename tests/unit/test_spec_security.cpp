// Spec fields of the filesystem and security areas: YAML forms, the JSON round trip and the
// validation errors (no kernel needed).
#include <gtest/gtest.h>

#include "ct/ct.hpp"
#include "ct/json.hpp"
#include "ct/specfile.hpp"

namespace ct {
namespace {

const char kYaml[] = R"(
name: sec
rootfs: /srv/sec
private: {type: overlay, path: /srv/up, lower: [/srv/base], work: /srv/work}
process:
  args: [/bin/sh]
  user: {name: app, group: staff}
  capabilities:
    bounding: [CAP_NET_RAW, chown]
    permitted: [CAP_NET_RAW]
    effective: [CAP_NET_RAW]
    inheritable: [CAP_NET_RAW]
    ambient: [CAP_NET_RAW]
devices:
  - {path: /dev/fuse, type: c, major: 10, minor: 229, mode: 0660, uid: 0, gid: 5}
  - {path: /dev/loop9, type: b, major: 7, minor: 9, mode: "600"}
resources:
  devices:
    - {allow: false, type: c, major: 10, minor: 229, access: w}
    - {type: b, major: 7, access: r}
)";

TEST(SpecSecurity, YamlFormsAndJsonRoundTrip) {
    Spec s = parse_spec_yaml(kYaml);
    EXPECT_EQ(s.private_area.type, "overlay");
    EXPECT_EQ(s.process.user.name, "app");
    EXPECT_EQ(s.process.user.group, "staff");
    ASSERT_TRUE(s.process.capabilities);
    EXPECT_EQ(s.process.capabilities->bounding, (std::vector<std::string>{"CAP_NET_RAW", "chown"}));
    EXPECT_EQ(s.process.capabilities->ambient, (std::vector<std::string>{"CAP_NET_RAW"}));
    ASSERT_EQ(s.devices.size(), 2u);
    EXPECT_EQ(s.devices[0].mode, 0660u);  // an unquoted 0660 is octal, not 660
    EXPECT_EQ(s.devices[0].gid, 5u);
    EXPECT_EQ(s.devices[1].type, "b");
    EXPECT_EQ(s.devices[1].mode, 0600u);
    ASSERT_EQ(s.resources.devices.size(), 2u);
    EXPECT_FALSE(s.resources.devices[0].allow);
    EXPECT_EQ(s.resources.devices[0].access, "w");
    EXPECT_TRUE(s.resources.devices[1].allow);
    EXPECT_FALSE(s.resources.devices[1].minor);
    EXPECT_NO_THROW(validate(s));
    EXPECT_EQ(spec_from_json(to_json(s)), s);
}

TEST(SpecSecurity, ACapabilityListMeansEverySet) {
    Spec s = parse_spec_yaml("name: a\nrootfs: /r\nprocess: {args: [x], capabilities: [kill]}\n");
    ASSERT_TRUE(s.process.capabilities);
    EXPECT_EQ(*s.process.capabilities, Capabilities::all_sets({"kill"}));
    EXPECT_NE(to_json(s).find("\"capabilities\":[\"kill\"]"), std::string::npos) << to_json(s);
    EXPECT_EQ(spec_from_json(to_json(s)), s);
    // A mapping with a set left out: that set is empty.
    Spec m = parse_spec_yaml(
        "name: a\nrootfs: /r\nprocess: {args: [x], capabilities: {bounding: [kill]}}\n");
    EXPECT_TRUE(m.process.capabilities->effective.empty());
}

void expect_invalid(const std::string &yaml, const std::string &field) {
    try {
        validate(parse_spec_yaml(yaml));
        ADD_FAILURE() << "accepted: " << yaml;
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
}

TEST(SpecSecurity, ValidationNamesTheField) {
    const std::string base = "name: a\nrootfs: /r\n";
    expect_invalid(base + "process: {args: [x], capabilities: [\"net admin\"]}\n",
                   "process.capabilities");
    expect_invalid(base + "process: {args: [x], capabilities: {ambient: [\"a-b\"]}}\n",
                   "process.capabilities.ambient");
    expect_invalid(base + "process: {args: [x], user: {name: app, uid: 5}}\n", "process.user");
    expect_invalid(base + "process: {args: [x], user: {name: \"a:b\"}}\n", "process.user.name");
    expect_invalid(base + "process: {args: [x]}\ndevices: [{path: /dev/x, type: x}]\n",
                   "devices[0].type");
    expect_invalid(base + "process: {args: [x]}\ndevices: [{path: /dev/x, mode: 10000}]\n",
                   "devices[0].mode");
    expect_invalid(base + "process: {args: [x]}\ndevices: [{path: /dev/x}, {path: /dev/x}]\n",
                   "devices[1].path");
    expect_invalid(base + "process: {args: [x]}\nnamespaces: [pid]\ndevices: [{path: /dev/x}]\n",
                   "devices[0]");
    expect_invalid(base + "process: {args: [x]}\nresources: {devices: [{type: a, major: 1}]}\n",
                   "resources.devices[0]");
    expect_invalid(base + "process: {args: [x]}\nresources: {devices: [{type: c, access: rr}]}\n",
                   "resources.devices[0].access");
    expect_invalid(base + "process: {args: [x]}\nprivate: {type: overlay, path: /u, lower: [/l]}\n",
                   "private.work");
    try {
        parse_spec_yaml(base + "devices: [{path: /dev/x, mode: \"0999\"}]\n");
        ADD_FAILURE() << "accepted mode 0999";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("devices[0].mode"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ct
