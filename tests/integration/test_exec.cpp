// exec: a new process inside a running container: its namespaces (pid included), cgroups,
// root, credentials, stdio, fds; wait/kill of exec'd processes; detached execs; fn callbacks.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "proc_util.hpp"

namespace ct::test {
namespace {

class Exec : public LinuxTest {
  protected:
    // A container running `sleep 1000` (or `args`); destroyed by the test.
    Container running(Spec s) {
        auto c = session().create(s);
        start_quiet(c);
        return c;
    }
    Container running() { return running(spec({"/bin/sleep", "1000"})); }
    ProcessSpec proc(std::vector<std::string> args) {
        ProcessSpec p;
        p.args = std::move(args);
        p.env = {"PATH=/bin:/sbin"};
        return p;
    }
};

TEST_F(Exec, JoinsEveryNamespaceCgroupAndTheRootOfTheContainer) {
    auto s = spec({"/bin/sleep", "1000"});
    s.hostname = "exec-ct";
    auto c = running(s);
    long init = c.info().pid;
    int64_t pid = c.exec(proc({"/bin/sleep", "1000"}), StartOptions{{-1, -1, -1}});
    for (const char *ns : {"mnt", "uts", "ipc", "pid", "net", "cgroup"}) {
        std::string mine = link_target("/proc/" + std::to_string(pid) + "/ns/" + ns);
        EXPECT_EQ(mine, link_target("/proc/" + std::to_string(init) + "/ns/" + ns)) << ns;
        EXPECT_NE(mine, link_target(std::string("/proc/self/ns/") + ns)) << ns;
    }
    // In the pid namespace itself (not only pid_for_children): a pid there, next to init's 1.
    std::string nspid = proc_status(pid, "NSpid");
    EXPECT_EQ(nspid.find('\t'), nspid.rfind('\t')) << nspid;  // two levels
    EXPECT_NE(nspid.substr(nspid.find('\t') + 1), "1") << nspid;
    // Still our child: wait_process() reaps it directly.
    EXPECT_EQ(proc_status(pid, "PPid"), std::to_string(getpid()));
    // Every cgroup of init (v1 hierarchies and the cgroup2 tree).
    EXPECT_EQ(read_text("/proc/" + std::to_string(pid) + "/cgroup"),
              read_text("/proc/" + std::to_string(init) + "/cgroup"));
    struct stat mine {
    }, theirs{}, host{};
    ASSERT_EQ(stat(("/proc/" + std::to_string(pid) + "/root/.").c_str(), &mine), 0);
    ASSERT_EQ(stat(("/proc/" + std::to_string(init) + "/root/.").c_str(), &theirs), 0);
    ASSERT_EQ(stat("/", &host), 0);
    EXPECT_EQ(mine.st_ino, theirs.st_ino);
    EXPECT_EQ(mine.st_dev, theirs.st_dev);
    EXPECT_FALSE(mine.st_ino == host.st_ino && mine.st_dev == host.st_dev);

    // The glob is expanded by sh itself: the container's processes are init, the sleep above
    // and this sh.
    auto r = exec_captured(c, proc({"/bin/sh", "-c",
                                    "hostname; echo $$; cd /proc; echo [0-9]*; "
                                    "test -e /work || echo no-host-root"}));
    EXPECT_EQ(r.status.code, 0) << r.err;
    std::istringstream out(r.out);
    std::string host_name, self, p1, p2, p3, root;
    out >> host_name >> self >> p1 >> p2 >> p3 >> root;
    EXPECT_EQ(host_name, "exec-ct");
    EXPECT_EQ(p1, "1");
    EXPECT_GT(std::stol(self), 1);
    EXPECT_EQ(p3, self) << r.out;
    EXPECT_EQ(root, "no-host-root") << r.out;

    c.kill_process(pid, SIGKILL);
    EXPECT_EQ(c.wait_process(pid), (ExitStatus{true, SIGKILL}));
    c.destroy(true);
}

TEST_F(Exec, JoinsATimeNamespaceToo) {
    if (access("/proc/self/ns/time", F_OK) != 0) GTEST_SKIP() << "no time namespaces here";
    auto s = spec({"/bin/sleep", "1000"});
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::time, {}});
    s.namespaces = ns;
    auto c = running(s);
    long init = c.info().pid;
    int64_t pid = c.exec(proc({"/bin/sleep", "1000"}), StartOptions{{-1, -1, -1}});
    // The time namespace, like the pid one, only applies to children of the joiner.
    EXPECT_EQ(link_target("/proc/" + std::to_string(pid) + "/ns/time"),
              link_target("/proc/" + std::to_string(init) + "/ns/time"));
    EXPECT_NE(link_target("/proc/" + std::to_string(pid) + "/ns/time"),
              link_target("/proc/self/ns/time"));
    c.destroy(true);
}

TEST_F(Exec, StdioEnvCwdAndCredentials) {
    auto c = running();
    auto p = proc({"/bin/sh", "-c", "cat; echo $FOO; pwd; id -u; id -g; id -G; echo err >&2"});
    p.env.push_back("FOO=bar baz");
    p.cwd = "/tmp";
    p.user = {1000, 1001, {1002, 1003}};
    auto r = exec_captured(c, p, "input line\n");
    EXPECT_EQ(r.out, "input line\nbar baz\n/tmp\n1000\n1001\n1001 1002 1003\n");
    EXPECT_EQ(r.err, "err\n");
    EXPECT_EQ(r.status, (ExitStatus{false, 0}));
    c.destroy(true);
}

TEST_F(Exec, ExitStatusSignalsAndOtherSessions) {
    auto c = running();
    EXPECT_EQ(exec_captured(c, proc({"/bin/sh", "-c", "exit 9"})).status, (ExitStatus{false, 9}));

    // A later session (another process, after a crash...) can wait for a process of the
    // container to exit, but only its parent knows the status.
    auto other = Session::open(uri());
    auto oc = other.get(c.name());
    int64_t pid = c.exec(proc({"/bin/sleep", "1"}), StartOptions{{-1, -1, -1}});
    try {
        oc.wait_process(pid, std::chrono::seconds(10));
        ADD_FAILURE() << "another session got a status it cannot know";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state) << e.what();
    }
    EXPECT_EQ(c.wait_process(pid), (ExitStatus{false, 0}));
    // ... and signal any of its processes.
    pid = c.exec(proc({"/bin/sleep", "1000"}), StartOptions{{-1, -1, -1}});
    try {
        oc.wait_process(pid, std::chrono::milliseconds(50));
        ADD_FAILURE() << "wait returned";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::timeout) << e.what();
    }
    oc.kill_process(pid, SIGTERM);
    EXPECT_EQ(c.wait_process(pid), (ExitStatus{true, SIGTERM}));
    // Gone: nothing to wait for any more.
    try {
        oc.wait_process(pid, std::chrono::seconds(1));
        ADD_FAILURE() << "waited for a process that is gone";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found) << e.what();
    }

    // Not a process of this container: refused, nothing signalled.
    try {
        oc.kill_process(getpid(), SIGTERM);
        ADD_FAILURE() << "signalled a process outside the container";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found) << e.what();
    }
    c.destroy(true);
}

TEST_F(Exec, TimeoutOfWaitProcess) {
    auto c = running();
    int64_t pid = c.exec(proc({"/bin/sleep", "1000"}), StartOptions{{-1, -1, -1}});
    try {
        c.wait_process(pid, std::chrono::milliseconds(50));
        ADD_FAILURE() << "wait returned";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::timeout);
    }
    // destroy kills and reaps it: no zombie left (the fixture checks our children).
    c.destroy(true);
}

TEST_F(Exec, MissingCommandAndStoppedContainerAreClearErrors) {
    auto c = running();
    try {
        c.exec(proc({"/bin/nope"}), StartOptions{{-1, -1, -1}});
        ADD_FAILURE() << "exec succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exec);
        EXPECT_EQ(e.sys_errno(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("/bin/nope"), std::string::npos) << e.what();
    }
    c.kill(SIGKILL);
    c.wait();
    try {
        c.exec(proc({"/bin/true"}));
        ADD_FAILURE() << "exec into a stopped container succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state) << e.what();
    }
    c.destroy();
    auto created = session().create(spec({"/bin/true"}));
    try {
        created.exec(proc({"/bin/true"}));
        ADD_FAILURE() << "exec into a created container succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state) << e.what();
    }
    created.destroy();
}

TEST_F(Exec, IntoAUserNamespaceWithCapabilitiesAndUsersByName) {
    if (std::stoi(read_text("/proc/sys/user/max_user_namespaces")) == 0)
        GTEST_SKIP() << "user namespaces are disabled (user.max_user_namespaces = 0)";
    constexpr uint32_t kBase = 231072;
    auto s = spec({"/bin/sleep", "1000"});
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::user, {}});
    s.namespaces = ns;
    s.uid_map = {{0, kBase, 65536}};
    s.gid_map = {{0, kBase, 65536}};
    s.rootfs = private_rootfs("exec-userns");
    temp_dirs_.push_back(s.rootfs);
    ASSERT_EQ(std::system(("chown -R " + std::to_string(kBase) + ":" + std::to_string(kBase) + " " +
                           s.rootfs)
                              .c_str()),
              0);
    auto c = running(s);
    long init = c.info().pid;
    // Root of the container, an unprivileged uid on the host, with only the capabilities asked.
    auto p =
        proc({"/bin/sh", "-c", "id -u; cat /proc/self/uid_map; grep CapEff /proc/self/status"});
    p.capabilities = Capabilities::all_sets({"CAP_CHOWN", "kill"});
    auto r = exec_captured(c, p);
    EXPECT_EQ(r.out, "0\n         0     231072      65536\nCapEff:\t0000000000000021\n") << r.err;
    // A user by name, from the container's own /etc/passwd (added after start: as it is now).
    std::ofstream(s.rootfs + "/etc/passwd", std::ios::app) << "late:x:4321:4322::/:/bin/sh\n";
    auto q = proc({"/bin/sleep", "1000"});
    q.user.name = "late";
    int64_t pid = c.exec(q, StartOptions{{-1, -1, -1}});
    EXPECT_EQ(link_target("/proc/" + std::to_string(pid) + "/ns/user"),
              link_target("/proc/" + std::to_string(init) + "/ns/user"));
    std::string uid = std::to_string(kBase + 4321), gid = std::to_string(kBase + 4322);
    EXPECT_EQ(proc_status(pid, "Uid"), uid + "\t" + uid + "\t" + uid + "\t" + uid);
    EXPECT_EQ(proc_status(pid, "Gid"), gid + "\t" + gid + "\t" + gid + "\t" + gid);
    c.destroy(true);
}

TEST_F(Exec, WithoutPidOrMountNamespace) {
    // Only uts: init is chrooted, not pivoted; exec must land in the same root without a fork.
    auto s = spec({"/bin/sleep", "1000"});
    s.namespaces = std::vector<NamespaceSpec>{{Namespace::uts, ""}};
    s.hostname = "chrooted";
    auto c = running(s);
    auto r = exec_captured(
        c, proc({"/bin/sh", "-c",
                 "hostname; test -x /bin/busybox && test ! -e /work && echo in-rootfs"}));
    EXPECT_EQ(r.out, "chrooted\nin-rootfs\n") << r.err;
    c.destroy(true);
}

TEST_F(Exec, DetachedExecIsWaitedForByALaterSession) {
    auto c = running();
    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.detach = true;
    int64_t pid = c.exec(proc({"/bin/sh", "-c", "sleep 0.2; exit 5"}), o);
    // Not our child: its monitor reaps it.
    EXPECT_NE(proc_status(pid, "PPid"), std::to_string(getpid()));
    auto other = Session::open(uri());
    EXPECT_EQ(other.get(c.name()).wait_process(pid, std::chrono::seconds(10)),
              (ExitStatus{false, 5}));
    // Collected once, like waitpid().
    try {
        other.get(c.name()).wait_process(pid, std::chrono::seconds(1));
        ADD_FAILURE() << "waited twice";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found) << e.what();
    }
    c.destroy(true);
}

TEST_F(Exec, FdsBecomeTheProcessesFdsAndNothingElse) {
    auto c = running();
    int out[2], extra[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(extra, O_CLOEXEC), 0);
    int keep = open("/dev/null", O_RDONLY);  // not close-on-exec: must not get in either
    StartOptions o;
    o.fds = {-1, out[1], out[1], extra[1]};
    int64_t pid = c.exec(
        proc({"/bin/sh", "-c", "echo to-three >&3; ls /proc/self/fd | sort -n | tr '\\n' ' '"}), o);
    close(out[1]);
    close(extra[1]);
    close(keep);
    EXPECT_EQ(c.wait_process(pid), (ExitStatus{false, 0}));
    char buf[256];
    ssize_t n = read(extra[0], buf, sizeof buf);
    EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "to-three\n");
    n = read(out[0], buf, sizeof buf);
    // 0-3, and the directory ls is reading.
    EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "0 1 2 3 4 ");
    close(out[0]);
    close(extra[0]);
    c.destroy(true);
}

// Runs in the container instead of a command: reports what it sees on fd 3.
int report_inside(void *arg) {
    char host[64] = {};
    gethostname(host, sizeof host - 1);
    char line[160];
    int n =
        snprintf(line, sizeof line, "%s pid=%d uid=%d arg=%s\n", host, static_cast<int>(getpid()),
                 static_cast<int>(getuid()), static_cast<const char *>(arg));
    ssize_t w = write(3, line, static_cast<size_t>(n));
    (void)w;
    return 42;
}

TEST_F(Exec, FunctionsRunInsideTheContainerForStartAndExec) {
    auto s = spec({"/bin/true"});
    s.hostname = "fn-ct";
    s.process.user.uid = 1000;
    auto c = session().create(s);
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    char tag[] = "start";
    StartOptions o;
    o.fds = {-1, -1, -1, p[1]};
    o.fn = report_inside;
    o.fn_arg = tag;
    c.start(o);
    EXPECT_EQ(c.wait(std::chrono::seconds(10)), (ExitStatus{false, 42}));
    char buf[256];
    ssize_t n = read(p[0], buf, sizeof buf);
    EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "fn-ct pid=1 uid=1000 arg=start\n");

    // exec'd: in the pid namespace too (a pid other than 1), with its own user.
    c.start(spec({"/bin/sleep", "1000"}).process, StartOptions{{-1, -1, -1}});
    char tag2[] = "exec";
    o.fn_arg = tag2;
    auto pp = proc({"unused"});
    pp.user.uid = 1001;
    int64_t pid = c.exec(pp, o);
    close(p[1]);
    EXPECT_EQ(c.wait_process(pid, std::chrono::seconds(10)), (ExitStatus{false, 42}));
    n = read(p[0], buf, sizeof buf);
    std::string line(buf, n > 0 ? n : 0);
    EXPECT_EQ(line.rfind("fn-ct pid=", 0), 0u) << line;
    EXPECT_EQ(line.find("pid=1 "), std::string::npos) << line;
    EXPECT_NE(line.find("uid=1001 arg=exec"), std::string::npos) << line;
    close(p[0]);
    c.destroy(true);
}

TEST_F(Exec, CliExitCodesDetachWaitAndKill) {
    auto c = running();
    auto r = ct_cli(uri(), {"exec", c.name(), "--", "/bin/sh", "-c", "echo out; exit 7"});
    EXPECT_EQ(r.code, 7) << r.err;
    EXPECT_EQ(r.out, "out\n");
    EXPECT_EQ(ct_cli(uri(), {"exec", c.name(), "--", "/bin/nope"}).code, 127);
    EXPECT_EQ(ct_cli(uri(), {"exec", c.name(), "-u", "1000", "-w", "/tmp", "-e", "A=b", "--",
                             "/bin/sh", "-c", "echo $(id -u) $PWD $A"})
                  .out,
              "1000 /tmp b\n");
    // Input goes through.
    EXPECT_EQ(ct_cli(uri(), {"exec", c.name(), "--", "/bin/cat"}, "piped\n").out, "piped\n");

    auto d = ct_cli(uri(), {"exec", "-d", c.name(), "--", "/bin/sleep", "1000"});
    ASSERT_EQ(d.code, 0) << d.err;
    std::string pid = d.out.substr(0, d.out.find('\n'));
    EXPECT_EQ(ct_cli(uri(), {"kill", c.name(), "KILL", "--pid", pid}).code, 0);
    auto w = ct_cli(uri(), {"wait", c.name(), "--pid", pid});
    EXPECT_EQ(w.code, 0) << w.err;
    EXPECT_EQ(w.out, "137\n");

    c.kill(SIGKILL);
    c.wait();
    auto stopped = ct_cli(uri(), {"exec", c.name(), "--", "/bin/true"});
    EXPECT_EQ(stopped.code, 125);  // ct could not start the command (DESIGN: run/exec codes)
    EXPECT_NE(stopped.err.find("not running"), std::string::npos) << stopped.err;
    c.destroy();
}

// An unprivileged caller: a container in a user namespace mapping its own ids, no cgroups.
// exec, ps (found through the pid namespace) and kill --pid still work.
TEST_F(Exec, ByANonRootCallerWithoutCgroups) {
    struct passwd *pw = getpwnam("nobody");
    if (!pw) GTEST_SKIP() << "no user 'nobody'";
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    pid_t probe = fork();
    if (probe == 0) {
        if (setgroups(0, nullptr) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) _exit(2);
        _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    }
    int st = 0;
    waitpid(probe, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        GTEST_SKIP() << "an unprivileged user cannot create a user namespace here";
    std::string xdg = "/tmp/ct-it-run-nonroot-" + std::to_string(getpid());
    temp_dirs_.push_back(xdg);
    ASSERT_EQ(mkdir(xdg.c_str(), 0700), 0);
    ASSERT_EQ(chown(xdg.c_str(), uid, gid), 0);
    auto ct = [&](const std::string &args) {
        std::string out = xdg + "/.out";
        std::string cmd = "setpriv --reuid=" + std::to_string(uid) +
                          " --regid=" + std::to_string(gid) +
                          " --clear-groups env -i PATH=/usr/bin:/bin " + "XDG_RUNTIME_DIR=" + xdg +
                          " " + CT_TEST_CT_BIN + " " + args + " >" + out + " 2>&1";
        int rc = std::system(cmd.c_str());
        return std::make_pair(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_text(out));
    };
    std::string ids = std::to_string(uid) + ":1 --gid-map 0:" + std::to_string(gid) + ":1";
    auto r = ct("run -d --name nr --rootfs " + busybox_rootfs() +
                " --ns user,mount,pid,uts,ipc,net --uid-map 0:" + ids + " -- /bin/sleep 1000");
    ASSERT_EQ(r.first, 0) << r.second;
    r = ct("exec nr -- /bin/sh -c 'id -u; echo $$'");
    EXPECT_EQ(r.first, 0) << r.second;
    EXPECT_EQ(r.second.substr(0, 2), "0\n") << r.second;
    r = ct("exec -d nr -- /bin/sleep 1001");
    ASSERT_EQ(r.first, 0) << r.second;
    std::string pid = r.second.substr(0, r.second.find('\n'));
    r = ct("ps nr --json");
    EXPECT_NE(r.second.find("\"pid\":" + pid), std::string::npos) << r.second;
    EXPECT_NE(r.second.find("\"ns_pid\":1,"), std::string::npos) << r.second;
    EXPECT_EQ(ct("kill nr KILL --pid " + pid).first, 0);
    EXPECT_EQ(ct("wait nr --pid " + pid).second, "137\n");
    auto d = ct("destroy -f nr");
    EXPECT_EQ(d.first, 0) << d.second;
}

TEST_F(Exec, SysctlsAreAppliedInsideOnly) {
    std::string host_fwd = read_text("/proc/sys/net/ipv4/ip_forward");
    std::string host_shm = read_text("/proc/sys/kernel/shmmni");
    auto s = spec({"/bin/sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"});
    std::string want_fwd = host_fwd == "1\n" ? "0" : "1";
    s.sysctl = {{"net.ipv4.ip_forward", want_fwd}, {"kernel.shmmni", "1234"}};
    auto r = run(s);
    EXPECT_EQ(r.out, want_fwd + "\n1234\n") << r.err;
    EXPECT_EQ(read_text("/proc/sys/net/ipv4/ip_forward"), host_fwd);
    EXPECT_EQ(read_text("/proc/sys/kernel/shmmni"), host_shm);
    // One that is not namespaced would change the host: refused before anything is made.
    auto bad = spec({"/bin/true"});
    bad.sysctl = {{"vm.swappiness", "10"}};
    EXPECT_THROW(session().create(bad), Error);
}

}  // namespace
}  // namespace ct::test
