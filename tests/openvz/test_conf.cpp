// The CTID.conf / vz.conf parser, against fixtures in the format vzctl 4.x writes.
#include <gtest/gtest.h>

#include "conf.hpp"
#include "ct/error.hpp"

using namespace ct::openvz;

namespace {
const std::string kConf = std::string(CT_OPENVZ_FIXTURES) + "/etc/vz/conf";
}

TEST(Conf, ParsesARealContainerConfigWhereTheLastValueWins) {
    Conf c = Conf::load(kConf + "/101.conf");
    EXPECT_EQ(c.get("HOSTNAME"), "web1.internal");  // appended by a later vzctl set --save
    EXPECT_EQ(c.get("VE_PRIVATE"), "/vz/private/$VEID");
    EXPECT_EQ(c.get("IP_ADDRESS"), "10.0.1.101 2001:db8::101");
    EXPECT_EQ(c.get("NAME"), "web1");  // single quotes
    EXPECT_EQ(c.get("PHYSPAGES"), "0:262144");
    EXPECT_FALSE(c.get("DISABLED"));
    EXPECT_TRUE(c.skipped_lines().empty());
}

TEST(Conf, ReadsVzConfWithUnquotedValues) {
    Conf c = Conf::load(std::string(CT_OPENVZ_FIXTURES) + "/etc/vz/vz.conf");
    EXPECT_EQ(c.get("VE_ROOT"), "/vz/root/$VEID");
    EXPECT_EQ(c.get("CONFIGFILE"), "vswap-1g");
    EXPECT_EQ(c.get("IPTABLES_MODULES"), "$IPTABLES");  // no shell expansion but $VEID's
    EXPECT_FALSE(c.get("MODULES_DISABLED"));            // commented out
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
    EXPECT_EQ(conf_beancounter(c, "swappages")->limit, 131072u);
    Conf b = Conf::load(kConf + "/ve-basic.conf-sample");
    EXPECT_EQ(conf_beancounter(b, "kmemsize")->limit, 14790164u);
    EXPECT_EQ(conf_beancounter(b, "physpages")->limit, ct::ubc::kUnlimited);
    EXPECT_EQ(conf_beancounter(b, "numproc")->barrier, 240u);
    EXPECT_FALSE(conf_beancounter(b, "nosuch"));
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
    EXPECT_FALSE(ct::ubc::parse("99999999999999999999", Unit::items, &why));
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
