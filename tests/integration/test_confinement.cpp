// Confinement by default (docs/security.md): what a hostile process in a container made with
// no options tries, and fails at. Each escape test succeeds on a runtime that gives the
// container the caller's capabilities, no seccomp filter, a writable /proc/sys and the host's
// cgroup hierarchies; the knobs that widen the container are checked to do only that.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "../common/secret_key.hpp"
#include "criu_fixture.hpp"
#include "fixture.hpp"
#include "proc_util.hpp"

namespace ct::test {
namespace {

namespace fs = std::filesystem;

class Confinement : public LinuxTest {
  protected:
    std::string sh(const Spec &s) {
        auto r = run(s);
        return r.out + r.err;
    }
    Spec shell(const std::string &script) { return spec({"/bin/sh", "-c", script}); }
};

TEST_F(Confinement, ProcSysIsReadOnly) {
    // Written with the value it has now: even if the write went through, the host would not
    // change. sysrq 'h' only prints the help.
    std::string before = read_text("/proc/sys/kernel/printk_ratelimit_burst");
    std::string value = before.substr(0, before.find('\n'));
    auto r = run(shell("echo " + value +
                       " > /proc/sys/kernel/printk_ratelimit_burst && echo wrote; "
                       "(exec 3>>/proc/sys/kernel/core_pattern) 2>/dev/null && echo opened; "
                       "echo h > /proc/sysrq-trigger 2>/dev/null && echo sysrq; "
                       "awk '$5 == \"/proc/sys\" {print $6}' /proc/self/mountinfo | cut -c1-3"));
    EXPECT_EQ(r.out, "ro,\n") << r.err;
    EXPECT_EQ(read_text("/proc/sys/kernel/printk_ratelimit_burst"), before);
}

TEST_F(Confinement, SysfsStaysReadOnly) {
    // A host knob, written with the value it has now (the one in brackets): even if the
    // write went through, the host would not change.
    const std::string knob = "/sys/kernel/mm/transparent_hugepage/enabled";
    if (access(knob.c_str(), F_OK) != 0) GTEST_SKIP() << knob << " is missing on this kernel";
    std::string now = read_text(knob);
    auto open = now.find('['), close = now.find(']');
    ASSERT_NE(close, std::string::npos) << now;
    std::string value = now.substr(open + 1, close - open - 1);
    auto r = run(shell("mount -o remount,rw /sys 2>/dev/null && echo remounted; echo " + value +
                       " 2>/dev/null > " + knob +
                       " && echo wrote; "
                       "awk '$5 == \"/sys\" {print $6}' /proc/self/mountinfo | cut -c1-3"));
    EXPECT_EQ(r.out, "ro,\n") << r.err;
    EXPECT_EQ(read_text(knob), now);
}

TEST_F(Confinement, MaskedPathsShowNothing) {
    auto r =
        run(shell("for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug "
                  "/proc/latency_stats; do [ -e $p ] && wc -c < $p; done | sort -u; "
                  "ls -A /sys/firmware /proc/acpi 2>/dev/null | grep -v : | grep -c . ; "
                  "touch /sys/firmware/x 2>/dev/null && echo wrote"));
    // Each existing one reads empty; the directories are empty and read-only.
    EXPECT_EQ(r.out, "0\n0\n") << r.err;
    // The spec decides: none at all, or others.
    auto s = shell("cat /etc/hostname-secret; wc -c < /proc/timer_list");
    std::string rootfs = private_rootfs("masks");
    temp_dirs_.push_back(rootfs);
    write_text(rootfs + "/etc/hostname-secret", "secret\n");
    s.rootfs = rootfs;
    s.masked_paths = std::vector<std::string>{"/etc/hostname-secret"};
    r = run(s);
    EXPECT_NE(r.out, "0\n") << "/proc/timer_list is shown once it is not listed";
    EXPECT_NE(r.out, "") << r.err;
    EXPECT_EQ(r.out.find("secret"), std::string::npos) << r.out;
}

// A procfs or sysfs the spec mounts elsewhere is the same kernel interface: its sysctls
// would be writable (core_pattern runs a program as the host's root) and its masked files
// shown. The paths under /proc and /sys are masked and read-only below it too. The sysctl is
// written with the value it has now: even if the write went through, the host would not change.
TEST_F(Confinement, AProcfsOrSysfsMountedElsewhereIsConfinedLikeTheFirst) {
    std::string before = read_text("/proc/sys/kernel/printk_ratelimit_burst");
    std::string value = before.substr(0, before.find('\n'));
    auto s = shell("echo " + value +
                   " > /again/proc/sys/kernel/printk_ratelimit_burst 2>/dev/null && echo wrote; "
                   "wc -c < /again/proc/timer_list; "
                   "ls -A /again/sys/firmware | grep -c .; "
                   "awk '$5 == \"/again/proc/sys\" {print $6}' /proc/self/mountinfo | cut -c1-3");
    s.mounts = {{"proc", "/again/proc", "proc", {}}, {"sysfs", "/again/sys", "sysfs", {"ro"}}};
    auto c = session().create(s);
    auto details = c.info().details;
    EXPECT_NE(details.at("security.masked_paths").find("/again/proc/timer_list"),
              std::string::npos);
    EXPECT_NE(details.at("security.readonly_paths").find("/again/proc/sys"), std::string::npos);
    auto r = run_captured(c);
    c.destroy();
    EXPECT_EQ(r.out, "0\n0\nro,\n") << r.err;
    EXPECT_EQ(read_text("/proc/sys/kernel/printk_ratelimit_burst"), before);
}

// Masked files get the container's /dev/null bound over them. A spec mount over /dev hides the
// one the setup made: masks must not then be skipped quietly (they were: /proc/keys and
// /proc/timer_list shown). Without a null device the start fails saying why; with one of the
// spec's, the masks hold.
TEST_F(Confinement, MasksHoldUnderADevOfTheSpecs) {
    auto s = shell("wc -c < /proc/keys; wc -c < /proc/timer_list");
    s.mounts = {{"tmpfs", "/dev", "tmpfs", {"mode=755"}}};
    auto c = session().create(s);
    try {
        run_captured(c);
        ADD_FAILURE() << "started with the masks unapplied";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("/dev/null is not the null device"), std::string::npos)
            << e.what();
    }
    c.destroy(true);
    s.devices = {DeviceNode{"/dev/null", "c", 1, 3, 0666, 0, 0}};
    auto r = run(s);
    EXPECT_EQ(r.out, "0\n0\n") << r.err;
    EXPECT_TRUE(session().list().empty());
}

// A sysfs is the host's kernel settings whatever the namespaces (CPU hot-plug, power, module
// parameters; with uevent_helper, a program run as the host's root): one the spec mounts is
// read-only, at /sys or elsewhere, with or without a network namespace, unless the container is
// privileged (CAP_SYS_ADMIN, which could remount it so). A knob is written with the value it
// has, so that nothing changes on the host even if the write went through.
TEST_F(Confinement, ASysfsTheSpecMountsIsReadOnlyUnlessThePrivilegedAskForIt) {
    const std::string knob = "kernel/rcu_expedited";
    if (access(("/sys/" + knob).c_str(), W_OK) != 0)
        GTEST_SKIP() << "/sys/" << knob << " is not on this kernel";
    auto probe = [&](const std::string &at) {
        return shell("k=" + at + "/" + knob + "; v=$(cat $k); echo $v > $k 2>/dev/null && " +
                     "echo wrote; awk '$5 == \"" + at +
                     "\" {print $6}' /proc/self/mountinfo | cut -c1-3");
    };
    auto s = probe("/sys");
    s.mounts = {{"sysfs", "/sys", "sysfs", {"nosuid", "nodev", "noexec"}}};
    EXPECT_EQ(run(s).out, "ro,\n");
    // Without a network namespace of its own: the host's sysfs as it is.
    s = probe("/again/sys");
    s.mounts = {{"sysfs", "/again/sys", "sysfs", {}}};
    s.namespaces = std::vector<NamespaceSpec>{
        {Namespace::mount, {}}, {Namespace::pid, {}}, {Namespace::uts, {}}, {Namespace::ipc, {}}};
    EXPECT_EQ(run(s).out, "ro,\n");
    // rw is for a container with CAP_SYS_ADMIN, refused at create for the others.
    s.mounts[0].options = {"rw"};
    try {
        session().create(s);
        ADD_FAILURE() << "a writable sysfs for a container without CAP_SYS_ADMIN";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("mounts[0].options: rw"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(session().list().empty());
    // A privileged one's (an engine's --privileged leaves ro out): writable, as it asked.
    for (auto options : {std::vector<std::string>{"rw"}, std::vector<std::string>{}}) {
        auto p = shell("awk '$5 == \"/sys\" {print $6}' /proc/self/mountinfo | cut -c1-3");
        p.mounts = {{"sysfs", "/sys", "sysfs", options}};
        p.process.capabilities_add = {"CAP_SYS_ADMIN"};
        EXPECT_EQ(run(p).out, "rw,\n");
    }
}

// binfmt_misc, tracefs, debugfs, ... are the host kernel's whatever the namespaces: a handler
// registered in binfmt_misc would run for the host's programs. The spec's mount of one is for
// a container that could mount it itself (CAP_SYS_ADMIN), refused at create otherwise.
TEST_F(Confinement, TheHostKernelsOwnFilesystemsNeedSysAdmin) {
    for (const char *type : {"binfmt_misc", "tracefs", "debugfs", "securityfs", "devtmpfs"}) {
        auto s = shell("true");
        s.mounts = {{type, "/mnt", type, {}}};
        try {
            session().create(s);
            ADD_FAILURE() << type << " was mounted for a container without CAP_SYS_ADMIN";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_spec);
            EXPECT_NE(std::string(e.what()).find("mounts[0].type: " + std::string(type)),
                      std::string::npos)
                << e.what();
        }
    }
    auto s = shell("grep -c ' /mnt tracefs ' /proc/mounts");
    s.mounts = {{"tracefs", "/mnt", "tracefs", {}}};
    s.process.capabilities_add = {"CAP_SYS_ADMIN"};
    EXPECT_EQ(run(s).out, "1\n");
    EXPECT_TRUE(session().list().empty());
}

TEST_F(Confinement, TheKernelLogAndKernelAddressesStayHidden) {
    auto r =
        run(shell("dmesg >/dev/null 2>&1 && echo dmesg; "
                  "head -n 3 /proc/kallsyms | awk '{print $1}' | sort -u"));
    EXPECT_EQ(r.out, "0000000000000000\n") << r.err;
}

TEST_F(Confinement, NamespacesAndMountsAreRefusedWithoutSysAdmin) {
    auto r =
        run(shell("unshare -U true 2>/dev/null && echo userns; "
                  "unshare -m true 2>/dev/null && echo mountns; "
                  "mkdir -p /tmp/m && mount -t tmpfs none /tmp/m 2>/dev/null && echo mounted; "
                  "grep Seccomp: /proc/self/status"));
    EXPECT_EQ(r.out, "Seccomp:\t2\n") << r.err;
}

// The release_agent escape: mount a cgroup v1 hierarchy, set release_agent at its root, make a
// cgroup notify on release. It needs a hierarchy whose root the container's cgroup namespace
// shows, which is the host's root cgroup wherever the container did not get one of its own.
TEST_F(Confinement, ACgroupHierarchyCannotBeMountedByDefault) {
    auto r =
        run(shell("mkdir -p /tmp/cg; for h in freezer devices blkio cpuset none,name=systemd; "
                  "do mount -t cgroup -o $h cgroup /tmp/cg 2>/dev/null && echo mounted $h "
                  "&& umount /tmp/cg; done"));
    EXPECT_EQ(r.out, "") << r.err;
}

TEST_F(Confinement, ReleaseAgentIsOutOfReachEvenWithSysAdmin) {
    std::string hierarchies;
    for (const auto &h : cgroup_hierarchies())
        if (h != "unified" && h[0] != '.') hierarchies += " " + h;
    if (hierarchies.empty()) GTEST_SKIP() << "no cgroup v1 hierarchy on this host";
    // For each v1 hierarchy: mount it and look for release_agent at the mount's root. It exists
    // only in a hierarchy's root cgroup; the container's cgroup namespace must start below.
    std::string script =
        "mkdir -p /tmp/cg; for h in" + hierarchies +
        "; do o=$h; [ $h = systemd ] && o=none,name=systemd; "
        "mount -t cgroup -o $o cgroup /tmp/cg || { echo cannot mount $h; continue; }; "
        "[ -e /tmp/cg/release_agent ] && echo release_agent in $h; umount /tmp/cg; done; echo done";
    auto s = shell(script);
    s.process.capabilities_add = {"CAP_SYS_ADMIN"};
    auto r = run(s);
    EXPECT_EQ(r.out, "done\n") << r.err;
    EXPECT_EQ(r.out.find("release_agent"), std::string::npos) << r.out;
}

TEST_F(Confinement, AContainerThatCanMountCgroupsHasItsOwnInEveryHierarchy) {
    auto s = spec({"/bin/sleep", "100"});
    s.process.capabilities_add = {"CAP_SYS_ADMIN"};
    auto c = session().create(s);
    int64_t pid = start_quiet(c);
    std::string cg = read_text("/proc/" + std::to_string(pid) + "/cgroup");
    std::istringstream in(cg);
    std::string line;
    int v1 = 0;
    while (std::getline(in, line)) {
        // "ID:CONTROLLERS:PATH"; hierarchies not mounted anywhere cannot be joined nor mounted
        // by name without a mount of them existing elsewhere... except named ones: see below.
        auto a = line.find(':'), b = line.find(':', a + 1);
        std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (ctrls.empty()) continue;  // the cgroup2 tree: joined at clone (CLONE_INTO_CGROUP)
        bool mounted = false;
        for (const auto &h : cgroup_hierarchies())
            mounted |= ctrls == h || ctrls == "name=" + h || ctrls.find(h) != std::string::npos;
        if (!mounted) continue;
        ++v1;
        EXPECT_NE(path, "/") << "in the host's root cgroup of " << ctrls;
    }
    EXPECT_GT(v1, 0) << cg;
    auto info = c.info();
    EXPECT_EQ(info.details["security.cgroups"], "own directory in every hierarchy");
    c.destroy(true);
}

TEST_F(Confinement, TheContainersCgroupMountIsReadOnlyUnlessAskedFor) {
    auto s = shell(
        "mkdir /sys/fs/cgroup/memory/sub 2>/dev/null && echo made; "
        "echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null && echo raised; "
        "touch /sys/fs/cgroup/x 2>/dev/null && echo touched; ls /sys/fs/cgroup | grep -c memory");
    s.mounts = {{"", "/sys/fs/cgroup", "cgroup", {}}};
    s.resources.memory = 64 << 20;
    EXPECT_EQ(run(s).out, "1\n");
    s.mounts = {{"", "/sys/fs/cgroup", "cgroup", {"rw"}}};
    s.process.args = {"/bin/sh", "-c",
                      "mkdir /sys/fs/cgroup/memory/sub && echo made && rmdir "
                      "/sys/fs/cgroup/memory/sub"};
    EXPECT_EQ(run(s).out, "made\n");
}

TEST_F(Confinement, ARawBlockDeviceOfTheHostCannotBeOpened) {
    struct stat st;
    ASSERT_EQ(stat("/", &st), 0);
    std::string node = std::to_string(major(st.st_dev)) + " " + std::to_string(minor(st.st_dev));
    auto r = run(shell("mknod /dev/hostroot b " + node +
                       " && echo made; "
                       "head -c 1 /dev/hostroot >/dev/null 2>&1 && echo read; "
                       "echo x 2>/dev/null >/dev/hostroot && echo wrote"));
    EXPECT_EQ(r.out, "made\n") << r.err;
}

// The host's console (5:1): a container that opened it would read what is typed there and,
// with TIOCSTI, type into it. Only written to, here: a read would wait for the host's input.
TEST_F(Confinement, TheHostConsoleCannotBeOpened) {
    auto r =
        run(shell("mknod /dev/hostconsole c 5 1 && echo made; "
                  "echo 2>/dev/null >/dev/hostconsole && echo wrote; "
                  "echo 2>/dev/null >/dev/null && echo null"));
    EXPECT_EQ(r.out, "made\nnull\n") << r.err;
}

TEST_F(Confinement, OutOfRangeIdsAreRefusedAndNothingIsMade) {
    for (uint32_t bad : {4294967295u}) {
        auto s = spec({"/bin/id"});
        s.process.user.uid = bad;
        EXPECT_THROW(session().create(s), Error);
        s.process.user.uid = 0;
        s.process.user.gid = bad;
        EXPECT_THROW(session().create(s), Error);
    }
    EXPECT_TRUE(session().list().empty());
}

TEST_F(Confinement, AnExecCannotHoldMoreThanItsContainer) {
    auto c = session().create(spec({"/bin/sleep", "100"}));
    start_quiet(c);
    ProcessSpec p;
    p.args = {"/bin/true"};
    p.capabilities_add = {"CAP_SYS_ADMIN"};
    try {
        c.exec(p);
        ADD_FAILURE() << "an exec with CAP_SYS_ADMIN was let into a container without it";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("CAP_SYS_ADMIN"), std::string::npos) << e.what();
    }
    p.capabilities_add.clear();
    auto r = exec_captured(c, p);
    EXPECT_EQ(r.status.code, 0) << r.err;
    c.destroy(true);
}

// CVE-2024-21626: a working directory reached through /proc/self/fd/N is whatever the launcher
// holds open while it sets the process up (the state directory, a cgroup directory), and a
// container image chooses its working directory. Each such start or exec either fails or runs
// in a directory of the container; the shell's getcwd would fail on one outside its root.
TEST_F(Confinement, AWorkingDirectoryThroughTheLaunchersFdsStaysInTheContainer) {
    auto c = session().create(spec({"/bin/sleep", "100"}));
    start_quiet(c);
    for (int fd = 3; fd < 24; ++fd) {
        std::string cwd = "/proc/self/fd/" + std::to_string(fd);
        auto s = shell("pwd -P");
        s.process.cwd = cwd;
        try {
            auto r = run(s);
            EXPECT_EQ(r.status.code, 0) << cwd << ": " << r.err;
            EXPECT_EQ(r.out.substr(0, 1), "/") << cwd << ": " << r.out << r.err;
        } catch (const Error &e) {  // refused: the error names the directory
            EXPECT_NE(std::string(e.what()).find(cwd), std::string::npos) << e.what();
        }
        ProcessSpec p;
        p.args = {"/bin/sh", "-c", "pwd -P"};
        p.cwd = cwd;
        try {
            auto r = exec_captured(c, p);
            EXPECT_EQ(r.status.code, 0) << cwd << ": " << r.err;
            EXPECT_EQ(r.out.substr(0, 1), "/") << cwd << ": " << r.out << r.err;
        } catch (const Error &e) {  // refused: the error names the directory
            EXPECT_NE(std::string(e.what()).find(cwd), std::string::npos) << e.what();
        }
    }
    c.destroy(true);
    EXPECT_TRUE(session().list().empty());
}

// `ct exec c cmd 0</`: an fd of a host directory reaches every file below it, and the host's
// root by "..", whatever the container's mounts and capabilities. Neither start nor exec
// hands one over (as stdio or as an O_PATH fd), and the refused start leaves nothing running.
TEST_F(Confinement, AHostDirectoryIsNeverHandedOverAsAnFd) {
    std::string dir = "/tmp/ct-test-handed-" + std::to_string(getpid());
    fs::create_directories(dir);
    { std::ofstream(dir + "/secret") << "host-secret\n"; }
    int rd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int path = open(dir.c_str(), O_PATH | O_CLOEXEC);
    ASSERT_GE(rd, 0);
    ASSERT_GE(path, 0);
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    auto expect_refused = [&](const std::function<void()> &call, const std::string &names) {
        try {
            call();
            ADD_FAILURE() << "a host directory was handed over as " << names;
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_argument) << e.what();
            EXPECT_NE(std::string(e.what()).find(names + " (fd "), std::string::npos) << e.what();
        }
    };
    auto c = session().create(shell("cat /proc/self/fd/0/secret /proc/self/fd/1/secret"));
    StartOptions o;
    o.stdio = {rd, out[1], out[1]};
    expect_refused([&] { c.start(o); }, "stdin");
    EXPECT_NE(c.state(), State::running);
    c.destroy(true);

    auto d = session().create(spec({"/bin/sleep", "100"}));
    start_quiet(d);
    ProcessSpec p;
    p.args = {"/bin/sh", "-c", "cat /proc/self/fd/1/secret /proc/self/fd/2/secret"};
    StartOptions e;
    e.stdio = {-1, path, out[1]};
    expect_refused([&] { d.exec(p, e); }, "stdout");
    e.stdio = {-1, out[1], rd};
    expect_refused([&] { d.exec(p, e); }, "stderr");
    d.destroy(true);
    close(out[1]);
    std::string said;
    char buf[256];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) said.append(buf, static_cast<size_t>(n));
    close(out[0]);
    EXPECT_EQ(said.find("host-secret"), std::string::npos) << said;
    close(rd);
    close(path);
    fs::remove_all(dir);
    EXPECT_TRUE(session().list().empty());
}

// A volume over part of /proc/sys (one a container filled before) must not take a sysctl's
// write elsewhere: not into its own file, not through its symlink to a knob that is not
// namespaced (written here with the value it has, so the host would not change if it went
// through). Each start is refused and names the sysctl.
TEST_F(Confinement, ASysctlIsWrittenOnlyIntoTheContainersProcfs) {
    const std::string knob = "/proc/sys/vm/stat_interval";
    std::string now = read_text(knob);
    std::string volume = temp_dir(temp_dirs_, "sysctl");
    write_text(volume + "/shmmax", "untouched\n");
    fs::create_symlink("../vm/stat_interval", volume + "/shmmni");
    for (auto [key, value] : {std::pair<std::string, std::string>{"kernel.shmmax", "1234"},
                              {"kernel.shmmni", now.substr(0, now.find('\n'))}}) {
        auto s = shell("true");
        s.mounts = {{volume, "/proc/sys/kernel", "bind", {}}};
        s.sysctl = {{key, value}};
        try {
            run(s);
            ADD_FAILURE() << key << " was written through the volume over /proc/sys/kernel";
        } catch (const Error &e) {
            std::string path = "/proc/sys/kernel/" + key.substr(key.find('.') + 1);
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(read_text(volume + "/shmmax"), "untouched\n");
    EXPECT_EQ(read_text(knob), now);
    EXPECT_TRUE(session().list().empty());
}

// Keyrings are not namespaced. A key the caller keeps in its session keyring, which only its
// possessor may see, stays out of the container's sight, in init and in an exec, unless the
// spec inherits the keyring (then the test sees that it could have failed). /proc/keys, masked
// by default, is unmasked here to look.
TEST_F(Confinement, TheCallersSessionKeyringStaysOutOfReach) {
    SecretKey key;
    auto probe = [&](bool inherit, const std::string &script) {
        auto s = shell(script);
        s.masked_paths = std::vector<std::string>{};
        s.inherit_keyring = inherit;
        return s;
    };
    EXPECT_EQ(run(probe(false, key.probe())).out, "0\n");
    EXPECT_EQ(run(probe(true, key.probe())).out, "1\n");
    auto c = session().create(probe(false, "exec sleep 100"));
    EXPECT_EQ(c.info().details.at("security.session_keyring"), "a new one per process");
    start_quiet(c);
    ProcessSpec p;
    p.args = {"/bin/sh", "-c", key.probe()};
    EXPECT_EQ(exec_captured(c, p).out, "0\n");
    c.destroy(true);
    EXPECT_TRUE(session().list().empty());
}

// A root entered by chroot (no mount namespace of the container's own to pivot in) is left in
// a few system calls by a process that may chroot: into a subdirectory, which leaves the working
// directory above the new root, then up past the old one. The test looks for a host file
// outside the root from there.
TEST_F(Confinement, ARootEnteredByChrootCannotBeLeft) {
    std::string dir = temp_dir(temp_dirs_, "chroot");
    std::string rootfs = private_rootfs("chroot");
    temp_dirs_.push_back(rootfs);
    fs::copy_file(CT_TEST_CHROOT_ESCAPER, rootfs + "/bin/escaper");
    std::string marker = dir + "/outside-the-root";
    write_text(marker, "host\n");
    auto s = spec({"/bin/escaper", marker});
    s.rootfs = rootfs;
    s.namespaces = std::vector<NamespaceSpec>{
        {Namespace::pid, {}}, {Namespace::uts, {}}, {Namespace::ipc, {}}, {Namespace::net, {}}};
    auto r = run(s);
    EXPECT_EQ(r.out, "chroot: Operation not permitted\n") << r.err;
    auto c = session().create(s);
    EXPECT_EQ(c.info().details.at("security.capabilities").find("CAP_SYS_CHROOT"),
              std::string::npos)
        << c.info().details.at("security.capabilities");
    c.destroy();
    // Asked for, it is refused at create, naming why.
    s.process.capabilities_add = {"sys_chroot"};
    try {
        session().create(s);
        ADD_FAILURE() << "created with CAP_SYS_CHROOT and a root entered by chroot";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec) << e.what();
        EXPECT_NE(std::string(e.what()).find("CAP_SYS_CHROOT"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(session().list().empty());
    // With a mount namespace of its own, the root is pivoted to: the same steps stay inside.
    s.process.capabilities_add.clear();
    s.namespaces->push_back({Namespace::mount, {}});
    r = run(s);
    EXPECT_EQ(r.out, "stayed: No such file or directory\n") << r.err;
}

// A process that stays in the caller's session (new_session: false) shares the caller's
// controlling terminal: TIOCSTI would type a command into it that the caller's shell (root's,
// for `ct run` from a root shell) runs once the container is done. The terminal here is a real
// pty whose session ct leads, as at a login; what gets typed into it is echoed to the master,
// so the transcript shows whether anything was.
TEST_F(Confinement, AProcessInTheCallersSessionCannotTypeIntoItsTerminal) {
    std::string rootfs = private_rootfs("tty");
    temp_dirs_.push_back(rootfs);
    fs::copy_file(CT_TEST_TTY_INJECTOR, rootfs + "/bin/injector");
    std::string dir = temp_dir(temp_dirs_, "tty");
    auto spec_file = [&](bool new_session) {
        std::string f = dir + (new_session ? "/own.yaml" : "/callers.yaml");
        write_text(f, "rootfs: " + rootfs +
                          "\nprocess:\n  args: [/bin/injector, \"echo CT-TYPED-IN\\n\"]\n"
                          "  new_session: " +
                          (new_session ? "true" : "false") + "\n");
        return f;
    };
    auto typed = [](const std::string &t) { return t.find("CT-TYPED-IN") != std::string::npos; };
    {
        PtySession t(uri(), {"run", spec_file(false)});
        EXPECT_EQ(t.wait(), 0) << t.transcript();
        EXPECT_NE(t.transcript().find("TIOCSTI: Operation not permitted"), std::string::npos)
            << t.transcript();
        EXPECT_NE(t.transcript().find("TIOCLINUX: Operation not permitted"), std::string::npos)
            << t.transcript();
        EXPECT_FALSE(typed(t.transcript())) << t.transcript();
    }
    {
        // In a session of its own (the default), the caller's terminal is not its terminal.
        PtySession t(uri(), {"run", spec_file(true)});
        EXPECT_EQ(t.wait(), 0) << t.transcript();
        EXPECT_NE(t.transcript().find("TIOCSTI: Operation not permitted"), std::string::npos)
            << t.transcript();
        EXPECT_FALSE(typed(t.transcript())) << t.transcript();
    }
    {
        // Its own terminal (-t) it may type into: what the probe sees when typing works.
        PtySession t(uri(), {"run", "-t", spec_file(true)});
        EXPECT_EQ(t.wait(), 0) << t.transcript();
        EXPECT_NE(t.transcript().find("TIOCSTI: ok"), std::string::npos) << t.transcript();
        EXPECT_TRUE(typed(t.transcript())) << t.transcript();
    }
    // An exec'd process in the caller's session is refused too (stdin a pipe here: without the
    // guard, the ioctl would reach the pipe and fail as not a terminal).
    auto s = spec({"/bin/sleep", "100"});
    s.rootfs = rootfs;
    auto c = session().create(s);
    start_quiet(c);
    ProcessSpec p;
    p.args = {"/bin/injector", "x"};
    p.new_session = false;
    EXPECT_EQ(exec_captured(c, p).out,
              "TIOCSTI: Operation not permitted\nTIOCLINUX: Operation not permitted\n");
    p.new_session = true;
    EXPECT_EQ(exec_captured(c, p).out,
              "TIOCSTI: Inappropriate ioctl for device\n"
              "TIOCLINUX: Inappropriate ioctl for device\n");
    c.destroy(true);
    EXPECT_TRUE(session().list().empty());
}

TEST_F(Confinement, SeccompProfilesFromTheSpec) {
    auto s = shell("grep Seccomp: /proc/self/status; mkdir /tmp/x 2>&1 | grep -c denied");
    s.seccomp = SeccompSpec{true};
    EXPECT_EQ(run(s).out, "Seccomp:\t0\n0\n");
    SeccompSpec p;
    p.default_action = "SCMP_ACT_ALLOW";
    // A name this kernel does not have is skipped, as the OCI runtime spec says.
    p.syscalls = {{{"mkdir", "mkdirat", "no_such_call_here"}, "SCMP_ACT_ERRNO", 13, {}}};
    s.seccomp = p;
    EXPECT_EQ(run(s).out, "Seccomp:\t2\n1\n");
    // An argument filter: personality(0xffffffff) (a query) allowed, anything else refused.
    SeccompSpec q;
    q.default_action = "SCMP_ACT_ALLOW";
    q.syscalls = {{{"personality"}, "SCMP_ACT_ERRNO", 1, {{0, 0xffffffffULL, 0, "SCMP_CMP_NE"}}}};
    auto t = shell("setarch linux32 true 2>/dev/null && echo switched; echo ok");
    t.seccomp = q;
    EXPECT_EQ(run(t).out, "ok\n");
}

TEST_F(Confinement, AnLsmTheHostLacksIsRefusedAtCreate) {
    std::string enabled;
    bool apparmor = access("/sys/module/apparmor/parameters/enabled", F_OK) == 0 &&
                    read_text("/sys/module/apparmor/parameters/enabled").rfind("Y", 0) == 0;
    bool selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;
    auto s = spec({"/bin/true"});
    s.process.apparmor_profile = "ct-test-profile";
    if (!apparmor) {
        try {
            session().create(s);
            ADD_FAILURE() << "an AppArmor profile was accepted on a host without AppArmor";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::unsupported);
            EXPECT_NE(std::string(e.what()).find("process.apparmor_profile"), std::string::npos)
                << e.what();
        }
    }
    s.process.apparmor_profile.clear();
    s.process.selinux_label = "system_u:system_r:container_t:s0";
    if (!selinux) {
        try {
            session().create(s);
            ADD_FAILURE() << "an SELinux label was accepted on a host without SELinux";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::unsupported);
            EXPECT_NE(std::string(e.what()).find("process.selinux_label"), std::string::npos)
                << e.what();
        }
    }
    EXPECT_TRUE(session().list().empty());
    if (!apparmor && !selinux)
        GTEST_SKIP() << "neither AppArmor nor SELinux is enabled here: the refusals are checked, "
                        "applying a label is not";
    // With a module enabled: the label reaches the process (its current attribute).
    auto r = run(shell("cat /proc/self/attr/current"));
    EXPECT_EQ(r.status.code, 0) << r.err;
}

// The CVE-2019-5736 pattern. A process of the container holds /proc/<pid>/exe of a process
// that came from the host (the program that entered the container) and writes into the file
// once nothing runs it. The entering program here is a copy of enter_victim.
class ExeOverwrite : public Confinement {
  protected:
    void SetUp() override {
        Confinement::SetUp();
        if (IsSkipped()) return;
        dir_ = temp_dir(temp_dirs_, "exe");
        victim_ = dir_ + "/ct-test-enter-victim";
        fs::copy_file(CT_TEST_ENTER_VICTIM, victim_);
        fs::permissions(victim_, fs::perms::owner_all);
        original_ = read_text(victim_);
        rootfs_ = private_rootfs("exe");
        temp_dirs_.push_back(rootfs_);
        fs::copy_file(CT_TEST_EXE_ATTACKER, rootfs_ + "/bin/attacker");
    }
    // The victim as it would run in the container: its shared libraries copied into the
    // rootfs at their host paths, so that '#!/proc/self/exe' could start it there.
    void give_the_rootfs_the_victims_libraries() {
        std::string libs = dir_ + "/libs";
        std::string cmd = "ldd " + victim_ +
                          " | awk '/=> \\// {print $3} /^\\t\\// {print $1}' > " + libs +
                          " && LD_LIBRARY_PATH=" CT_TEST_LIB_DIR " ldd " + victim_ +
                          " | awk '/=> \\// {print $3}' >> " + libs;
        ASSERT_EQ(std::system(cmd.c_str()), 0);
        std::ifstream in(libs);
        std::string lib;
        while (std::getline(in, lib)) {
            if (lib.empty()) continue;
            fs::path dst = rootfs_ + fs::canonical(lib).string();
            fs::create_directories(dst.parent_path());
            fs::copy_file(fs::canonical(lib), dst, fs::copy_options::skip_existing);
            fs::path as_named = rootfs_ + lib;
            fs::create_directories(as_named.parent_path());
            if (!fs::exists(as_named)) fs::copy_file(fs::canonical(lib), as_named);
        }
        fs::copy_file(fs::canonical("/lib64/ld-linux-x86-64.so.2"),
                      rootfs_ + "/lib64/ld-linux-x86-64.so.2", fs::copy_options::skip_existing);
    }
    // Runs the victim (as the host would) with `args`; returns its exit code.
    int run_victim(const std::vector<std::string> &args) {
        std::string cmd = "LD_LIBRARY_PATH=" CT_TEST_LIB_DIR " CT_BACKEND_PATH=" CT_TEST_BACKEND_DIR
                          " " +
                          victim_ + " '" + uri() + "'";
        for (const auto &a : args) cmd += " '" + a + "'";
        int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    }
    // Starts the attacker (the container's init) with its output on a pipe.
    Container start_attacker(double seconds) {
        auto s = spec({"/bin/attacker", "ct-test-enter-victim", std::to_string(seconds)});
        s.rootfs = rootfs_;
        auto c = session().create(s);
        int out[2];
        EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
        StartOptions o;
        o.stdio = {-1, out[1], out[1]};
        c.start(o);
        close(out[1]);
        out_ = out[0];
        return c;
    }
    // Once the victim is done: the attacker gets a moment to write into the file (it retries
    // every 20 ms), then is stopped. Returns what it said.
    std::string finish(Container &c) {
        eventually([&] { return c.state() != State::running; }, 1500);
        if (c.state() == State::running) c.kill(SIGKILL);
        c.wait();
        std::string said;
        char buf[512];
        ssize_t n;
        while ((n = read(out_, buf, sizeof buf)) > 0) said.append(buf, static_cast<size_t>(n));
        close(out_);
        c.destroy(true);
        return said;
    }
    std::string dir_, victim_, original_, rootfs_;
    int out_ = -1;
};

TEST_F(ExeOverwrite, ThroughAProcessThatEntersAndRunsCodeOfItsOwn) {
    auto c = start_attacker(30);
    // A function of the entering program runs in the container for 3 s (the C API's enter_cb):
    // a clone of the host program, executed through nothing.
    EXPECT_EQ(run_victim({c.name(), "fn", "3"}), 0);
    std::string said = finish(c);
    EXPECT_EQ(said.find("ESCAPED"), std::string::npos) << said;
    EXPECT_TRUE(read_text(victim_) == original_) << "the host binary was overwritten: " << said;
}

TEST_F(ExeOverwrite, ThroughACommandThatIsAProcSelfExeScript) {
    give_the_rootfs_the_victims_libraries();
    write_text(rootfs_ + "/bin/evil", "#!/proc/self/exe\n");
    fs::permissions(rootfs_ + "/bin/evil", fs::perms::owner_all);
    auto c = start_attacker(30);
    // Executing the script executes whatever /proc/self/exe is at that moment: it must not be
    // the host program (which, run there, would stay 4 s).
    int rc = run_victim({c.name(), "exec", "/bin/evil"});
    std::string said = finish(c);
    EXPECT_EQ(rc, 127) << "the script ran something: " << said;
    EXPECT_EQ(said.find("ESCAPED"), std::string::npos) << said;
    EXPECT_TRUE(read_text(victim_) == original_) << "the host binary was overwritten: " << said;
}

}  // namespace
}  // namespace ct::test
