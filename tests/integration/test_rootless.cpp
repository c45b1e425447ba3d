// Rootless containers as rootless Podman makes them, for real: each test creates an ordinary
// login user (useradd, with a home and the subordinate id range useradd gives it), makes a
// busybox rootfs in that home as the user, runs `ct` as the user (setpriv; the build tree's, or
// $CT_TEST_CT: tests/install runs these against the installed one) with no
// option asking for a user namespace, and checks what the container is: root inside, the
// caller's own uid outside, container ids 1..65536 on its /etc/subuid range, confined as
// root's containers are. Escape tests: a map of host root or of ids outside the caller's
// ranges is refused before newuidmap runs. The user, its home, its /etc/subuid and
// /etc/subgid lines and its state are removed at the end, and checked gone.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../common/host_ids.hpp"
#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

// `s` as one word for sh.
std::string quoted(const std::string &s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

struct CtResult {
    int rc = -1;
    std::string out, err;
};

// The ct under test: $CT_TEST_CT (an installed one, e.g.), else the build tree's.
std::string ct_binary() {
    const char *e = std::getenv("CT_TEST_CT");
    return e && *e ? e : CT_TEST_CT_BIN;
}

// The pids of processes whose real uid is `uid` or in [lo, hi).
std::vector<long> processes_of(uid_t uid, uint32_t lo, uint32_t hi) {
    std::vector<long> found = processes_in(uid, uid + 1), more = processes_in(lo, hi);
    found.insert(found.end(), more.begin(), more.end());
    return found;
}

class Rootless : public LinuxTest {
  protected:
    void SetUp() override {
        LinuxTest::SetUp();
        if (IsSkipped()) return;
        if (geteuid() != 0) GTEST_SKIP() << "creating the test's user needs root";
        for (const char *t : {"/usr/sbin/useradd", "/usr/bin/newuidmap", "/usr/bin/newgidmap"})
            if (access(t, X_OK) != 0)
                GTEST_SKIP() << t << " is missing (Debian packages passwd and uidmap)";
        // Unique per test process and test: tests of several builds may run at once.
        name_ = "ct-rl" + std::to_string(getpid() % 100000) + "-" + std::to_string(++counter_);
        std::string cmd = "useradd --create-home --shell /bin/sh " + name_ + " >/dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        made_user_ = true;
        struct passwd *pw = getpwnam(name_.c_str());
        ASSERT_NE(pw, nullptr);
        uid_ = pw->pw_uid;
        gid_ = pw->pw_gid;
        home_ = pw->pw_dir;
        sub_uid_ = subid_of("/etc/subuid", name_);
        sub_gid_ = subid_of("/etc/subgid", name_);
        // useradd gives a login user 65536 ids when /etc/login.defs says so (Debian's does);
        // where it did not, the test gives them, as an administrator would.
        if (sub_uid_.count < 65536 || sub_gid_.count < 65536)
            GTEST_SKIP() << "useradd gave " << name_ << " no subordinate range of 65536 ids";
        // The probe: may this user make a user namespace on this kernel at all?
        if (as_user("unshare --user true") != 0)
            GTEST_SKIP() << "the kernel refuses unprivileged user namespaces here";
        // The built ct, its libct.so and backends must be reachable by any user: a build tree
        // under a private directory cannot be tested this way (build it elsewhere).
        ASSERT_EQ(as_user(ct_binary() + " --version >/dev/null 2>&1"), 0)
            << name_ << " cannot run " << ct_binary()
            << ": every directory above the build tree must be searchable by other users";
        rootfs_ = home_ + "/rootfs";
        ASSERT_EQ(as_user(std::string("sh ") + CT_MKROOTFS + " " + rootfs_ + " >/dev/null"), 0);
        out_dir_ = "/tmp/ct-rl-out-" + std::to_string(getpid());
        fs::create_directories(out_dir_);
        temp_dirs_.push_back(out_dir_);
    }

    void TearDown() override {
        if (made_user_) remove_user();
        LinuxTest::TearDown();
    }

    // Everything of the user goes, and is checked gone: its processes (a leak if any is
    // left), its state, its home, its subordinate ranges, the account.
    void remove_user() {
        // A killed container's processes are reaped by whoever they were reparented to,
        // within moments: left behind means still there after seconds.
        auto left = processes_of(uid_, sub_uid_.start, sub_uid_.start + sub_uid_.count);
        for (int i = 0; i < 300 && !left.empty(); ++i) {
            usleep(10000);
            left = processes_of(uid_, sub_uid_.start, sub_uid_.start + sub_uid_.count);
        }
        std::string shown;
        for (long pid : left)
            shown += std::to_string(pid) + ":" +
                     read_text("/proc/" + std::to_string(pid) + "/comm") + " ";
        EXPECT_TRUE(left.empty()) << "processes of " << name_ << " left behind: " << shown;
        for (long pid : left) kill(static_cast<pid_t>(pid), SIGKILL);
        for (int i = 0; i < 200 && !processes_of(uid_, 0, 0).empty(); ++i) usleep(10000);
        std::string state = state_dir();
        if (fs::exists(state + "/linux")) {
            std::string names;
            for (const auto &e : fs::directory_iterator(state + "/linux"))
                names += e.path().filename().string() + " ";
            EXPECT_EQ(names, "") << "containers' state left in " << state;
        }
        fs::remove_all(state);
        std::string cmd = "userdel --remove " + name_ + " >/dev/null 2>&1";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
        EXPECT_EQ(getpwnam(name_.c_str()), nullptr);
        EXPECT_FALSE(fs::exists(home_)) << home_;
        EXPECT_FALSE(fs::exists(state)) << state;
        EXPECT_EQ(subid_of("/etc/subuid", name_).count, 0U) << "an /etc/subuid line left";
        EXPECT_EQ(subid_of("/etc/subgid", name_).count, 0U) << "an /etc/subgid line left";
        made_user_ = false;
    }

    // The user's default state root: no XDG_RUNTIME_DIR in the environment the tests give it.
    std::string state_dir() const { return "/tmp/ct-" + std::to_string(uid_); }

    // A shell command as the user (real, effective and saved ids, its groups), from its home
    // with a login-like environment. Returns the exit code.
    int as_user(const std::string &cmd, const std::string &redirect = "") {
        std::string full =
            "cd " + home_ + " && " + cgroup_prefix_ + "setpriv --reuid=" + std::to_string(uid_) +
            " --regid=" + std::to_string(gid_) +
            " --init-groups env -i PATH=/usr/bin:/bin HOME=" + home_ + " USER=" + name_ +
            " LOGNAME=" + name_ + " sh -c " + quoted(cmd) + redirect;
        int st = std::system(full.c_str());
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }

    // The built `ct` as the user.
    CtResult ct(const std::string &args) { return ct_as(ct_binary(), args); }
    // `ct` (a command line that runs it) as the user.
    CtResult ct_as(const std::string &ct, const std::string &args) {
        std::string o = out_dir_ + "/stdout", e = out_dir_ + "/stderr";
        CtResult r;
        r.rc = as_user(ct + " " + args, " >" + o + " 2>" + e);
        r.out = read_text(o);
        r.err = read_text(e);
        return r;
    }

    static std::string map_line(uint32_t a, uint32_t b, uint32_t c) {
        char l[64];
        std::snprintf(l, sizeof l, "%10u %10u %10u\n", a, b, c);
        return l;
    }

    // Run before setpriv by as_user's root shell (moving itself into cgroups, say).
    std::string cgroup_prefix_;
    static inline int counter_ = 0;
    bool made_user_ = false;
    std::string name_, home_, rootfs_, out_dir_;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    SubidRange sub_uid_, sub_gid_;
};

// Root of a user namespace the user made itself (`unshare -r`: its own id alone, setgroups
// denied; what rootless Podman's runtime is): no privilege on the host, so no cgroup (none can
// be made, none is needed), /dev from the host's nodes (mknod is refused), no devpts gid 5
// (unmapped), no supplementary groups; the container runs, confined, its root the user.
TEST_F(Rootless, RootOfTheUsersOwnUserNamespaceRunsContainers) {
    // Its state goes under its XDG_RUNTIME_DIR (the host root's /run/ct is not its to write).
    std::string xdg = home_ + "/xdg";
    ASSERT_EQ(as_user("mkdir -m 700 " + xdg), 0);
    std::string ct_in_userns = "env XDG_RUNTIME_DIR=" + xdg + " unshare -r " + ct_binary();
    auto r =
        ct_as(ct_in_userns, "run --rootfs " + rootfs_ +
                                " -- /bin/sh -c 'id -u; cat /proc/self/uid_map; ls /proc | grep -c "
                                "\"^[0-9]\"; echo x > /dev/null && head -c 2 /dev/zero | wc -c; "
                                "grep Seccomp: /proc/self/status | tr -d \"\\t\"; touch /by-root'");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "0\n" + map_line(0, uid_, 1) + "3\n2\nSeccomp:2\n");
    struct stat st {};
    ASSERT_EQ(lstat((rootfs_ + "/by-root").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);  // container root is the user on the host
    EXPECT_TRUE(fs::is_directory(xdg + "/ct/linux"));
    EXPECT_EQ(ct_as(ct_in_userns, "list --quiet").out, "");
}

TEST_F(Rootless, TheDefaultIsAUserNamespaceOnTheCallersSubordinateIds) {
    auto r = ct("run --rootfs " + rootfs_ +
                " -- /bin/sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; "
                "touch /owned && chown 1000:1000 /owned && echo chowned; "
                "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \"'");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "0\n0\n" + map_line(0, uid_, 1) + map_line(1, sub_uid_.start, 65536) +
                         map_line(0, gid_, 1) + map_line(1, sub_gid_.start, 65536) +
                         "chowned\nlo\n");
    // Container uid 1000 is the 1000th id of the user's range on the host.
    struct stat st {};
    ASSERT_EQ(lstat((rootfs_ + "/owned").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, sub_uid_.start + 999);
    EXPECT_EQ(st.st_gid, sub_gid_.start + 999);
    // Container root's files are the user's own.
    ASSERT_EQ(lstat((rootfs_ + "/bin/busybox").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);
    // State under the user's own directory, made private, and nothing left there.
    ASSERT_EQ(lstat(state_dir().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);
    EXPECT_EQ(st.st_mode & 077, 0U);
    EXPECT_EQ(ct("list --quiet").out, "");
}

// The container's life as the user: create, start, info, exec, destroy; its init runs as the
// user on the host, and info shows the namespaces and maps the backend chose.
TEST_F(Rootless, ALifeCycleWithExecAndInfo) {
    auto c = ct("create --name rl1 --rootfs " + rootfs_ + " -- /bin/sleep 60");
    ASSERT_EQ(c.rc, 0) << c.err;
    auto s = ct("start rl1");
    ASSERT_EQ(s.rc, 0) << s.err;
    auto info = ct("info rl1 --json");
    auto j = nlohmann::json::parse(info.out);
    long pid = j.at("pid").get<long>();
    EXPECT_EQ(host_uid_of(pid), static_cast<long>(uid_));
    auto ns = j.at("spec").at("namespaces");
    std::string names;
    for (const auto &n : ns) names += n.is_string() ? n.get<std::string>() + " " : "? ";
    EXPECT_EQ(names, "user mount pid uts ipc net ") << ns.dump();
    EXPECT_EQ(j.at("spec").at("uid_map").size(), 2U) << info.out;
    auto e = ct("exec rl1 -- /bin/sh -c 'id -u; hostname'");
    EXPECT_EQ(e.rc, 0) << e.err;
    EXPECT_EQ(e.out, "0\nrl1\n");
    auto d = ct("destroy --force rl1");
    EXPECT_EQ(d.rc, 0) << d.err;
    EXPECT_EQ(ct("list --quiet").out, "");
}

// Issue 11's confinement holds inside the user namespace as in root's containers: the default
// capability set, the seccomp filter, masked paths, a read-only /proc/sys, no nested user
// namespace; no_new_privs stays off unless the spec asks (root's default too).
TEST_F(Rootless, ConfinementStillApplies) {
    auto r = ct("run --rootfs " + rootfs_ +
                " -- /bin/sh -c 'grep -E \"^(CapEff|CapBnd|NoNewPrivs|Seccomp):\" "
                "/proc/self/status; for p in /proc/kcore /proc/keys /proc/timer_list; do "
                "[ -e $p ] && wc -c < $p; done | sort -u; "
                "(echo 1 > /proc/sys/kernel/domainname) 2>/dev/null && echo wrote; "
                "awk \"\\$5 == \\\"/proc/sys\\\" {print substr(\\$6, 1, 3)}\" "
                "/proc/self/mountinfo; unshare -U true 2>/dev/null && echo userns; true'");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out,
              "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t0\n"
              "Seccomp:\t2\n0\nro,\n")
        << r.err;
}

// Escape tests: a non-root caller may not map host root, ids outside its own ranges, or a
// range running past its own; refused before newuidmap runs, and nothing is left behind.
TEST_F(Rootless, MapsBeyondTheCallersRangesAreRefused) {
    const std::string own = std::to_string(uid_);
    const uint32_t end = sub_uid_.start + sub_uid_.count;
    struct Case {
        std::string uid_map, gid_map, refused;
    };
    const std::vector<Case> cases = {
        {"0:0:1", "0:" + std::to_string(gid_) + ":1", "uid_map: host uid 0 cannot be mapped"},
        {"0:" + own + ":1", "0:0:1", "gid_map: host gid 0 cannot be mapped"},
        {"0:" + own + ":1 --uid-map 1:" + std::to_string(end) + ":10",
         "0:" + std::to_string(gid_) + ":1",
         "uid_map: host uid " + std::to_string(end) + "-" + std::to_string(end + 9) +
             " cannot be mapped"},
        {"0:" + std::to_string(sub_uid_.start) + ":" + std::to_string(sub_uid_.count + 1),
         "0:" + std::to_string(sub_gid_.start) + ":10",
         "uid_map: host uid " + std::to_string(sub_uid_.start) + "-" + std::to_string(end) +
             " cannot be mapped"},
    };
    for (const auto &c : cases) {
        auto r = ct("run --name esc --rootfs " + rootfs_ + " --uid-map " + c.uid_map +
                    " --gid-map " + c.gid_map + " -- /bin/true");
        EXPECT_EQ(r.rc, 125) << c.uid_map;
        EXPECT_NE(r.err.find(c.refused), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("/etc/sub"), std::string::npos) << r.err;
        EXPECT_EQ(ct("list --quiet").out, "");
    }
    // Its own range, asked for by the spec, is mapped.
    auto ok = ct("run --rootfs " + rootfs_ + " --uid-map 0:" + std::to_string(sub_uid_.start) +
                 ":100 --gid-map 0:" + std::to_string(sub_gid_.start) +
                 ":100 -- /bin/sh -c 'id -u; cat /proc/self/uid_map'");
    EXPECT_EQ(ok.rc, 0) << ok.err;
    EXPECT_EQ(ok.out, "0\n" + map_line(0, sub_uid_.start, 100));
}

// A user without subordinate ids gets its own id alone (and setgroups denied), as with
// rootless Podman on a host whose /etc/subuid has no line for it.
TEST_F(Rootless, WithoutSubordinateIdsItsOwnIdAlone) {
    std::string cmd = "usermod --del-subuids " + std::to_string(sub_uid_.start) + "-" +
                      std::to_string(sub_uid_.start + sub_uid_.count - 1) + " --del-subgids " +
                      std::to_string(sub_gid_.start) + "-" +
                      std::to_string(sub_gid_.start + sub_gid_.count - 1) + " " + name_;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto r = ct("run --rootfs " + rootfs_ +
                " -- /bin/sh -c 'id -u; cat /proc/self/uid_map /proc/self/setgroups; "
                "chown 1000 /tmp 2>/dev/null || echo no-1000'");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "0\n" + map_line(0, uid_, 1) + "deny\nno-1000\n");
}

// Limits need a cgroup the user may write; with none delegated (this host), a spec asking
// for them is refused naming the cause; interfaces need CAP_NET_ADMIN on the host.
TEST_F(Rootless, LimitsAndInterfacesAreRefusedClearly) {
    auto r = ct("run --rootfs " + rootfs_ + " --memory 64M -- /bin/true");
    EXPECT_EQ(r.rc, 125);
    EXPECT_NE(r.err.find("resources needs cgroups"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("delegate"), std::string::npos) << r.err;
    r = ct("run --rootfs " + rootfs_ + " --net veth:eth0 -- /bin/true");
    EXPECT_EQ(r.rc, 125);
    EXPECT_NE(r.err.find("network[0] (veth eth0): interfaces need CAP_NET_ADMIN"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(ct("list --quiet").out, "");
}

// --net host drops the net namespace from the caller's default, not root's: the user
// namespace stays.
TEST_F(Rootless, NetHostKeepsTheUserNamespace) {
    char host_net[64] = {};
    ASSERT_GT(readlink("/proc/self/ns/net", host_net, sizeof host_net - 1), 0);
    auto r = ct("run --rootfs " + rootfs_ +
                " --net host -- /bin/sh -c 'id -u; readlink /proc/self/ns/net; "
                "wc -l < /proc/self/uid_map'");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "0\n" + std::string(host_net) + "\n2\n");
}

// Issue 12 for a user's containers: no cgroup holds their processes, so a `ct` killed at any
// step of a start (detached, `ct start`; in the foreground, `ct run`) must leave nothing that
// destroy --force cannot end, and nothing runs on once it has.
TEST_F(Rootless, AStartKilledAtAnyStepLeavesNothingRunning) {
    const std::string create = "create --name rlk --rootfs " + rootfs_ + " -- /bin/sleep 1000";
    const std::string run = "run --name rlk --rootfs " + rootfs_ + " -- /bin/sleep 1000";
    // The fault points a start passes, numbered as the process passes them: a traced run of
    // each (as `true`: to its end), counting those of create and start (destroy's come after
    // the command, which `sleep` never reaches).
    auto last_point = [](const std::string &trace) {
        int last = 0;
        std::istringstream in(trace);
        for (std::string l; std::getline(in, l);) {
            int n = 0;
            char what[64] = {};
            if (std::sscanf(l.c_str(), "ct fault point %d: %63[a-z]", &n, what) == 2 &&
                (std::string(what) == "create" || std::string(what) == "start"))
                last = std::max(last, n);
        }
        return last;
    };
    ASSERT_EQ(ct(create).rc, 0);
    auto traced = ct_as("CT_FAULT_TRACE=1 " + ct_binary(), "start rlk");
    ASSERT_EQ(traced.rc, 0) << traced.err;
    int start_points = last_point(traced.err);
    ASSERT_EQ(ct("destroy --force rlk").rc, 0);
    traced = ct_as("CT_FAULT_TRACE=1 " + ct_binary(),
                   "run --name rlk --rootfs " + rootfs_ + " -- /bin/true");
    ASSERT_EQ(traced.rc, 0) << traced.err;
    int run_points = last_point(traced.err);
    ASSERT_GE(start_points, 2) << traced.err;
    ASSERT_GT(run_points, start_points) << traced.err;

    auto gone = [&] {
        for (int i = 0; i < 300; ++i) {
            if (processes_of(uid_, sub_uid_.start, sub_uid_.start + sub_uid_.count).empty())
                return true;
            usleep(10000);
        }
        return false;
    };
    for (bool foreground : {false, true}) {
        int points = foreground ? run_points : start_points;
        for (int step = 1; step <= points; ++step) {
            SCOPED_TRACE(std::string(foreground ? "run" : "start") + " killed at fault point " +
                         std::to_string(step));
            if (!foreground) {
                ASSERT_EQ(ct(create).rc, 0);
            }
            // timeout: a step that kills nothing must not wait for the sleep.
            auto r = ct_as("CT_FAULT_STEP=" + std::to_string(step) + " timeout 30 " + ct_binary(),
                           foreground ? run : "start rlk");
            EXPECT_NE(r.rc, 0) << "not killed";
            if (!ct("list --quiet").out.empty()) {
                auto d = ct("destroy --force rlk");
                EXPECT_EQ(d.rc, 0) << d.err;
            }
            EXPECT_TRUE(gone()) << "a process of the container outlived its destroy";
            EXPECT_EQ(ct("list --quiet").out, "");
        }
    }
}

// The default state root in /tmp must be the user's own: one someone else made first (here
// root, 0755) is refused, naming it, rather than used.
TEST_F(Rootless, AStateRootSomeoneElseMadeIsRefused) {
    ASSERT_EQ(mkdir(state_dir().c_str(), 0755), 0) << state_dir();
    auto r = ct("run --rootfs " + rootfs_ + " -- /bin/true");
    EXPECT_NE(r.rc, 0);
    EXPECT_NE(r.err.find("state root " + state_dir() + " is not a directory of this user's own"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(rmdir(state_dir().c_str()), 0) << "ct wrote into " << state_dir();
    // The user's own directory, private, is used.
    ASSERT_EQ(as_user("mkdir -m 700 " + state_dir()), 0);
    r = ct("run --rootfs " + rootfs_ + " -- /bin/true");
    EXPECT_EQ(r.rc, 0) << r.err;
}

// A cgroup tree the administrator delegated to the user, as systemd delegates user@UID.service:
// a directory of the user's own in every hierarchy, with the user's session inside it. With
// it as the session's cgroup_parent, the container gets its own cgroups and its limits.
class DelegatedTree {
  public:
    DelegatedTree(const std::string &name, uid_t uid) : name_(name) {
        for (const auto &h : cgroup_hierarchies()) {
            std::string d = "/sys/fs/cgroup/" + h + "/" + name;
            if (mkdir(d.c_str(), 0755) != 0 || mkdir((d + "/session").c_str(), 0755) != 0)
                throw std::runtime_error("cannot make " + d + "/session");
            dirs_.push_back(d);
            if (h == "cpuset")
                for (const char *f : {"/cpuset.cpus", "/cpuset.mems"}) {
                    std::string v = read_text("/sys/fs/cgroup/cpuset" + std::string(f));
                    write_text(d + f, v);
                    write_text(d + "/session" + f, v);
                }
            std::string cmd = "chown -R " + std::to_string(uid) + " " + d;
            if (std::system(cmd.c_str()) != 0) throw std::runtime_error(cmd + " failed");
        }
    }
    ~DelegatedTree() {
        // Whatever a failed test left inside goes first: processes, then directories.
        for (const auto &d : dirs_) {
            for (const auto &e : fs::directory_iterator(d))
                if (e.is_directory()) {
                    std::istringstream procs(read_text(e.path().string() + "/cgroup.procs"));
                    for (long pid; procs >> pid;) kill(static_cast<pid_t>(pid), SIGKILL);
                }
        }
        for (const auto &d : dirs_)
            for (const auto &e : fs::directory_iterator(d))
                if (e.is_directory())
                    for (int i = 0; i < 100 && rmdir(e.path().c_str()) != 0; ++i) usleep(10000);
        for (const auto &d : dirs_)
            if (rmdir(d.c_str()) != 0) ADD_FAILURE() << "cannot remove " << d;
    }
    // as_user's prefix: the root shell moves itself into the session cgroups, so the user's
    // processes start there.
    std::string enter_session() const {
        std::string p = "for f in";
        for (const auto &d : dirs_) p += " " + d + "/session/cgroup.procs";
        return p + "; do echo $$ > $f || exit 1; done && ";
    }
    const std::vector<std::string> &dirs() const { return dirs_; }

  private:
    std::string name_;
    std::vector<std::string> dirs_;
};

TEST_F(Rootless, ADelegatedCgroupTakesLimits) {
    std::string name = "ct-rl-deleg-" + std::to_string(getpid());
    DelegatedTree tree(name, uid_);
    cgroup_prefix_ = tree.enter_session();
    std::string c = "-c 'linux:///?cgroup_parent=" + name + "' ";
    auto cr = ct(c + "create --name rlcg --rootfs " + rootfs_ +
                 " --memory 64M --pids 50 -- /bin/sleep 60");
    ASSERT_EQ(cr.rc, 0) << cr.err;
    auto st = ct(c + "start rlcg");
    ASSERT_EQ(st.rc, 0) << st.err;
    std::string mem = "/sys/fs/cgroup/memory/" + name + "/rlcg";
    if (fs::exists("/sys/fs/cgroup/memory")) {
        EXPECT_EQ(read_text(mem + "/memory.limit_in_bytes"), "67108864\n");
    }
    if (fs::exists("/sys/fs/cgroup/pids")) {
        EXPECT_EQ(read_text("/sys/fs/cgroup/pids/" + name + "/rlcg/pids.max"), "50\n");
    }
    auto info = nlohmann::json::parse(ct(c + "info rlcg --json").out);
    long pid = info.at("pid").get<long>();
    EXPECT_NE(read_text("/proc/" + std::to_string(pid) + "/cgroup").find("/" + name + "/rlcg\n"),
              std::string::npos);
    auto d = ct(c + "destroy --force rlcg");
    EXPECT_EQ(d.rc, 0) << d.err;
    for (const auto &dir : tree.dirs()) EXPECT_FALSE(fs::exists(dir + "/rlcg")) << dir;
    cgroup_prefix_.clear();
}

// Root has no default maps: a user namespace without them is refused at create, naming the
// field, and nothing is made (the session's TearDown checks).
using RootUserNs = LinuxTest;

TEST_F(RootUserNs, NoDefaultMaps) {
    Spec s = spec({"/bin/true"});
    s.namespaces = std::vector<NamespaceSpec>{
        {Namespace::user, {}}, {Namespace::mount, {}}, {Namespace::pid, {}}};
    try {
        session().create(s);
        ADD_FAILURE() << "created without maps";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find(
                      "namespaces: a new user namespace made by root needs uid_map and gid_map"),
                  std::string::npos)
            << e.what();
    }
    // One map without the other is the spec's own error, for everyone.
    s.uid_map = {{0, 100000, 10}};
    try {
        session().create(s);
        ADD_FAILURE() << "created with a uid_map alone";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("needs both uid_map and gid_map, or neither"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace ct::test
