// The whole openvz backend, driven through the real `ct` command (and, for what `ct` cannot
// reach without a second host or a terminal, through libct's API and the backend's C table),
// against a stateful fake host: tests/openvz/fake/{vzctl,vzlist,vzmigrate} keep an OpenVZ host's
// files under a private root (openvz:///?root=ROOT&bin=FAKE). The fake records the behaviours
// it was asked for; the scenario test checks that every one of them was exercised, and that the
// backend never produced a command line the fake does not accept.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "conf.hpp"
#include "ct/driver.h"
#include "ct/internal/document.hpp"
#include "ct/session.hpp"

extern char **environ;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kCt = std::string(CT_TEST_BIN_DIR) + "/ct";
const std::string kFake = CT_OPENVZ_FAKE;

struct Out {
    int code = -1;
    std::string out, err;
};

// Runs argv with `extra` added to the environment, `input` on stdin; collects everything.
Out run(const std::vector<std::string> &argv, const std::vector<std::string> &extra = {},
        const std::string &input = "") {
    std::vector<std::string> env;
    for (char **e = environ; *e; ++e) {
        std::string kv = *e;
        bool replaced = false;
        for (const auto &x : extra)
            replaced |= kv.substr(0, kv.find('=') + 1) == x.substr(0, x.find('=') + 1);
        if (!replaced) env.push_back(kv);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    std::vector<char *> a, e;
    for (auto &s : const_cast<std::vector<std::string> &>(argv)) a.push_back(s.data());
    a.push_back(nullptr);
    for (auto &s : env) e.push_back(s.data());
    e.push_back(nullptr);
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) return {};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    pid_t pid;
    int rc = ::posix_spawn(&pid, a[0], &fa, nullptr, a.data(), e.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    Out r;
    if (rc != 0) {
        r.err = std::strerror(rc);
        return r;
    }
    ::signal(SIGPIPE, SIG_IGN);
    if (!input.empty()) (void)!::write(in[1], input.data(), input.size());
    ::close(in[1]);
    pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string *dst[2] = {&r.out, &r.err};
    int open = 2;
    char buf[4096];
    while (open > 0 && ::poll(p, 2, 20000) > 0) {
        for (int i = 0; i < 2; ++i) {
            if (p[i].fd < 0 || !p[i].revents) continue;
            ssize_t n = ::read(p[i].fd, buf, sizeof buf);
            if (n > 0) {
                dst[i]->append(buf, static_cast<size_t>(n));
            } else {
                ::close(p[i].fd);
                p[i].fd = -1;
                --open;
            }
        }
    }
    for (auto &x : p)
        if (x.fd >= 0) ::close(x.fd);
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

std::string slurp(const std::string &p) {
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write(const std::string &p, const std::string &text, bool append = false) {
    std::ofstream out(p, append ? std::ios::app : std::ios::trunc);
    out << text;
}

// Field 22 of /proc/<pid>/stat: tells a process from a later one with the same pid.
std::string start_time(int pid) {
    std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) return "";
    std::istringstream in(stat.substr(close + 2));
    std::string f;
    for (int i = 3; i <= 22 && in >> f; ++i) {
    }
    return f;
}

std::set<std::string> lines(const std::string &text) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.insert(l);
    return out;
}

// A fake OpenVZ host under a private root.
std::string make_host(const std::string &tag) {
    char tmpl[] = "/tmp/ct-openvz-fake-XXXXXX";
    if (!::mkdtemp(tmpl)) return "";
    std::string r = std::string(tmpl) + "-" + tag;
    fs::rename(tmpl, r);
    for (const char *d : {"/proc/vz", "/etc/vz/conf", "/vz/template/cache", "/vz/dump",
                          "/vz/private", "/vz/root", "/srv"})
        fs::create_directories(r + d);
    std::string fx = CT_OPENVZ_FIXTURES;
    // The fixture's vz.conf, with this host's paths appended: the last value of a key wins.
    write(r + "/etc/vz/vz.conf",
          slurp(fx + "/etc/vz/vz.conf") + "\n# fake host paths\nVE_ROOT=" + r +
              "/vz/root/$VEID\nVE_PRIVATE=" + r + "/vz/private/$VEID\nTEMPLATE=" + r +
              "/vz/template\nDUMPDIR=" + r + "/vz/dump\nCONFIGFILE=\"vswap-1g\"\n");
    for (const char *s : {"ve-vswap-1g.conf-sample", "ve-basic.conf-sample"})
        fs::copy_file(fx + "/etc/vz/conf/" + s, r + "/etc/vz/conf/" + s);
    write(r + "/vz/template/cache/centos-7-x86_64.tar.gz", "");
    write(r + "/proc/vz/veinfo", "         0     0   187\n");
    write(r + "/proc/vz/vestat", "Version: 2.2\n");
    write(r + "/proc/user_beancounters", "Version: 2.5\n");
    return r;
}

class FakeHost : public ::testing::Test {
  protected:
    void SetUp() override {
        root = make_host("a");
        ASSERT_FALSE(root.empty());
        uri = "openvz:///?root=" + root + "&bin=" + kFake;
        env = {"FAKE_VZ_ROOT=" + root};
    }
    void TearDown() override {
        // Nothing the fake started may outlive the test.
        auto st = slurp(root + "/var/fake-vz/state.json");
        if (!st.empty()) {
            json all = json::parse(st);
            for (auto &[ctid, s] : all.items())
                for (auto p : s.value("procs", json::array()))
                    EXPECT_NE(start_time(p[0].get<int>()), p[1].get<std::string>())
                        << "process " << p[0] << " of container " << ctid << " was left running";
        }
        if (std::getenv("CT_OPENVZ_KEEP")) return;
        fs::remove_all(root);
        for (const auto &p : extra_roots) fs::remove_all(p);
    }
    Out ct(std::vector<std::string> args, const std::string &input = "") {
        args.insert(args.begin(), {kCt, "-c", uri});
        return run(args, env, input);
    }
    json info(const std::string &ctid) {
        auto r = ct({"info", ctid, "--json"});
        EXPECT_EQ(r.code, 0) << r.err;
        return r.code == 0 ? json::parse(r.out) : json::object();
    }
    std::string spec_file(const std::string &name, const std::string &yaml) {
        std::string p = root + "/" + name + ".yaml";
        write(p, yaml);
        return p;
    }
    std::set<std::string> branches() { return lines(slurp(root + "/fake-branches.log")); }

    std::string root, uri;
    std::vector<std::string> env;
    std::vector<std::string> extra_roots;
};

// The backend's C table, loaded the way libct loads it, for the calls `ct` cannot make here.
struct Driver {
    const ct_backend *b = nullptr;
    ct_session *s = nullptr;
    std::string error;
    explicit Driver(const std::string &uri) {
        void *h = ::dlopen((std::string(CT_TEST_BACKEND_DIR) + "/ct-backend-openvz.so").c_str(),
                           RTLD_NOW | RTLD_LOCAL);
        if (!h) return;
        auto entry = reinterpret_cast<ct_backend_entry_fn>(::dlsym(h, CT_BACKEND_ENTRY_SYMBOL));
        b = entry();
        call([&](ct_out *err) { return b->ops.open(nullptr, uri.c_str(), &s, err); });
    }
    ~Driver() {
        if (s) b->ops.close(s);
    }
    struct Sink : ct_out {
        std::string data;
        Sink() {
            put = [](ct_out *self, const char *d, size_t n) {
                static_cast<Sink *>(self)->data.append(d, n);
            };
            set_errno = nullptr;
        }
    };
    template <class F>
    int call(F &&fn) {
        Sink err;
        int rc = fn(&err);
        error = err.data;
        return rc;
    }
    int migrate(const std::string &ctid, const std::string &opts) {
        return call(
            [&](ct_out *err) { return b->ops.migrate(s, ctid.c_str(), opts.c_str(), err); });
    }
};

}  // namespace

TEST_F(FakeHost, EveryBranchOfTheFakeHostThroughCt) {
    // create from a template: vzctl create, then vzctl set --save for the rest.
    auto spec = spec_file("web", R"(
name: "7101"
hostname: web.example.com
openvz:
  ostemplate: centos-7-x86_64
  ip: [10.1.0.2]
  nameservers: [10.1.0.1]
  beancounters: {numtcpsock: 500}
resources:
  memory: 256M
  memory_swap: 512M
  pids: 64
  cpu: {shares: 700}
network:
  - {type: veth, name: eth0, host_name: veth7101.0, bridge: br0}
)");
    auto r = ct({"create", spec});
    ASSERT_EQ(r.code, 0) << r.err;
    auto conf = ct::openvz::Conf::load(root + "/etc/vz/conf/7101.conf").values();
    EXPECT_EQ(conf["OSTEMPLATE"], "centos-7-x86_64");
    EXPECT_EQ(conf["HOSTNAME"], "web.example.com");
    EXPECT_EQ(conf["IP_ADDRESS"], "10.1.0.2");
    EXPECT_EQ(conf["PHYSPAGES"], "0:65536");
    EXPECT_EQ(conf["SWAPPAGES"], "0:65536");
    EXPECT_EQ(conf["NUMPROC"], "64:64");
    EXPECT_EQ(conf["CPUUNITS"], "700");
    EXPECT_EQ(conf["NUMTCPSOCK"], "500");
    EXPECT_EQ(conf["NETIF"], "ifname=eth0,host_ifname=veth7101.0,bridge=br0");
    EXPECT_TRUE(fs::exists(root + "/vz/private/7101/etc/fake-template"));
    EXPECT_EQ(info("7101")["state"], "created");

    // A template the host does not have: vzctl's words, nothing left behind.
    auto bad = spec_file("bad", "name: \"7109\"\nopenvz: {ostemplate: nosuch-os}\n");
    r = ct({"create", bad});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("Cache file " + root + "/vz/template/cache/nosuch-os.tar.gz not found"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7109.conf"));
    EXPECT_FALSE(fs::exists(root + "/var/lib/ct/openvz/7109"));

    // A system container boots its own init; the kernel files show it.
    r = ct({"start", "7101"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto i = info("7101");
    EXPECT_EQ(i["state"], "running");
    EXPECT_EQ(i["pid"], 800000 + 7101 % 100000 * 2);
    EXPECT_EQ(i["details"]["mode"], "system");
    EXPECT_NE(slurp(root + "/proc/vz/veinfo").find("7101"), std::string::npos);

    // exec: exit codes and stdio through vzctl exec2.
    r = ct({"exec", "7101", "--", "sh", "-c", "echo out; echo err >&2; exit 7"});
    EXPECT_EQ(r.code, 7);
    EXPECT_EQ(r.out, "out\n");
    EXPECT_NE(r.err.find("err\n"), std::string::npos);
    r = ct({"exec", "7101", "--", "cat"}, "hello through stdin\n");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "hello through stdin\n");
    r = ct({"exec", "7101", "--", "printf", "%s|", "a b", "it's", "$HOME"});
    EXPECT_EQ(r.out, "a b|it's|$HOME|");  // every argument arrives as it was given

    // update of a running container; stats from the beancounters it now shows.
    r = ct({"update", "7101", "--memory", "512M"});
    ASSERT_EQ(r.code, 0) << r.err;
    r = ct({"stats", "7101", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto st = json::parse(r.out);
    EXPECT_EQ(st["memory"]["limit"], int64_t{512} << 20);
    EXPECT_EQ(st["memory"]["usage"], 2048 * 4096);
    EXPECT_EQ(st["pids"]["limit"], 64);
    EXPECT_EQ(st["beancounters"]["numtcpsock"]["limit"], 500);
    EXPECT_EQ(st["beancounters"]["kmemsize"]["limit"], -1);
    // 150 user + 3 nice and 75 system jiffies at the HZ (1000) of the fake's uptime columns.
    EXPECT_EQ(st["cpu"]["user_ns"], 153000000u);
    EXPECT_EQ(st["cpu"]["system_ns"], 75000000u);
    r = ct({"ps", "7101", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto ps = json::parse(r.out);
    ASSERT_EQ(ps.size(), 2u);
    EXPECT_EQ(ps[0]["ns_pid"], 1);
    EXPECT_EQ(ps[1]["command"], "sshd");

    // pause/resume are vzctl suspend/resume on legacy: a dump to disk, "down suspended".
    ASSERT_EQ(ct({"pause", "7101"}).code, 0);
    i = info("7101");
    EXPECT_EQ(i["state"], "paused");
    EXPECT_EQ(i["details"]["status"], "suspended");
    r = ct({"start", "7101"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("container 7101 is paused (resume it)"), std::string::npos) << r.err;
    ASSERT_EQ(ct({"resume", "7101"}).code, 0);
    EXPECT_EQ(info("7101")["state"], "running");

    // Signals: INT reboots (vzctl restart), others reach the container's init, TERM stops
    // cleanly, KILL stops at once.
    ASSERT_EQ(ct({"kill", "7101", "INT"}).code, 0);
    ASSERT_EQ(ct({"kill", "7101", "HUP"}).code, 0);
    ASSERT_EQ(ct({"kill", "7101", "USR1", "--all"}).code, 0);
    EXPECT_EQ(slurp(root + "/fake-signals.log"), "7101 1 1\n7101 10 -1\n");
    ASSERT_EQ(ct({"kill", "7101"}).code, 0);
    EXPECT_EQ(info("7101")["state"], "stopped");
    ASSERT_EQ(ct({"start", "7101"}).code, 0);
    ASSERT_EQ(ct({"kill", "7101", "KILL"}).code, 0);
    EXPECT_EQ(info("7101")["state"], "stopped");

    // checkpoint: step by step when it keeps running, in one go otherwise; restore.
    ASSERT_EQ(ct({"start", "7101"}).code, 0);
    std::string cp1 = root + "/images/one", cp2 = root + "/images/two";
    r = ct({"checkpoint", "7101", "--dir", cp1, "--leave-running"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(info("7101")["state"], "running");
    EXPECT_EQ(slurp(cp1 + "/openvz.dump"), "FAKE-DUMP ctid=7101\n");
    r = ct({"checkpoint", "7101", "--dir", cp2});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(info("7101")["state"], "stopped");
    r = ct({"restore", "7101", "--dir", cp2});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(info("7101")["state"], "running");

    // list, with states, from vzlist.
    r = ct({"list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto all = json::parse(r.out);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0]["name"], "7101");
    EXPECT_EQ(all[0]["state"], "running");

    // destroy: refused while running, forced: stopped and removed.
    r = ct({"destroy", "7101"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is running"), std::string::npos) << r.err;
    ASSERT_EQ(ct({"destroy", "7101", "--force"}).code, 0);
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7101.conf"));
    EXPECT_FALSE(fs::exists(root + "/vz/private/7101"));
    EXPECT_FALSE(fs::exists(root + "/var/lib/ct/openvz/7101"));
    r = ct({"info", "7101"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("no container 7101"), std::string::npos) << r.err;

    // An application container from the caller's directory: `ct run` boots it, runs the
    // command with ct's stdio, exits with its code, and destroys the container but keeps the
    // directory.
    fs::create_directories(root + "/srv/app/etc");
    auto app = spec_file(
        "app", "name: \"7102\"\nrootfs: " + root + "/srv/app\nhostname: app\nopenvz: {}\n");
    r = ct({"run", app, "--", "sh", "-c", "echo hi; read x; echo got $x; exit 3"}, "input\n");
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_EQ(r.out, "hi\ngot input\n");
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7102.conf"));
    EXPECT_TRUE(fs::exists(root + "/etc/vz/conf/7102.conf.destroyed"));
    EXPECT_TRUE(fs::exists(root + "/srv/app/etc"));

    // A start vzctl refuses: its words, and the container stays as it was.
    fs::create_directories(root + "/srv/off");
    auto off = spec_file("off", "name: \"7103\"\nrootfs: " + root + "/srv/off\nopenvz: {}\n");
    ASSERT_EQ(ct({"create", off}).code, 0);
    write(root + "/etc/vz/conf/7103.conf", "DISABLED=\"yes\"\n", true);  // vzctl set --disabled
    r = ct({"start", "7103"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("Container start disabled"), std::string::npos) << r.err;
    EXPECT_EQ(info("7103")["state"], "created");
    ASSERT_EQ(ct({"destroy", "7103"}).code, 0);

    // A detached application container, waited for from another process after it is killed:
    // stopping the container ends its command.
    fs::create_directories(root + "/srv/bg");
    auto bg = spec_file("bg", "name: \"7104\"\nrootfs: " + root +
                                  "/srv/bg\nopenvz: {}\nprocess: {args: [sleep, '30']}\n");
    ASSERT_EQ(ct({"create", bg}).code, 0);
    r = ct({"start", "7104"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(info("7104")["details"]["mode"], "application");
    ASSERT_EQ(ct({"kill", "7104", "KILL"}).code, 0);
    r = ct({"wait", "7104"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "137\n");
    i = info("7104");
    EXPECT_EQ(i["state"], "stopped");
    EXPECT_EQ(i["exit_status"]["signaled"], true);
    ASSERT_EQ(ct({"destroy", "7104"}).code, 0);

    // A terminal: vzctl enter on a pty whose master goes to the console socket (libct's API).
    {
        ::setenv("FAKE_VZ_ROOT", root.c_str(), 1);
        auto s = ct::Session::open(uri);
        fs::create_directories(root + "/srv/tty");
        ct::Spec sp;
        sp.name = "7105";
        sp.rootfs = root + "/srv/tty";
        sp.openvz = ct::OpenVzSpec{};
        auto c = s.create(sp);
        c.start();
        int sv[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        ct::ProcessSpec p;
        p.args = {"sh", "-c", "test -t 0 && echo on-a-tty; exit 5"};
        p.terminal = true;
        ct::StartOptions o;
        o.console_socket = sv[0];
        int64_t pid = c.exec(p, o);
        char byte;
        iovec iov{&byte, 1};
        alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl;
        msg.msg_controllen = sizeof ctl;
        ASSERT_EQ(::recvmsg(sv[1], &msg, 0), 1);
        int master;
        std::memcpy(&master, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof master);
        std::string seen;
        char buf[256];
        ssize_t n;
        while ((n = ::read(master, buf, sizeof buf)) > 0) seen.append(buf, static_cast<size_t>(n));
        EXPECT_NE(seen.find("on-a-tty"), std::string::npos) << seen;
        // vzctl 4.x's banner and the typed line's echo are not the command's output.
        EXPECT_EQ(seen.find("entered into CT"), std::string::npos) << seen;
        EXPECT_EQ(seen.find("__libct_"), std::string::npos) << seen;
        EXPECT_EQ(c.wait_process(pid, std::chrono::seconds(20)).code, 5);
        ::close(master);
        ::close(sv[0]);
        ::close(sv[1]);
        c.destroy(true);
    }

    // Migration (the backend's C table: after a move, libct opens the destination through the
    // remote backend, which needs a real SSH host).
    std::string peer = make_host("peer");
    extra_roots.push_back(peer);
    ::setenv("FAKE_VZ_PEERS", ("node2=" + peer).c_str(), 1);
    ASSERT_EQ(ct({"create", spec}).code, 0);
    ASSERT_EQ(ct({"start", "7101"}).code, 0);
    {
        Driver d(uri);
        ASSERT_TRUE(d.s) << d.error;
        EXPECT_EQ(d.migrate("7101", R"({"to": "openvz+ssh://root@nowhere/"})"), CT_ERR_BACKEND);
        EXPECT_NE(d.error.find("Can't connect to destination"), std::string::npos) << d.error;
        EXPECT_EQ(info("7101")["state"], "running");  // still here
        EXPECT_EQ(d.migrate("7101",
                            R"({"to": "openvz+ssh://root@node2:2222/", "tcp_established": true})"),
                  CT_OK)
            << d.error;
        EXPECT_EQ(d.migrate("7101", R"({"to": "openvz+ssh://node2/", "leave_running": true})"),
                  CT_ERR_UNSUPPORTED);
    }
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7101.conf"));
    EXPECT_FALSE(fs::exists(root + "/var/lib/ct/openvz/7101"));
    auto there =
        run({kCt, "-c", "openvz:///?root=" + peer + "&bin=" + kFake, "info", "7101", "--json"},
            {"FAKE_VZ_ROOT=" + peer});
    ASSERT_EQ(there.code, 0) << there.err;
    EXPECT_EQ(json::parse(there.out)["state"], "running");
    EXPECT_EQ(json::parse(there.out)["spec"]["hostname"], "web.example.com");
    // A stopped container moves offline.
    fs::create_directories(root + "/srv/cold");
    ASSERT_EQ(ct({"create",
                  spec_file("cold", "name: \"7106\"\nrootfs: " + root + "/srv/cold\nopenvz: {}\n")})
                  .code,
              0);
    {
        Driver d(uri);
        EXPECT_EQ(d.migrate("7106", R"({"to": "openvz+ssh://node2/"})"), CT_OK) << d.error;
    }
    auto calls = slurp(root + "/fake-calls.log");
    // Legacy vzmigrate logs in as root@<host> itself: it is given the bare host.
    EXPECT_NE(calls.find(R"(["vzmigrate", "--online", "--ssh=-p 2222", "node2", "7101"])"),
              std::string::npos)
        << calls;
    EXPECT_NE(calls.find(R"(["vzmigrate", "node2", "7106"])"), std::string::npos);
    // Clean up on the peer.
    run({kCt, "-c", "openvz:///?root=" + peer + "&bin=" + kFake, "destroy", "7101", "--force"},
        {"FAKE_VZ_ROOT=" + peer});
    ::unsetenv("FAKE_VZ_PEERS");

    // Every behaviour of the fake host was asked for, and no command line was malformed.
    auto declared = lines(run({kFake + "/vzctl", "--fake-branches"}, env).out);
    auto seen = branches();
    for (const auto &b : lines(slurp(peer + "/fake-branches.log"))) seen.insert(b);
    for (const auto &b : seen) EXPECT_EQ(b.rfind("USAGE-ERROR", 0), std::string::npos) << b;
    for (const auto &b : declared)
        EXPECT_TRUE(seen.count(b)) << "fake branch never exercised: " << b;
    EXPECT_GE(declared.size(), 29u);
}

TEST_F(FakeHost, ToolsFromPathAndAClearErrorWithoutThem) {
    // Without bin=, vzctl and vzlist come from $PATH.
    uri = "openvz:///?root=" + root;
    env.push_back("PATH=" + kFake + ":/usr/bin:/bin");
    auto r = ct({"list"});
    EXPECT_EQ(r.code, 0) << r.err;
    env.back() = "PATH=/nonexistent";
    r = ct({"list"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("OpenVZ host without vzctl: not found in $PATH"), std::string::npos)
        << r.err;
}

TEST_F(FakeHost, RefusesWhatOpenVZCannotDoBeforeTouchingTheHost) {
    auto s = spec_file("ns", R"(
name: "7201"
openvz: {ostemplate: centos-7-x86_64}
namespaces: [mount, pid]
)");
    auto r = ct({"create", s});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("namespaces without 'uts' is not supported by backend openvz"),
              std::string::npos)
        << r.err;
    s = spec_file("maps", R"(
name: "7202"
openvz: {ostemplate: centos-7-x86_64}
namespaces: [mount, uts, ipc, pid, net, user]
uid_map: [{container_id: 0, host_id: 100000, size: 65536}]
gid_map: [{container_id: 0, host_id: 100000, size: 65536}]
)");
    r = ct({"create", s});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("namespaces[5] 'user' is not supported by backend openvz"),
              std::string::npos)
        << r.err;
    r = ct({"create", "--name", "web1", "--rootfs", root, "--", "sh"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is not an OpenVZ CTID"), std::string::npos) << r.err;
    // Nothing ran but the question the session asks once when it opens: vzctl's version.
    for (const auto &l : lines(slurp(root + "/fake-calls.log")))
        EXPECT_EQ(l, R"(["vzctl", "--version"])");
}

// OpenVZ 7: the same backend speaking vzctl 7.x's dialect to a fake that plays OpenVZ 7 (its
// status line, paused state, vzlist without -t, --netif_add without a bridge, ploop only,
// enter without options) and refuses, with the real tool's words and exit code, what it
// would refuse.
TEST_F(FakeHost, OpenVZ7Dialect) {
    env.push_back("FAKE_VZ_GEN=vz7");
    auto spec = spec_file("web7", R"(
name: "7301"
hostname: web7.example.com
openvz:
  ostemplate: centos-7-x86_64
  layout: ploop
resources:
  memory: 256M
network:
  - {type: veth, name: eth0, host_name: veth7301.0, mac: "00:18:51:AA:BB:01"}
)");
    auto r = ct({"create", spec});
    ASSERT_EQ(r.code, 0) << r.err;
    auto conf = ct::openvz::Conf::load(root + "/etc/vz/conf/7301.conf").values();
    EXPECT_EQ(conf["VE_LAYOUT"], "ploop");
    EXPECT_EQ(conf["NETIF"], "ifname=eth0,mac=00:18:51:AA:BB:01,host_ifname=veth7301.0");
    EXPECT_EQ(conf["PHYSPAGES"], "0:65536");

    // What OpenVZ 7's vzctl cannot do is refused before anything runs: a bridge, simfs.
    auto bridged = spec_file("br7",
                             "name: \"7302\"\nopenvz: {ostemplate: centos-7-x86_64}\n"
                             "network: [{type: veth, name: eth0, bridge: br0}]\n");
    r = ct({"create", bridged});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("network[0].bridge is not supported by backend openvz"), std::string::npos)
        << r.err;
    auto simfs = spec_file(
        "simfs7", "name: \"7303\"\nopenvz: {ostemplate: centos-7-x86_64, layout: simfs}\n");
    r = ct({"create", simfs});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("openvz.layout 'simfs' is not supported"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7302.conf"));
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7303.conf"));

    ASSERT_EQ(ct({"start", "7301"}).code, 0);
    auto i = info("7301");
    EXPECT_EQ(i["state"], "running");
    EXPECT_EQ(i["details"]["vzctl"], "vzctl 7.0.205.2 (OpenVZ 7, libvzctl)");
    r = ct({"exec", "7301", "--", "sh", "-c", "echo seven; exit 4"});
    EXPECT_EQ(r.code, 4);
    EXPECT_EQ(r.out, "seven\n");

    // pause is a freeze there: "paused" in vzctl status and vzlist, not a dump.
    ASSERT_EQ(ct({"pause", "7301"}).code, 0);
    EXPECT_EQ(info("7301")["state"], "paused");
    r = ct({"list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto all = json::parse(r.out);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0]["state"], "paused");
    ASSERT_EQ(ct({"resume", "7301"}).code, 0);
    EXPECT_EQ(info("7301")["state"], "running");

    // A checkpoint that leaves the container running cannot be had there; one that stops it can.
    std::string cp = root + "/images/seven";
    r = ct({"checkpoint", "7301", "--dir", cp + "-live", "--leave-running"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("leave_running is not supported by backend openvz on OpenVZ 7"),
              std::string::npos)
        << r.err;
    ASSERT_EQ(ct({"checkpoint", "7301", "--dir", cp}).code, 0);
    EXPECT_EQ(info("7301")["state"], "stopped");
    ASSERT_EQ(ct({"restore", "7301", "--dir", cp}).code, 0);
    EXPECT_EQ(info("7301")["state"], "running");

    // A terminal: `vzctl enter 7301` with no options; libct types the command, and the caller
    // sees only the command's output and gets its exit status.
    {
        ::setenv("FAKE_VZ_ROOT", root.c_str(), 1);
        ::setenv("FAKE_VZ_GEN", "vz7", 1);
        auto s = ct::Session::open(uri);
        auto c = s.get("7301");
        int sv[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        ct::ProcessSpec p;
        p.args = {"sh", "-c", "test -t 0 && echo on-a-tty; exit 6"};
        p.terminal = true;
        ct::StartOptions o;
        o.console_socket = sv[0];
        int64_t pid = c.exec(p, o);
        char byte;
        iovec iov{&byte, 1};
        alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl;
        msg.msg_controllen = sizeof ctl;
        ASSERT_EQ(::recvmsg(sv[1], &msg, 0), 1);
        int master;
        std::memcpy(&master, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof master);
        std::string seen;
        char buf[256];
        ssize_t n;
        while ((n = ::read(master, buf, sizeof buf)) > 0) seen.append(buf, static_cast<size_t>(n));
        EXPECT_NE(seen.find("on-a-tty"), std::string::npos) << seen;
        EXPECT_EQ(seen.find("entered into CT"), std::string::npos) << seen;
        EXPECT_EQ(seen.find("__libct_"), std::string::npos) << seen;
        EXPECT_EQ(c.wait_process(pid, std::chrono::seconds(20)).code, 6);
        ::close(master);
        ::close(sv[0]);
        ::close(sv[1]);
        ::unsetenv("FAKE_VZ_GEN");
    }

    ASSERT_EQ(ct({"destroy", "7301", "--force"}).code, 0);
    EXPECT_FALSE(fs::exists(root + "/etc/vz/conf/7301.conf"));
    EXPECT_FALSE(fs::exists(root + "/var/lib/ct/openvz/7301"));

    auto seen = branches();
    for (const auto &b : seen) EXPECT_EQ(b.rfind("USAGE-ERROR", 0), std::string::npos) << b;
    for (const char *b : {"vzctl.version", "vzctl.status.paused", "vzctl.chkpnt.suspend",
                          "vzctl.chkpnt.resume", "vzctl.enter", "vzlist.list", "vzctl.chkpnt",
                          "vzctl.restore", "vzctl.create.template", "vzctl.exec2"})
        EXPECT_TRUE(seen.count(b)) << "not exercised on OpenVZ 7: " << b;

    // The fake plays OpenVZ 7's tools faithfully: vzlist -t is an error and its usage on
    // stderr with nothing listed, and enter takes no options.
    auto t = run({kFake + "/vzlist", "-a", "-H", "-t", "-o", "ctid,status"}, env);
    EXPECT_EQ(t.code, 1);
    EXPECT_EQ(t.out, "");
    EXPECT_NE(t.err.find("invalid option -- 't'"), std::string::npos);
    t = run({kFake + "/vzctl", "enter", "7301", "--exec", "true"}, env);
    EXPECT_EQ(t.code, 20);  // VZ_INVALID_PARAMETER_SYNTAX
    EXPECT_NE(t.err.find("Invalid options"), std::string::npos) << t.err;
}

// Containers 1..100: OpenVZ documents them as reserved, vzctl lets them be made, and real hosts
// have them. They are listed, described and destroyed like any other.
TEST_F(FakeHost, SmallCtidsAreContainersLikeAnyOther) {
    for (const char *id : {"1", "100"}) {
        fs::create_directories(root + "/srv/ct" + id);
        auto s = spec_file(std::string("small") + id, "name: \"" + std::string(id) +
                                                          "\"\nrootfs: " + root + "/srv/ct" + id +
                                                          "\nopenvz: {}\n");
        auto r = ct({"create", s});
        ASSERT_EQ(r.code, 0) << r.err;
    }
    auto r = ct({"list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto all = json::parse(r.out);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0]["name"], "1");
    EXPECT_EQ(all[1]["name"], "100");
    EXPECT_EQ(info("100")["state"], "created");
    ASSERT_EQ(ct({"start", "100"}).code, 0);
    EXPECT_EQ(info("100")["state"], "running");
    ASSERT_EQ(ct({"destroy", "100", "--force"}).code, 0);
    ASSERT_EQ(ct({"destroy", "1"}).code, 0);
    r = ct({"list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out).size(), 0u);  // "Container(s) not found" is no error
    for (const auto &b : branches()) EXPECT_EQ(b.rfind("USAGE-ERROR", 0), std::string::npos) << b;
}
