// The spec fields the OCI runtime needed (hooks, cgroup_path, bundle, process umask,
// oom_score_adj, console_size): their JSON and YAML forms and their validation, through the
// public API like every frontend.
#include <gtest/gtest.h>

#include "ct/error.hpp"
#include "ct/json.hpp"
#include "ct/spec.hpp"
#include "ct/specfile.hpp"

namespace ct {
namespace {

Spec base() {
    Spec s;
    s.name = "h1";
    s.rootfs = "/srv/r";
    s.process.args = {"/bin/true"};
    return s;
}

std::string invalid(const Spec &s) {
    try {
        validate(s);
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        return e.what();
    }
    return "valid";
}

TEST(SpecOciFields, RoundTripThroughJsonAndYaml) {
    Spec s = base();
    s.hooks.prestart = {{"/bin/a", {}, {}, {}}};
    s.hooks.create_container = {{"/bin/b", {"b", "1"}, {"X=1"}, 10}};
    s.hooks.poststart = {{"/bin/c", {}, {}, 1}};
    s.cgroup_path = "/machine/h1";
    s.bundle = "/srv/bundles/h1";
    s.process.umask = 077;
    s.process.oom_score_adj = -1000;
    s.process.terminal = true;
    s.process.console_size = ConsoleSize{50, 132};
    EXPECT_EQ(spec_from_json(to_json(s)), s);
    Spec y = parse_spec_yaml(R"(
name: h1
rootfs: /srv/r
process:
  args: [/bin/true]
  umask: 0077
  oom_score_adj: -1000
  terminal: true
  console_size: {rows: 50, cols: 132}
hooks:
  prestart: [{path: /bin/a}]
  create_container: [{path: /bin/b, args: [b, 1], env: [X=1], timeout: 10}]
  poststart: [{path: /bin/c, timeout: 1}]
cgroup_path: /machine/h1
bundle: /srv/bundles/h1
)",
                             "h1.yaml");
    EXPECT_EQ(y, s);
    // Unset, they are left out: a spec without them reads the same in an older libct.
    EXPECT_EQ(to_json(base()).find("hooks"), std::string::npos);
    EXPECT_EQ(to_json(base()).find("umask"), std::string::npos);
}

TEST(SpecOciFields, DecodingIsStrict) {
    EXPECT_THROW(spec_from_json(R"({"name":"h","hooks":{"prestart":[{"path":"/x","when":1}]}})"),
                 Error);
    EXPECT_THROW(spec_from_json(R"({"name":"h","hooks":{"prestrat":[]}})"), Error);
    EXPECT_THROW(spec_from_json(R"({"name":"h","hooks":{"poststop":[{"args":["x"]}]}})"), Error);
    EXPECT_THROW(spec_from_json(R"({"name":"h","process":{"umask":"9"}})"), Error);
    EXPECT_THROW(spec_from_json(R"({"name":"h","process":{"console_size":{"rows":1,"c":2}}})"),
                 Error);
}

TEST(SpecOciFields, ValidationNamesTheField) {
    Spec s = base();
    s.hooks.create_runtime = {{"bin/a", {}, {}, {}}};
    EXPECT_NE(invalid(s).find("hooks.create_runtime[0].path: 'bin/a' is not an absolute path"),
              std::string::npos)
        << invalid(s);
    s = base();
    s.hooks.poststop = {{"/bin/a", {}, {"NOEQUALS"}, {}}};
    EXPECT_NE(invalid(s).find("hooks.poststop[0].env[0]"), std::string::npos) << invalid(s);
    s = base();
    s.hooks.start_container = {{"/bin/a", {}, {}, 0}};
    EXPECT_NE(invalid(s).find("hooks.start_container[0].timeout"), std::string::npos);
    s = base();
    s.process.umask = 01000;
    EXPECT_NE(invalid(s).find("process.umask"), std::string::npos);
    s = base();
    s.process.oom_score_adj = 1001;
    EXPECT_NE(invalid(s).find("process.oom_score_adj: 1001 is not in -1000..1000"),
              std::string::npos);
    s = base();
    s.process.console_size = ConsoleSize{10, 10};
    EXPECT_NE(invalid(s).find("process.console_size: needs terminal: true"), std::string::npos);
    for (auto bad : {"/", "a/../b", "a//b", "./a", "a/."}) {
        s = base();
        s.cgroup_path = bad;
        EXPECT_NE(invalid(s).find("cgroup_path"), std::string::npos) << bad;
    }
    s = base();
    s.cgroup_path = "a/b.slice/c";
    EXPECT_EQ(invalid(s), "valid");
}

}  // namespace
}  // namespace ct
