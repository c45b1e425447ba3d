// Container networking on the real kernel: veth (ping both ways, MTU, MAC, bridge, generated
// host end), hostnic (in and back: on destroy, after the container ended, on a failed start,
// after a crash of the creating process), macvlan, vlan, IPv6, routes, and bad input leaving no
// device. Host-side setup and checks use iproute2 and busybox, independent of libct. Every
// device name and address is derived from this process's pid: other test runs may share the
// host.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fixture.hpp"
#include "proc_util.hpp"

namespace ct::test {
namespace {

namespace fs = std::filesystem;

// Runs a host command; its stdout, or "" with `ok` false when it fails.
std::string sh(const std::string &cmd, bool *ok = nullptr) {
    std::string out;
    FILE *p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) throw std::runtime_error("popen " + cmd);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = pclose(p);
    bool good = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (ok)
        *ok = good;
    else if (!good)
        throw std::runtime_error(cmd + " failed: " + out);
    return out;
}

bool host_has(const std::string &dev) {
    return fs::exists("/sys/class/net/" + dev);
}
// A veth pair goes with its container's network namespace, which the kernel tears down
// asynchronously: gone within seconds, not necessarily at once.
bool gone_soon(const std::string &dev) {
    for (int i = 0; i < 500 && host_has(dev); ++i) usleep(10000);
    return !host_has(dev);
}
// `ls /sys/class/net` once the kernel's asynchronous teardown has caught up with `expected`.
std::string netdevs_settle(const std::string &expected) {
    std::string now = sh("ls /sys/class/net");
    for (int i = 0; i < 500 && now != expected; ++i) {
        usleep(10000);
        now = sh("ls /sys/class/net");
    }
    return now;
}
std::string sysfs(const std::string &dev, const std::string &attr) {
    std::string s = read_text("/sys/class/net/" + dev + "/" + attr);
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

// A device this test made on the host; deleted at scope exit (before the fixture's leak check).
struct HostDev {
    std::string name;
    ~HostDev() {
        bool ok;
        if (!name.empty() && host_has(name)) sh("ip link del " + name, &ok);
    }
};

// A veth pair made by the test: `a` for the container (hostnic, macvlan parent), `b` stays.
struct TestVeth {
    HostDev a, b;
    TestVeth(const std::string &an, const std::string &bn) : a{an}, b{bn} {
        sh("ip link add " + an + " type veth peer name " + bn);
        sh("ip link set " + an + " up && ip link set " + bn + " up");
    }
};

class Network : public LinuxTest {
  protected:
    // Unique per test process: "n<pid><suffix>" (at most 15 characters).
    static std::string dev(const std::string &suffix) {
        return "n" + std::to_string(getpid() % 1000000) + suffix;
    }
    // 10.<a>.<net>.<host>: a 10.x network per test process and `net`.
    static std::string ip4(int net, int host) {
        return "10." + std::to_string(100 + getpid() % 150) + "." + std::to_string(net) + "." +
               std::to_string(host);
    }
    static std::string ip6(int net, int host) {
        char buf[64];
        snprintf(buf, sizeof buf, "fd42:%x:%x::%x", getpid() & 0xffff, net, host);
        return buf;
    }

    static NetInterfaceSpec veth(const std::string &name, const std::string &host_name) {
        NetInterfaceSpec n;
        n.type = "veth";
        n.name = name;
        n.host_name = host_name;
        return n;
    }
    // The host device `host_name`, moved in as `name` ("" keeps its host name).
    static NetInterfaceSpec hostnic(const std::string &host_name, const std::string &name = "") {
        NetInterfaceSpec n;
        n.type = "hostnic";
        n.host_name = host_name;
        n.name = name;
        return n;
    }

    // A container whose stdin and stdout are pipes of the test, to interleave host-side
    // actions with the container's.
    struct Interactive {
        Container c;
        int in = -1, out = -1;
        Interactive(Container cont) : c(std::move(cont)) {
            int ip[2], op[2];
            if (pipe2(ip, O_CLOEXEC) || pipe2(op, O_CLOEXEC)) throw std::runtime_error("pipe");
            StartOptions o;
            o.stdio = {ip[0], op[1], op[1]};
            try {
                c.start(o);
            } catch (...) {
                for (int fd : {ip[0], ip[1], op[0], op[1]}) close(fd);
                throw;
            }
            close(ip[0]);
            close(op[1]);
            in = ip[1];
            out = op[0];
        }
        void say(const std::string &s) {
            ssize_t w = write(in, s.data(), s.size());
            (void)w;
        }
        // Lets the container end (stdin closed), returns its output.
        std::string finish() {
            close(in);
            std::string s;
            char buf[4096];
            ssize_t n;
            while ((n = read(out, buf, sizeof buf)) > 0) s.append(buf, n);
            close(out);
            c.wait(std::chrono::seconds(30));
            return s;
        }
    };
};

TEST_F(Network, VethPingsTheHostEndAndTheHostPingsBack) {
    std::string host = dev("h");
    auto s = spec({"/bin/sh", "-c",
                   "read go; ping -c 1 -W 3 " + ip4(1, 1) + " >/dev/null; echo ping=$?; read end"});
    auto n = veth("eth0", host);
    n.addresses = {ip4(1, 2) + "/24"};
    s.network = {n};
    auto c = session().create(s);
    {
        Interactive run(c);
        ASSERT_TRUE(host_has(host));
        EXPECT_EQ(sysfs(host, "operstate"), "up");
        sh("ip addr add " + ip4(1, 1) + "/24 dev " + host);
        bool ok = false;
        std::string p = sh("busybox ping -c 1 -W 3 " + ip4(1, 2), &ok);
        EXPECT_TRUE(ok) << p;
        run.say("go\n");
        EXPECT_EQ(run.finish(), "ping=0\n");
    }
    EXPECT_EQ(c.info().details["net.eth0.host"], host);
    c.destroy();
    EXPECT_TRUE(gone_soon(host)) << "destroy leaves the veth behind";
}

// In a user namespace, the container's network namespace must be owned by it (made with its
// process, equipped between clone and setup): its root then has CAP_NET_RAW there, which the
// raw socket of busybox's ping needs. Made by the backend beforehand, it would belong to the
// host's user namespace and ping would fail with "permission denied".
TEST_F(Network, VethInAUserNamespaceBelongsToIt) {
    if (std::stoi(read_text("/proc/sys/user/max_user_namespaces")) == 0)
        GTEST_SKIP() << "user namespaces are disabled (user.max_user_namespaces = 0)";
    std::string host = dev("u");
    auto s = spec({"/bin/sh", "-c",
                   "read go; ping -c 1 -W 3 " + ip4(7, 1) + " >/dev/null; echo ping=$?; read end"});
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::user, {}});
    s.namespaces = ns;
    s.uid_map = {{0, 231072, 65536}};
    s.gid_map = {{0, 231072, 65536}};
    auto n = veth("eth0", host);
    n.addresses = {ip4(7, 2) + "/24"};
    s.network = {n};
    auto c = session().create(s);
    {
        Interactive run(c);
        ASSERT_TRUE(host_has(host));
        sh("ip addr add " + ip4(7, 1) + "/24 dev " + host);
        run.say("go\n");
        EXPECT_EQ(run.finish(), "ping=0\n");
    }
    c.destroy();
    EXPECT_TRUE(gone_soon(host)) << "destroy leaves the veth behind";
}

TEST_F(Network, Ipv6AddressIsAppliedAndUsable) {
    std::string host = dev("h");
    auto s = spec({"/bin/sh", "-c",
                   "ip -6 addr show dev eth0 | grep -o 'inet6 [^ ]*'; read go; "
                   "ping6 -c 1 -W 3 " +
                       ip6(1, 1) + " >/dev/null; echo ping6=$?"});
    auto n = veth("eth0", host);
    n.addresses = {ip6(1, 2) + "/64"};
    s.network = {n};
    auto c = session().create(s);
    {
        Interactive run(c);
        sh("ip -6 addr add " + ip6(1, 1) + "/64 dev " + host + " nodad");
        run.say("go\n");
        std::string out = run.finish();
        EXPECT_NE(out.find("inet6 " + ip6(1, 2) + "/64"), std::string::npos) << out;
        EXPECT_NE(out.find("ping6=0"), std::string::npos) << out;
    }
    c.destroy();
}

TEST_F(Network, MtuAndMacAreAppliedInsideAndOnTheHostEnd) {
    std::string host = dev("h");
    // IFF_UP from the flags, not operstate: the kernel updates operstate asynchronously
    // (linkwatch), so it may still read "down" right after the link was brought up.
    auto s = spec({"/bin/sh", "-c",
                   "cat /sys/class/net/eth0/mtu /sys/class/net/eth0/address; "
                   "echo up=$(( $(cat /sys/class/net/eth0/flags) & 1 )); read end"});
    auto n = veth("eth0", host);
    n.mtu = 1400;
    n.mac = "02:42:ac:11:00:07";
    s.network = {n};
    auto c = session().create(s);
    {
        Interactive run(c);
        EXPECT_EQ(sysfs(host, "mtu"), "1400");
        EXPECT_EQ(run.finish(), "1400\n02:42:ac:11:00:07\nup=1\n");
    }
    c.destroy();
}

// The interfaces are made beside the child's setup: a sysctl of the container's own interface
// waits for it (the last of several, made well after the child is ready for its sysctls), and
// sysfs, mounted before they exist, shows them once they do (and none of the host's).
TEST_F(Network, SysctlsAndSysfsSeeTheInterfacesMadeBesideTheSetup) {
    auto s = spec({"/bin/sh", "-c",
                   "cat /proc/sys/net/ipv4/conf/eth5/forwarding "
                   "/proc/sys/net/ipv6/conf/eth5/hop_limit; ls /sys/class/net | tr '\\n' ' '"});
    for (int i = 0; i < 6; ++i)
        s.network.push_back(veth("eth" + std::to_string(i), dev("s" + std::to_string(i))));
    s.sysctl = {{"net.ipv4.conf.eth5.forwarding", "1"}, {"net.ipv6.conf.eth5.hop_limit", "7"}};
    auto c = session().create(s);
    std::string out;
    {
        Interactive run(c);
        out = run.finish();
    }
    EXPECT_EQ(out, "1\n7\neth0 eth1 eth2 eth3 eth4 eth5 lo ");
    c.destroy();
}

// A caller running with its stdio closed: the fds made for the network's setup take the low
// numbers, which the child's own stdio then claims; they must not get mixed up.
TEST_F(Network, ACallerWithClosedStdioStartsAVethContainer) {
    auto s = spec({"/bin/sh", "-c", "test -e /sys/class/net/eth0"});
    s.network = {veth("eth0", dev("c"))};
    std::string u = uri();
    pid_t p = fork();
    ASSERT_GE(p, 0);
    if (p == 0) {
        int code = 1;
        try {
            auto sess = Session::open(u);
            close(0);
            close(1);
            StartOptions o;
            o.stdio = {-1, -1, -1};
            auto c = sess.create(s);
            c.start(o);
            code = c.wait(std::chrono::seconds(30)).shell_code() == 0 ? 0 : 2;
            c.destroy();
        } catch (const std::exception &e) {
            fprintf(stderr, "%s\n", e.what());
        }
        _exit(code);
    }
    int st = 0;
    ASSERT_EQ(waitpid(p, &st, 0), p);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
}

// Made with one queue pair, as it ends up anyway: cutting a made device down to one (a queue
// pair per CPU by default) waits for an RCU grace period under the RTNL lock.
TEST_F(Network, VethIsMadeWithOneQueuePair) {
    std::string host = dev("q");
    auto s = spec({"/bin/sh", "-c", "read end"});
    s.network = {veth("eth0", host)};
    auto c = session().create(s);
    {
        Interactive run(c);
        EXPECT_NE(sh("ip -d link show " + host).find("numtxqueues 1 numrxqueues 1 "),
                  std::string::npos);
        run.finish();
    }
    c.destroy();
}

TEST_F(Network, HostEndNameIsGeneratedAndReported) {
    auto s = spec({"/bin/sh", "-c", "read end"});
    s.network = {veth("eth0", "")};
    auto c = session().create(s);
    std::string host;
    {
        Interactive run(c);
        host = c.info().details["net.eth0.host"];
        ASSERT_FALSE(host.empty());
        EXPECT_EQ(host.rfind("veth", 0), 0u) << host;
        EXPECT_TRUE(host_has(host)) << host;
        run.finish();
    }
    c.destroy();
    EXPECT_TRUE(gone_soon(host));
}

// A container's veth goes with its namespace a little after destroy (the kernel tears it down
// asynchronously): a container started right after, with the same host-end name, waits for
// the name instead of failing, and each one gets a fresh pair marked as libct's.
TEST_F(Network, TheSameHostEndNameRightAfterADestroy) {
    std::string host = dev("r");
    for (int i = 0; i < 5; ++i) {
        auto s = spec({"/bin/sh", "-c", "read end"});
        s.network = {veth("eth0", host)};
        auto c = session().create(s);
        {
            Interactive run(c);
            EXPECT_EQ(sysfs(host, "ifalias"), "libct:eth0") << "run " << i;
            run.finish();
        }
        c.destroy();
    }
    EXPECT_TRUE(gone_soon(host));
}

TEST_F(Network, HostEndIsEnslavedToABridgeAndTrafficFlows) {
    HostDev br{dev("br")};
    sh("ip link add " + br.name + " type bridge && ip link set " + br.name + " up && ip addr add " +
       ip4(2, 1) + "/24 dev " + br.name);
    std::string host = dev("h");
    auto s = spec(
        {"/bin/sh", "-c", "read go; ping -c 1 -W 3 " + ip4(2, 1) + " >/dev/null; echo ping=$?"});
    auto n = veth("eth0", host);
    n.bridge = br.name;
    n.addresses = {ip4(2, 2) + "/24"};
    s.network = {n};
    auto c = session().create(s);
    {
        Interactive run(c);
        EXPECT_EQ(fs::read_symlink("/sys/class/net/" + host + "/master").filename(), br.name);
        // The bridge forwards only once the port has left the listening state (no STP: at
        // once, but the kernel does it asynchronously).
        for (int i = 0; i < 50 && sysfs(host, "brport/state") != "3"; ++i) usleep(20000);
        run.say("go\n");
        EXPECT_EQ(run.finish(), "ping=0\n");
    }
    c.destroy();
}

TEST_F(Network, BridgeMustExistAndBeABridge) {
    auto s = spec({"/bin/true"});
    auto n = veth("eth0", dev("h"));
    n.bridge = dev("nobr");
    s.network = {n};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        std::string w = e.what();
        EXPECT_NE(w.find("network[0] (veth eth0): bridge '" + n.bridge + "' does not exist"),
                  std::string::npos)
            << w;
    }
    TestVeth t(dev("a"), dev("b"));
    s.network[0].bridge = t.b.name;
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("is not a bridge (it is a veth)"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(session().list().empty());
}

// The device of a hostnic test: the far end of a veth pair the test makes (this kernel may
// have no dummy driver), with a known MAC and MTU to check they come back as they were.
struct HostNicFixture {
    TestVeth pair;
    std::string mac, mtu;
    HostNicFixture(const std::string &a, const std::string &b) : pair(a, b) {
        sh("ip link set " + a + " address 02:00:00:aa:bb:01 mtu 1450");
        mac = sysfs(a, "address");
        mtu = sysfs(a, "mtu");
    }
    void expect_back_on_host() const {
        ASSERT_TRUE(host_has(pair.a.name)) << "the host device did not come back";
        EXPECT_EQ(sysfs(pair.a.name, "address"), mac);
        EXPECT_EQ(sysfs(pair.a.name, "mtu"), mtu);
        EXPECT_EQ(sysfs(pair.a.name, "flags").back() & 1, 1) << "it was up before";
    }
};

TEST_F(Network, HostNicMovesInWorksAndComesBackOnDestroy) {
    HostNicFixture hn(dev("a"), dev("b"));
    sh("ip addr add " + ip4(3, 1) + "/24 dev " + hn.pair.b.name);
    auto s = spec({"/bin/sh", "-c",
                   "ls /sys/class/net | tr '\\n' ' '; cat /sys/class/net/eth1/mtu "
                   "/sys/class/net/eth1/address; ping -c 1 -W 3 " +
                       ip4(3, 1) + " >/dev/null; echo ping=$?; read end"});
    auto n = hostnic(hn.pair.a.name, "eth1");
    n.mtu = 1300;
    n.mac = "02:00:00:aa:bb:02";
    n.addresses = {ip4(3, 2) + "/24"};
    s.network = {n};
    auto c = session().create(s);
    {
        Interactive run(c);
        EXPECT_FALSE(host_has(hn.pair.a.name)) << "the device is still on the host";
        EXPECT_EQ(c.info().details["net.eth1.host"], hn.pair.a.name);
        EXPECT_EQ(run.finish(), "eth1 lo 1300\n02:00:00:aa:bb:02\nping=0\n");
    }
    // The container has ended: a veth end would have died with its namespace, had it not
    // been kept for the device to be given back.
    EXPECT_FALSE(host_has(hn.pair.a.name));
    c.destroy();
    hn.expect_back_on_host();
}

TEST_F(Network, RefusedDestroyOfARunningContainerLeavesItsHostNicInside) {
    HostNicFixture hn(dev("a"), dev("b"));
    auto s = spec({"/bin/sh", "-c", "read end; ls /sys/class/net | tr '\\n' ' '"});
    auto n = hostnic(hn.pair.a.name, "eth1");
    s.network = {n};
    auto c = session().create(s);
    {
        Interactive run(c);
        try {
            c.destroy();
            ADD_FAILURE() << "destroy of a running container succeeded without force";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::bad_state) << e.what();
        }
        EXPECT_FALSE(host_has(hn.pair.a.name)) << "the refused destroy gave the device back";
        EXPECT_EQ(run.finish(), "eth1 lo ");
    }
    c.destroy();
    hn.expect_back_on_host();
}

TEST_F(Network, HostNicComesBackWhenTheStartFails) {
    HostNicFixture hn(dev("a"), dev("b"));
    auto s = spec({"/bin/no-such-command"});
    auto n = hostnic(hn.pair.a.name);
    s.network = {n};
    auto c = session().create(s);
    EXPECT_THROW(c.start(), Error);
    hn.expect_back_on_host();
    c.destroy();
    hn.expect_back_on_host();
}

TEST_F(Network, HostNicComesBackAfterTheCreatingProcessCrashed) {
    HostNicFixture hn(dev("a"), dev("b"));
    auto s = spec({"/bin/sleep", "100"});
    auto n = hostnic(hn.pair.a.name, "eth1");
    s.network = {n};
    std::string u = uri();
    pid_t p = fork();
    ASSERT_GE(p, 0);
    if (p == 0) {
        // Creates and starts, then dies without a word: no destroy, no unwinding.
        try {
            auto sess = Session::open(u);
            StartOptions o;
            o.stdio = {-1, -1, -1};
            sess.create(s).start(o);
        } catch (...) {
            _exit(1);
        }
        _exit(0);
    }
    int st = 0;
    ASSERT_EQ(waitpid(p, &st, 0), p);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "the creating process failed";
    EXPECT_FALSE(host_has(hn.pair.a.name));
    session().get(s.name).destroy(true);
    hn.expect_back_on_host();
}

TEST_F(Network, HostNicGoesInAgainOnARestart) {
    HostNicFixture hn(dev("a"), dev("b"));
    auto s = spec({"/bin/sh", "-c", "ls /sys/class/net | tr '\\n' ' '"});
    auto n = hostnic(hn.pair.a.name, "eth1");
    s.network = {n};
    auto c = session().create(s);
    EXPECT_EQ(run_captured(c).out, "eth1 lo ");
    // The first run's namespace still holds the device: the second start takes it from there.
    EXPECT_EQ(run_captured(c).out, "eth1 lo ");
    c.destroy();
    hn.expect_back_on_host();
}

TEST_F(Network, HostNicWhoseNameWasTakenComesBackUnderAFreeName) {
    HostNicFixture hn(dev("a"), dev("b"));
    auto s = spec({"/bin/sleep", "100"});
    auto n = hostnic(hn.pair.a.name);
    s.network = {n};
    auto c = session().create(s);
    StartOptions o;
    o.stdio = {-1, -1, -1};
    c.start(o);
    // Meanwhile the host gets another device of that name.
    TestVeth usurper(hn.pair.a.name, dev("u"));
    c.destroy(true);
    std::string back;
    for (const auto &e : fs::directory_iterator("/sys/class/net"))
        if (sysfs(e.path().filename(), "address") == hn.mac) back = e.path().filename();
    HostDev cleanup{back};
    EXPECT_EQ(back.rfind("dev", 0), 0u) << "came back as '" << back << "'";
    EXPECT_EQ(sysfs(back, "mtu"), hn.mtu);
}

TEST_F(Network, DetachedStartSetsUpTheNetworkToo) {
    // A detached start configures the network from the monitor process, not the caller.
    HostNicFixture hn(dev("a"), dev("b"));
    std::string host = dev("h");
    auto s = spec({"/bin/sleep", "100"});
    NetInterfaceSpec h;
    h.type = "hostnic";
    h.host_name = hn.pair.a.name;
    h.name = "eth1";
    auto v = veth("eth0", host);
    v.addresses = {ip4(10, 2) + "/24"};
    s.network = {v, h};
    auto c = session().create(s);
    StartOptions o;
    o.detach = true;
    o.stdio = {-1, -1, -1};
    c.start(o);
    EXPECT_TRUE(host_has(host));
    EXPECT_FALSE(host_has(hn.pair.a.name));
    sh("ip addr add " + ip4(10, 1) + "/24 dev " + host);
    bool ok = false;
    std::string p = sh("busybox ping -c 1 -W 3 " + ip4(10, 2), &ok);
    EXPECT_TRUE(ok) << p;
    c.destroy(true);
    EXPECT_TRUE(gone_soon(host));
    hn.expect_back_on_host();
}

TEST_F(Network, MacvlanOnAHostParent) {
    TestVeth parent(dev("a"), dev("b"));
    sh("ip addr add " + ip4(4, 1) + "/24 dev " + parent.b.name);
    auto s = spec({"/bin/sh", "-c",
                   "cat /sys/class/net/mv0/address; ping -c 1 -W 3 " + ip4(4, 1) +
                       " >/dev/null; echo ping=$?"});
    NetInterfaceSpec n;
    n.type = "macvlan";
    n.name = "mv0";
    n.link = parent.a.name;
    n.mac = "02:00:00:cc:00:01";
    n.addresses = {ip4(4, 2) + "/24"};
    s.network = {n};
    EXPECT_EQ(run(s).out, "02:00:00:cc:00:01\nping=0\n");
}

TEST_F(Network, VlanOnAHostParent) {
    TestVeth parent(dev("a"), dev("b"));
    bool ok = false;
    std::string probe =
        sh("ip link add link " + parent.b.name + " name " + dev("bv") + " type vlan id 7", &ok);
    HostDev far{dev("bv")};
    if (!ok) GTEST_SKIP() << "this kernel has no 802.1Q vlan support: " << probe;
    sh("ip link set " + far.name + " up && ip addr add " + ip4(5, 1) + "/24 dev " + far.name);
    auto s = spec({"/bin/sh", "-c", "ping -c 1 -W 3 " + ip4(5, 1) + " >/dev/null; echo ping=$?"});
    NetInterfaceSpec n;
    n.type = "vlan";
    n.name = "v7";
    n.link = parent.a.name;
    n.vlan_id = 7;
    n.addresses = {ip4(5, 2) + "/24"};
    s.network = {n};
    EXPECT_EQ(run(s).out, "ping=0\n");
}

TEST_F(Network, VlanNeedsKernelSupportOrWorks) {
    // Whatever the kernel: a clear answer, and nothing left on the host.
    TestVeth parent(dev("a"), dev("b"));
    auto before = sh("ls /sys/class/net");
    auto s = spec({"/bin/true"});
    NetInterfaceSpec n;
    n.type = "vlan";
    n.name = "v7";
    n.link = parent.a.name;
    n.vlan_id = 7;
    s.network = {n};
    auto c = session().create(s);
    try {
        run_captured(c);
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::unsupported) << e.what();
        EXPECT_NE(std::string(e.what()).find("network[0] (vlan v7): create the vlan on host "
                                             "device '" +
                                             parent.a.name + "'"),
                  std::string::npos)
            << e.what();
    }
    c.destroy();
    EXPECT_EQ(netdevs_settle(before), before);
}

TEST_F(Network, RoutesAndGatewayAreVisibleInside) {
    auto s = spec({"/bin/sh", "-c", "ip route; echo --; ip -6 route | grep -v '^fe80'"});
    auto n = veth("eth0", dev("h"));
    n.addresses = {ip4(6, 2) + "/24", ip6(6, 2) + "/64"};
    n.gateway = ip4(6, 1);
    n.routes = {{ip4(7, 0) + "/24", ip4(6, 254), 50},
                {"192.168.77.0/24", "", 0},
                {"default", ip6(6, 1), 0}};
    s.network = {n};
    auto r = run(s);
    // busybox pads some columns with two spaces.
    for (size_t p; (p = r.out.find("  ")) != std::string::npos;) r.out.erase(p, 1);
    EXPECT_NE(r.out.find("default via " + ip4(6, 1) + " dev eth0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(ip4(7, 0) + "/24 via " + ip4(6, 254) + " dev eth0 metric 50"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("192.168.77.0/24 dev eth0 scope link"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("default via " + ip6(6, 1) + " dev eth0"), std::string::npos) << r.out;
}

TEST_F(Network, MissingHostDeviceFailsCreateCleanly) {
    auto s = spec({"/bin/true"});
    auto n = hostnic(dev("gone"));
    s.network = {veth("eth0", dev("h")), n};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        std::string w = e.what();
        EXPECT_NE(w.find("network[1] (hostnic " + n.host_name + "): host device '" + n.host_name +
                         "' does not exist on the host"),
                  std::string::npos)
            << w;
    }
    EXPECT_TRUE(session().list().empty());
    EXPECT_FALSE(host_has(dev("h")));
}

TEST_F(Network, HostNameCollisionFailsCleanly) {
    TestVeth taken(dev("a"), dev("b"));
    auto s = spec({"/bin/true"});
    s.network = {veth("eth0", taken.a.name)};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exists);
        EXPECT_NE(std::string(e.what()).find("network[0] (veth eth0): a network device named '" +
                                             taken.a.name + "' already exists on the host"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(session().list().empty());
}

TEST_F(Network, FailureAtStartRollsBackEveryDevice) {
    // Three ways to fail at start, each after a veth was made: a name taken since create, a
    // parent device gone since create, a gateway that cannot be reached.
    auto before = sh("ls /sys/class/net");
    {
        auto s = spec({"/bin/true"});
        s.network = {veth("eth0", dev("h1")), veth("eth1", dev("h2"))};
        auto c = session().create(s);
        HostDev late{dev("h2")};
        sh("ip link add " + late.name + " type veth peer name " + dev("h2p"));
        try {
            c.start();
            ADD_FAILURE() << "start succeeded";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::exists) << e.what();
            EXPECT_NE(std::string(e.what()).find("network[1] (veth eth1)"), std::string::npos)
                << e.what();
        }
        EXPECT_TRUE(gone_soon(dev("h1"))) << "the first veth was left behind";
        EXPECT_EQ(c.state(), State::created);
        c.destroy();
    }
    {
        auto parent = std::make_unique<TestVeth>(dev("a"), dev("b"));
        auto s = spec({"/bin/true"});
        NetInterfaceSpec m;
        m.type = "macvlan";
        m.name = "mv0";
        m.link = parent->a.name;
        s.network = {veth("eth0", dev("h1")), m};
        auto c = session().create(s);
        parent.reset();
        try {
            c.start();
            ADD_FAILURE() << "start succeeded";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::not_found) << e.what();
            EXPECT_NE(std::string(e.what()).find("network[1] (macvlan mv0): parent device"),
                      std::string::npos)
                << e.what();
        }
        EXPECT_TRUE(gone_soon(dev("h1")));
        c.destroy();
    }
    {
        auto s = spec({"/bin/true"});
        auto n = veth("eth0", dev("h1"));
        n.addresses = {ip4(8, 2) + "/24"};
        n.gateway = ip4(9, 1);  // not on any network of the container
        s.network = {n};
        auto c = session().create(s);
        try {
            c.start();
            ADD_FAILURE() << "start succeeded";
        } catch (const Error &e) {
            std::string w = e.what();
            EXPECT_NE(w.find("network[0] (veth eth0): add route to default via " + ip4(9, 1)),
                      std::string::npos)
                << w;
        }
        EXPECT_TRUE(gone_soon(dev("h1")));
        c.destroy();
    }
    EXPECT_EQ(netdevs_settle(before), before);
}

TEST_F(Network, TheSpecRoundTripsAndBadRoutesNameTheirField) {
    auto s = spec({"/bin/true"});
    auto n = veth("eth0", dev("h"));
    n.mtu = 1400;
    n.mac = "02:00:00:00:00:09";
    n.addresses = {ip4(11, 2) + "/24", ip6(11, 2) + "/64"};
    n.gateway = ip4(11, 1);
    n.routes = {{ip4(12, 0) + "/24", ip4(11, 254), 7}, {"default", ip6(11, 1), 0}};
    s.network = {n};
    auto c = session().create(s);
    EXPECT_EQ(c.info().spec.network, s.network);  // through the backend's JSON and back
    c.destroy();

    s.network[0].routes = {{ip4(12, 0) + "/24", "10.0.0.300", 0}};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("network[0].routes[0].via: '10.0.0.300' is not an "
                                             "IP address"),
                  std::string::npos)
            << e.what();
    }
    s.network[0].routes = {{ip4(12, 0) + "/24", ip6(11, 1), 0}};
    EXPECT_THROW(session().create(s), Error);  // a v4 network through a v6 gateway
    EXPECT_TRUE(session().list().empty());
}

TEST_F(Network, InterfacesCannotGoIntoAJoinedNamespace) {
    auto s = spec({"/bin/true"});
    s.namespaces = default_namespaces();
    for (auto &ns : *s.namespaces)
        if (ns.type == Namespace::net) ns.path = "/proc/self/ns/net";
    s.network = {veth("eth0", dev("h"))};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("network[0]: network interfaces need a new net "
                                             "namespace"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(host_has(dev("h")));
}

// Engines make a container's (or a pod's) network namespace themselves and pass its path with
// the sysctls to set there (Podman: net.ipv4.ping_group_range). They are written into the
// joined namespace; never into the host's (the caller's), which create refuses by name.
TEST_F(Network, SysctlsGoIntoAJoinedNamespaceButNeverTheHosts) {
    const std::string knob = "/proc/sys/net/ipv4/ping_group_range";
    const std::string host_before = read_text(knob);
    auto a = session().create(spec({"/bin/sleep", "100"}, "owner"));
    int64_t pid = a.start(StartOptions{{-1, -1, -1}, false});
    auto joined = [&](const std::string &netns) {
        auto s = spec({"/bin/cat", knob}, "joiner");
        s.namespaces = default_namespaces();
        for (auto &ns : *s.namespaces)
            if (ns.type == Namespace::net) ns.path = netns;
        s.sysctl = {{"net.ipv4.ping_group_range", "7 7"}};
        return s;
    };
    auto r = run(joined("/proc/" + std::to_string(pid) + "/ns/net"));
    EXPECT_EQ(r.out, "7\t7\n") << r.err;
    ProcessSpec p;
    p.args = {"/bin/cat", knob};
    EXPECT_EQ(exec_captured(a, p).out, "7\t7\n");  // the owner's namespace has it
    try {
        session().create(joined("/proc/self/ns/net"));
        ADD_FAILURE() << "a sysctl for the host's network namespace was accepted";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(
            std::string(e.what()).find("sysctl.net.ipv4.ping_group_range: the net "
                                       "namespace /proc/self/ns/net is the host's: setting it"),
            std::string::npos)
            << e.what();
    }
    EXPECT_EQ(read_text(knob), host_before);
    a.destroy(true);
    EXPECT_TRUE(session().list().empty());
}

}  // namespace
}  // namespace ct::test
