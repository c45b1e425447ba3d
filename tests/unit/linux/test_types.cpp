// The linux backend's interface and private-area types check the fields that are theirs
// (ct::validate() checks what every type has in common); which types exist is their registry's.
#include <gtest/gtest.h>

#include "ct/error.hpp"
#include "fs/private_area.hpp"
#include "net/network.hpp"

namespace ct::linux_native {
namespace {

// The error validating `ifaces` raises (code and message), or "" when they are fine.
std::string refusal(const std::vector<NetInterfaceSpec> &ifaces, Errc *code = nullptr) {
    try {
        net::Network(ifaces).validate();
    } catch (const Error &e) {
        if (code) *code = e.code();
        return e.what();
    }
    return "";
}

NetInterfaceSpec nic(const std::string &type) {
    NetInterfaceSpec n;
    n.type = type;
    n.name = "eth0";
    return n;
}

TEST(LinuxTypes, InterfaceTypesCheckTheirOwnFields) {
    EXPECT_EQ(refusal({nic("veth")}), "");
    Errc code{};
    auto tap = refusal({nic("tap")}, &code);
    EXPECT_EQ(code, Errc::unsupported);
    EXPECT_NE(tap.find("network[0].type: interface type 'tap'"), std::string::npos) << tap;
    EXPECT_NE(tap.find("known: hostnic, macvlan, veth, vlan"), std::string::npos) << tap;

    auto hostnic = nic("hostnic");
    EXPECT_NE(refusal({hostnic}).find("network[0].host_name"), std::string::npos);
    hostnic.host_name = "eth9";
    EXPECT_EQ(refusal({hostnic}), "");

    auto vlan = nic("vlan");
    vlan.vlan_id = 5;
    EXPECT_NE(refusal({nic("veth"), vlan}).find("network[1].link"), std::string::npos);
    vlan.link = "ens3";
    EXPECT_EQ(refusal({vlan}), "");
    for (uint32_t id : {0u, 4095u}) {
        vlan.vlan_id = id;
        EXPECT_NE(refusal({vlan}).find("network[0].vlan_id: must be 1..4094"), std::string::npos)
            << id;
    }
    EXPECT_NE(refusal({nic("macvlan")}).find("network[0].link"), std::string::npos);
    auto unnamed = nic("veth");
    unnamed.name.clear();
    unnamed.host_name = "veth0";
    EXPECT_NE(refusal({unnamed}).find("network[0].name"), std::string::npos);
}

std::string area_refusal(const PrivateArea &pa) {
    Spec s;
    s.name = "a";
    s.rootfs = "/r";
    s.private_area = pa;
    try {
        fs::private_area(s)->validate();
    } catch (const Error &e) {
        return e.what();
    }
    return "";
}

TEST(LinuxTypes, PrivateAreaTypesCheckTheirOwnFields) {
    EXPECT_EQ(area_refusal({"dir", "/p", {}, {}}), "");
    EXPECT_NE(area_refusal({"zfs", "/p", {}, {}}).find("private.type"), std::string::npos);
    EXPECT_NE(area_refusal({"overlay", "/u", {}, "/w"}).find("private.lower"), std::string::npos);
    EXPECT_NE(area_refusal({"overlay", "/u", {"/l"}, ""}).find("private.work"), std::string::npos);
    EXPECT_NE(area_refusal({"overlay", "/u", {"/l"}, "/u"}).find("must differ"), std::string::npos);
    EXPECT_EQ(area_refusal({"overlay", "/u", {"/l"}, "/w"}), "");
}

}  // namespace
}  // namespace ct::linux_native
