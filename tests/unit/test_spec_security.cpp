// Spec fields of the filesystem and security areas: YAML forms, the JSON round trip and the
// validation errors (no kernel needed).
#include <gtest/gtest.h>

#include <algorithm>

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
    // (What an overlay needs besides absolute paths is the backend's: tests/unit/linux.)
    expect_invalid(base + "process: {args: [x]}\nprivate: {type: overlay, path: /u, lower: [l]}\n",
                   "private.lower[0]");
    try {
        parse_spec_yaml(base + "devices: [{path: /dev/x, mode: \"0999\"}]\n");
        ADD_FAILURE() << "accepted mode 0999";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("devices[0].mode"), std::string::npos) << e.what();
    }
}

TEST(SpecConfinement, TheDefaultCapabilitySetIsTheOciOne) {
    ProcessSpec p;
    Capabilities c = effective_capabilities(p);
    std::vector<std::string> want = {"CAP_CHOWN",       "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                                     "CAP_FSETID",      "CAP_KILL",         "CAP_SETGID",
                                     "CAP_SETUID",      "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE",
                                     "CAP_NET_RAW",     "CAP_SYS_CHROOT",   "CAP_MKNOD",
                                     "CAP_AUDIT_WRITE", "CAP_SETFCAP"};  // in number order
    EXPECT_EQ(c.bounding, want);
    EXPECT_EQ(c.effective, want);
    EXPECT_EQ(c.permitted, want);
    // Nothing a non-root user could keep across exec.
    EXPECT_TRUE(c.inheritable.empty());
    EXPECT_TRUE(c.ambient.empty());
    EXPECT_EQ(default_capabilities().size(), 14u);
}

TEST(SpecConfinement, AddAndDropChangeTheDefaultSet) {
    Spec s = parse_spec_yaml(
        "name: a\nrootfs: /r\nprocess:\n  args: [x]\n"
        "  capabilities: {add: [net_admin, CAP_SYS_PTRACE], drop: [MKNOD, cap_net_raw]}\n");
    EXPECT_EQ(s.process.capabilities_add,
              (std::vector<std::string>{"net_admin", "CAP_SYS_PTRACE"}));
    EXPECT_FALSE(s.process.capabilities);
    auto b = effective_capabilities(s.process).bounding;
    auto has = [&](const char *c) { return std::find(b.begin(), b.end(), c) != b.end(); };
    EXPECT_TRUE(has("CAP_NET_ADMIN"));
    EXPECT_TRUE(has("CAP_SYS_PTRACE"));
    EXPECT_FALSE(has("CAP_MKNOD"));
    EXPECT_FALSE(has("CAP_NET_RAW"));
    EXPECT_TRUE(has("CAP_CHOWN"));
    EXPECT_EQ(spec_from_json(to_json(s)), s);
    validate(s);
    // "all" is an explicit opt-in, as a list word or the whole field.
    Spec all = parse_spec_yaml("name: a\nrootfs: /r\nprocess: {args: [x], capabilities: all}\n");
    ASSERT_TRUE(all.process.capabilities);
    EXPECT_GE(effective_capabilities(all.process).bounding.size(), 38u);
    EXPECT_EQ(spec_from_json(to_json(all)), all);
    Spec add_all = parse_spec_yaml(
        "name: a\nrootfs: /r\nprocess: {args: [x], capabilities: {add: [all], drop: "
        "[sys_admin]}}\n");
    auto ab = effective_capabilities(add_all.process).bounding;
    EXPECT_EQ(std::find(ab.begin(), ab.end(), "CAP_SYS_ADMIN"), ab.end());
    EXPECT_NE(std::find(ab.begin(), ab.end(), "CAP_SYS_MODULE"), ab.end());
}

TEST(SpecConfinement, CapabilityMistakesNameTheField) {
    const std::string base = "name: a\nrootfs: /r\n";
    expect_invalid(base + "process: {args: [x], capabilities: {add: [net_admn]}}\n",
                   "process.capabilities.add");
    expect_invalid(base + "process: {args: [x], capabilities: {drop: [\"\"]}}\n",
                   "process.capabilities.drop");
    expect_invalid(base + "process: {args: [x], capabilities: [cap_frob]}\n",
                   "process.capabilities");
    try {
        parse_spec_yaml(base +
                        "process: {args: [x], capabilities: {add: [kill], bounding: [kill]}}\n");
        ADD_FAILURE() << "add mixed with a set was accepted";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("process.capabilities.bounding"), std::string::npos)
            << e.what();
    }
    try {
        parse_spec_yaml(base + "process: {args: [x], capabilities: some}\n");
        ADD_FAILURE() << "capabilities: some was accepted";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("process.capabilities"), std::string::npos)
            << e.what();
    }
    // Through the C++ API both forms can be set at once: refused.
    Spec s = parse_spec_yaml(base + "process: {args: [x], capabilities: [kill]}\n");
    s.process.capabilities_add = {"net_admin"};
    EXPECT_THROW(validate(s), Error);
}

TEST(SpecConfinement, MaskedAndReadonlyPaths) {
    Spec d = parse_spec_yaml("name: a\nrootfs: /r\nprocess: {args: [x]}\n");
    EXPECT_FALSE(d.masked_paths);
    EXPECT_EQ(d.effective_masked_paths(), default_masked_paths());
    EXPECT_EQ(d.effective_readonly_paths(), default_readonly_paths());
    for (const char *p : {"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/proc/acpi",
                          "/sys/firmware", "/sys/devices/virtual/powercap"})
        EXPECT_NE(std::find(default_masked_paths().begin(), default_masked_paths().end(), p),
                  default_masked_paths().end())
            << p;
    for (const char *p : {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"})
        EXPECT_NE(std::find(default_readonly_paths().begin(), default_readonly_paths().end(), p),
                  default_readonly_paths().end())
            << p;
    Spec s = parse_spec_yaml(
        "name: a\nrootfs: /r\nprocess: {args: [x]}\nmasked_paths: [/etc/secret]\n"
        "readonly_paths: []\n");
    EXPECT_EQ(s.effective_masked_paths(), std::vector<std::string>{"/etc/secret"});
    EXPECT_TRUE(s.effective_readonly_paths().empty());
    EXPECT_EQ(spec_from_json(to_json(s)), s);
    validate(s);
    const std::string base = "name: a\nrootfs: /r\nprocess: {args: [x]}\n";
    expect_invalid(base + "masked_paths: [proc/kcore]\n", "masked_paths[0]");
    expect_invalid(base + "readonly_paths: [/a, /b/../../c]\n", "readonly_paths[1]");
    expect_invalid(base + "masked_paths: [/]\n", "masked_paths[0]");
    // A container on the host's mounts cannot have masks.
    expect_invalid(base + "namespaces: [pid]\nmasked_paths: [/proc/kcore]\n", "masked_paths");
    validate(parse_spec_yaml(base + "namespaces: [pid]\n"));  // the defaults do not apply there
}

const char kProfile[] = R"(
name: a
rootfs: /r
process: {args: [x]}
seccomp:
  defaultAction: SCMP_ACT_ERRNO
  defaultErrnoRet: 38
  architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86]
  flags: [SECCOMP_FILTER_FLAG_LOG]
  syscalls:
    - {names: [read, write], action: SCMP_ACT_ALLOW}
    - names: [personality]
      action: SCMP_ACT_ALLOW
      args: [{index: 0, value: 8, op: SCMP_CMP_EQ}]
    - {names: [mkdir], action: SCMP_ACT_ERRNO, errnoRet: 13}
    - names: [clone]
      action: SCMP_ACT_ALLOW
      args: [{index: 0, value: 2114060288, valueTwo: 0, op: SCMP_CMP_MASKED_EQ}]
)";

TEST(SpecConfinement, SeccompTakesTheOciForm) {
    Spec s = parse_spec_yaml(kProfile);
    ASSERT_TRUE(s.seccomp);
    EXPECT_EQ(s.seccomp->default_action, "SCMP_ACT_ERRNO");
    EXPECT_EQ(s.seccomp->default_errno_ret, 38u);
    ASSERT_EQ(s.seccomp->syscalls.size(), 4u);
    EXPECT_EQ(s.seccomp->syscalls[2].errno_ret, 13u);
    EXPECT_EQ(s.seccomp->syscalls[3].args[0].value, 2114060288u);
    EXPECT_EQ(s.seccomp->syscalls[3].args[0].op, "SCMP_CMP_MASKED_EQ");
    validate(s);
    EXPECT_EQ(spec_from_json(to_json(s)), s);
    // The JSON a runc/crun/Docker-resolved profile is written in reads the same.
    EXPECT_EQ(seccomp_from_json(to_json(*s.seccomp)), s.seccomp);
    Spec u = parse_spec_yaml("name: a\nrootfs: /r\nprocess: {args: [x]}\nseccomp: unconfined\n");
    ASSERT_TRUE(u.seccomp);
    EXPECT_TRUE(u.seccomp->unconfined);
    EXPECT_EQ(spec_from_json(to_json(u)), u);
    Spec d = parse_spec_yaml("name: a\nrootfs: /r\nprocess: {args: [x]}\nseccomp: default\n");
    EXPECT_FALSE(d.seccomp);
}

TEST(SpecConfinement, AMalformedProfileNamesTheEntry) {
    auto with = [](const std::string &seccomp) {
        return "name: a\nrootfs: /r\nprocess: {args: [x]}\nseccomp: " + seccomp + "\n";
    };
    expect_invalid(with("{syscalls: [{names: [read], action: SCMP_ACT_ALLOW}]}"),
                   "seccomp.defaultAction");
    expect_invalid(with("{defaultAction: SCMP_ACT_FROB}"), "seccomp.defaultAction");
    expect_invalid(with("{defaultAction: SCMP_ACT_ERRNO, syscalls: [{names: [read], action: "
                        "SCMP_ACT_ALLOW}, {names: [Bad-Name], action: SCMP_ACT_ALLOW}]}"),
                   "seccomp.syscalls[1].names[0]");
    expect_invalid(with("{defaultAction: SCMP_ACT_ERRNO, syscalls: [{names: [read], action: "
                        "SCMP_ACT_ALLOW, args: [{index: 6, value: 1, op: SCMP_CMP_EQ}]}]}"),
                   "seccomp.syscalls[0].args[0].index");
    expect_invalid(with("{defaultAction: SCMP_ACT_ERRNO, syscalls: [{names: [read], action: "
                        "SCMP_ACT_ALLOW, args: [{index: 0, value: 1, op: EQ}]}]}"),
                   "seccomp.syscalls[0].args[0].op");
    expect_invalid(with("{defaultAction: SCMP_ACT_ALLOW, errnoRet: 1}"), "seccomp.errnoRet");
    expect_invalid(with("{defaultAction: SCMP_ACT_ALLOW, syscalls: [{names: [read], action: "
                        "SCMP_ACT_ALLOW, errnoRet: 5}]}"),
                   "seccomp.syscalls[0].errnoRet");
    expect_invalid(with("{defaultAction: SCMP_ACT_ERRNO, architectures: [SCMP_ARCH_Z80]}"),
                   "seccomp.architectures[0]");
    expect_invalid(with("{defaultAction: SCMP_ACT_NOTIFY}"), "seccomp.defaultAction");
    expect_invalid(with("{defaultAction: SCMP_ACT_ERRNO, listenerPath: /run/x}"),
                   "seccomp.listenerPath");
    expect_invalid(with("{defaultAction: SCMP_ACT_ERRNO, syscalls: [{names: [read], action: "
                        "SCMP_ACT_ALLOW, includes: {caps: [CAP_SYS_ADMIN]}}]}"),
                   "seccomp.syscalls[0].includes");
    expect_invalid(with("sometimes"), "seccomp");
}

TEST(SpecConfinement, TheDefaultProfileFollowsTheCapabilities) {
    auto names_of = [](const SeccompSpec &p, const std::string &action) {
        std::vector<std::string> out;
        for (const auto &sc : p.syscalls)
            if (sc.action == action && sc.args.empty())
                out.insert(out.end(), sc.names.begin(), sc.names.end());
        return out;
    };
    auto has = [](const std::vector<std::string> &v, const char *n) {
        return std::find(v.begin(), v.end(), n) != v.end();
    };
    SeccompSpec plain = default_seccomp_profile(default_capabilities());
    EXPECT_EQ(plain.default_action, "SCMP_ACT_ERRNO");
    EXPECT_EQ(plain.default_errno_ret, 1u);
    auto allowed = names_of(plain, "SCMP_ACT_ALLOW");
    for (const char *n : {"read", "execve", "openat", "clone3"}) (void)n;
    EXPECT_TRUE(has(allowed, "read"));
    EXPECT_TRUE(has(allowed, "chroot"));  // CAP_SYS_CHROOT is in the default set
    for (const char *n : {"mount", "unshare", "setns", "syslog", "bpf", "kexec_load", "keyctl",
                          "add_key", "init_module", "reboot", "userfaultfd", "io_uring_setup",
                          "ptrace_not_a_call", "clone", "clone3", "socket", "personality"})
        EXPECT_FALSE(has(allowed, n)) << n << " is allowed unconditionally";
    // clone without namespace flags, every socket family but vsock, 5 personalities.
    int clone_rules = 0, socket_rules = 0, persona_rules = 0;
    for (const auto &sc : plain.syscalls) {
        if (sc.names == std::vector<std::string>{"clone"}) ++clone_rules;
        if (sc.names == std::vector<std::string>{"socket"}) ++socket_rules;
        if (sc.names == std::vector<std::string>{"personality"}) ++persona_rules;
        if (sc.names == std::vector<std::string>{"clone3"}) {
            EXPECT_EQ(sc.errno_ret, 38u);
        }
    }
    EXPECT_EQ(clone_rules, 1);
    EXPECT_EQ(socket_rules, 1);
    EXPECT_EQ(persona_rules, 5);
    auto caps = default_capabilities();
    caps.push_back("CAP_SYS_ADMIN");
    caps.push_back("CAP_SYSLOG");
    auto admin = names_of(default_seccomp_profile(caps), "SCMP_ACT_ALLOW");
    for (const char *n : {"mount", "unshare", "setns", "syslog", "clone", "clone3"})
        EXPECT_TRUE(has(admin, n)) << n;
    Spec s;
    s.name = "a";
    s.rootfs = "/r";
    s.process.args = {"x"};
    s.seccomp = plain;
    validate(s);  // the default profile passes the checks a user's would
}

}  // namespace
}  // namespace ct
