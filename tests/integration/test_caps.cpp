// Capabilities: the five sets as the kernel reports them inside the container, and that a
// capability left out is really gone.
#include "fixture.hpp"

namespace ct::test {
namespace {

class Caps : public LinuxTest {
  protected:
    static std::string status_caps() {
        return "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status | awk '{print $2}' | tr "
               "'\\n' ' '";
    }
};

// The confinement a spec without options gets (docs/security.md), here and through every
// backend this file runs against (the remote suite runs it over linux+ssh://).
TEST_F(Caps, TheDefaultIsTheOciSetWithTheDefaultSeccompFilter) {
    auto r =
        run(spec({"/bin/sh", "-c", status_caps() + "; grep -c '^Seccomp:.2' /proc/self/status"}));
    // chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service net_raw
    // sys_chroot mknod audit_write setfcap: bits 0-8, 10, 13, 18, 27, 29, 31. Inh Prm Eff Bnd Amb
    EXPECT_EQ(r.out,
              "0000000000000000 00000000a80425fb 00000000a80425fb 00000000a80425fb "
              "0000000000000000 1\n")
        << r.err;
    // Added and dropped: net_admin (12) in, mknod (27) out.
    auto s = spec({"/bin/sh", "-c", "grep ^CapBnd /proc/self/status | awk '{print $2}'"});
    s.process.capabilities_add = {"net_admin"};
    s.process.capabilities_drop = {"CAP_MKNOD"};
    EXPECT_EQ(run(s).out, "00000000a00435fb\n");
}

TEST_F(Caps, AListSetsEverySet) {
    auto s = spec({"/bin/sh", "-c", status_caps()});
    s.process.capabilities = Capabilities::all_sets({"CAP_CHOWN", "kill"});  // bits 0 and 5
    auto r = run(s);
    // Inh Prm Eff Bnd Amb
    EXPECT_EQ(r.out,
              "0000000000000021 0000000000000021 0000000000000021 0000000000000021 "
              "0000000000000021 ")
        << r.err;
}

TEST_F(Caps, ALeftOutCapabilityIsGone) {
    auto s =
        spec({"/bin/sh", "-c", "touch /t/f && chown 1:1 /t/f && echo chowned || echo refused"});
    s.mounts = {{"", "/t", "tmpfs", {}}};
    s.process.capabilities = Capabilities::all_sets({"CAP_KILL", "CAP_DAC_OVERRIDE"});
    EXPECT_EQ(run(s).out, "refused\n");
    s.process.capabilities = Capabilities::all_sets({"CAP_CHOWN"});
    EXPECT_EQ(run(s).out, "chowned\n");
    s.process.capabilities.reset();  // the default set, which has CAP_CHOWN
    EXPECT_EQ(run(s).out, "chowned\n");
}

TEST_F(Caps, SetBySetForANonRootUserThroughAmbient) {
    auto s = spec({"/bin/sh", "-c", "id -u; " + status_caps()});
    s.process.user = {1000, 1000, {}};
    Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"};  // bits 0, 10, 13
    c.permitted = {"CAP_NET_BIND_SERVICE", "CAP_NET_RAW"};
    c.effective = {"CAP_NET_RAW"};
    c.inheritable = {"CAP_NET_BIND_SERVICE", "CAP_NET_RAW"};
    c.ambient = {"CAP_NET_BIND_SERVICE"};
    s.process.capabilities = c;
    auto r = run(s);
    // After exec, a non-root process without file capabilities keeps its ambient set only
    // (as permitted and effective); inheritable and bounding stay as set.
    EXPECT_EQ(r.out,
              "1000\n0000000000002400 0000000000000400 0000000000000400 0000000000002401 "
              "0000000000000400 ")
        << r.err;
}

TEST_F(Caps, BadNamesAndImpossibleSetsAreRefusedAtCreate) {
    auto s = spec({"/bin/true"});
    s.process.capabilities = Capabilities::all_sets({"CAP_NOT_A_THING"});
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("CAP_NOT_A_THING"), std::string::npos) << e.what();
    }
    Capabilities c;
    c.bounding = c.permitted = {"CAP_NET_RAW"};
    c.ambient = {"CAP_NET_RAW"};  // not inheritable
    s.process.capabilities = c;
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("ambient"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(session().list().empty());
}

}  // namespace
}  // namespace ct::test
