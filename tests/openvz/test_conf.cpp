// The CTID.conf / vz.conf parser, against fixtures in the format vzctl 4.x writes.
#include <gtest/gtest.h>

#include "conf.hpp"
#include "ct/error.hpp"

using namespace ct::openvz;

namespace {
const std::string kConf = std::string(CT_OPENVZ_FIXTURES) + "/etc/vz/conf";
}

TEST(Conf, ParsesRealContainerConfigs) {
    // fixtures/README.md: 101.conf (its sample, then what vzctl create and set --save append)
    // and 1.conf (a key rewritten in place), both as vzctl 4.x writes them.
    Conf c = Conf::load(kConf + "/101.conf");
    EXPECT_EQ(c.get("HOSTNAME"), "www.example.org");
    EXPECT_EQ(c.get("VE_PRIVATE"), "/var/lib/vz/private/$VEID");
    EXPECT_EQ(c.get("IP_ADDRESS"), "10.1.0.101/24");
    EXPECT_EQ(c.get("PHYSPAGES"), "0:256M");
    EXPECT_EQ(conf_beancounter(c, "physpages")->limit, 65536u);  // 256M in 4 KiB pages
    EXPECT_EQ(conf_beancounter(c, "swappages")->limit, 131072u);
    EXPECT_FALSE(c.get("DISABLED"));
    EXPECT_TRUE(c.skipped_lines().empty());
    Conf one = Conf::load(kConf + "/1.conf");
    EXPECT_EQ(one.get("VE_LAYOUT"), "simfs");
    EXPECT_EQ(one.get("CPUS"), "2");
    auto n = parse_netif(one.get_or("NETIF", ""));
    ASSERT_EQ(n.size(), 1u);
    EXPECT_EQ(n[0].ifname, "eth0");
    EXPECT_EQ(n[0].bridge, "br0");  // fields in the order vzctl 4.x wrote them
    EXPECT_EQ(n[0].host_ifname, "veth1.eth0");
    EXPECT_EQ(n[0].host_mac, "00:18:51:D2:44:E9");
    EXPECT_TRUE(one.skipped_lines().empty());
    // vzctl's own 0.conf writes "unlimited" as LONG_MAX.
    Conf zero = Conf::load(kConf + "/0.conf");
    EXPECT_EQ(conf_beancounter(zero, "oomguarpages")->limit, ct::ubc::kUnlimited);
}

TEST(Conf, ReadsVzConfWithUnquotedValues) {
    Conf c = Conf::load(std::string(CT_OPENVZ_FIXTURES) + "/etc/vz/vz.conf");
    EXPECT_EQ(c.get("VE_ROOT"), "/vz/root/$VEID");
    EXPECT_EQ(c.get("CONFIGFILE"), "basic");
    EXPECT_EQ(c.get("IPTABLES_MODULES"), "$IPTABLES");  // no shell expansion but $VEID's
    EXPECT_FALSE(c.get("MODULES_DISABLED"));            // commented out
    EXPECT_TRUE(c.skipped_lines().empty());
    Conf v = Conf::load(std::string(CT_OPENVZ_FIXTURES) + "/vz7/etc/vz/vz.conf");
    EXPECT_EQ(v.get("VZPRIVRANGE"), "1 100");
    EXPECT_EQ(v.get("CONFIGFILE"), "basic");
    EXPECT_TRUE(v.skipped_lines().empty());
}

TEST(Conf, QuotingCommentsAndJunk) {
    Conf c = Conf::parse(
        "A=\"x y\"\n"
        "  B=plain   # trailing comment\n"
        "C='it''s'\n"
        "D=\"esc \\\"q\\\" \\$VEID\"\n"
        "this line is junk\n"
        "E=\"unterminated\n"
        "9X=\"bad key\"\n"
        "F=\r\n"
        "A=\"second\"\n");
    EXPECT_EQ(c.get("A"), "second");
    EXPECT_EQ(c.get("B"), "plain");
    EXPECT_EQ(c.get("C"), "its");
    EXPECT_EQ(c.get("D"), "esc \"q\" $VEID");
    EXPECT_EQ(c.get("F"), "");
    EXPECT_FALSE(c.get("E"));
    EXPECT_EQ(c.skipped_lines(), (std::vector<int>{5, 6, 7}));
}

TEST(Conf, MissingFile) {
    EXPECT_TRUE(Conf::load("/nonexistent/ct-openvz.conf", true).values().empty());
    try {
        Conf::load("/nonexistent/ct-openvz.conf");
        FAIL();
    } catch (const ct::Error &e) {
        EXPECT_EQ(e.code(), ct::Errc::not_found);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/ct-openvz.conf"), std::string::npos);
    }
}

TEST(Conf, ExpandsVeid) {
    EXPECT_EQ(expand_veid("/vz/private/$VEID", "101"), "/vz/private/101");
    EXPECT_EQ(expand_veid("/a/${VEID}/b/$VE_ID", "7777"), "/a/7777/b/7777");
    EXPECT_EQ(expand_veid("/a/$VEIDX", "1"), "/a/$VEIDX");
}

TEST(Conf, BeancounterValuesInTheirUnits) {
    Conf c = Conf::load(kConf + "/ve-vswap-1g.conf-sample");
    auto ram = conf_beancounter(c, "physpages");
    ASSERT_TRUE(ram);
    EXPECT_EQ(ram->barrier, 0u);
    EXPECT_EQ(ram->limit, 262144u);  // 1G in 4 KiB pages
    EXPECT_EQ(conf_beancounter(c, "swappages")->limit, 524288u);
    Conf b = Conf::load(kConf + "/ve-basic.conf-sample");
    EXPECT_EQ(conf_beancounter(b, "kmemsize")->limit, 14790164u);
    EXPECT_EQ(conf_beancounter(b, "physpages")->limit, ct::ubc::kUnlimited);
    EXPECT_EQ(conf_beancounter(b, "numproc")->barrier, 240u);
    EXPECT_FALSE(conf_beancounter(b, "nosuch"));
    // OpenVZ 7's samples: pages, and a single value for both barrier and limit.
    Conf v = Conf::load(std::string(CT_OPENVZ_FIXTURES) +
                        "/vz7/etc/vz/conf/ve-vswap.1024MB.conf-sample");
    EXPECT_EQ(conf_beancounter(v, "physpages")->limit, 262144u);
    EXPECT_EQ(conf_beancounter(v, "swappages")->barrier, 262144u);
    EXPECT_EQ(conf_beancounter(v, "swappages")->limit, 262144u);
}

TEST(Conf, BeancounterSyntax) {
    using ct::ubc::Unit;
    std::string why;
    EXPECT_EQ(ct::ubc::parse("5M:6M", Unit::pages, &why)->limit, 1536u);
    EXPECT_EQ(ct::ubc::parse("5M:6M", Unit::bytes, &why)->barrier, 5u << 20);
    EXPECT_EQ(ct::ubc::parse("100P", Unit::bytes, &why)->limit, 409600u);
    EXPECT_FALSE(ct::ubc::parse("10K", Unit::items, &why));
    EXPECT_NE(why.find("no unit suffix"), std::string::npos);
    EXPECT_FALSE(ct::ubc::parse("6:5", Unit::items, &why));
    EXPECT_NE(why.find("below the barrier"), std::string::npos);
    EXPECT_FALSE(ct::ubc::parse("lots", Unit::items, &why));
    // LONG_MAX and anything larger is the kernel's "unlimited", never "too large".
    EXPECT_EQ(ct::ubc::parse("9223372036854775807", Unit::items, &why)->limit, ct::ubc::kUnlimited);
    EXPECT_EQ(ct::ubc::parse("99999999999999999999", Unit::items, &why)->limit,
              ct::ubc::kUnlimited);
    EXPECT_EQ(ct::ubc::parse("0:9223372036854775807", Unit::pages, &why)->limit,
              ct::ubc::kUnlimited);
    EXPECT_EQ(ct::ubc::parse("9223372036854775807G", Unit::bytes, &why)->limit,
              ct::ubc::kUnlimited);
    EXPECT_FALSE(ct::ubc::parse("9007199254740993G", Unit::bytes, &why));  // too large a size
}

TEST(Conf, NetifAndWords) {
    auto n = parse_netif(
        "ifname=eth0,mac=00:18:51:AA:BB:01,host_ifname=veth101.0,host_mac=00:18:51:AA:BB:02,"
        "bridge=vmbr0;ifname=eth1,host_ifname=veth101.1");
    ASSERT_EQ(n.size(), 2u);
    EXPECT_EQ(n[0].bridge, "vmbr0");
    EXPECT_EQ(n[0].host_mac, "00:18:51:AA:BB:02");
    EXPECT_EQ(n[1].ifname, "eth1");
    EXPECT_EQ(n[1].mac, "");
    EXPECT_EQ(split_words(" 8.8.8.8  8.8.4.4 "), (std::vector<std::string>{"8.8.8.8", "8.8.4.4"}));
}
