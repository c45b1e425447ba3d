// Rootless Podman driving the runtime: an ordinary login user of the test's own (useradd, with
// the subordinate range useradd gives it) runs `podman --runtime <runtime>` with its storage in
// its home. Podman runs the runtime as root of the user's user namespace, with no cgroups on
// this cgroup v1 host; the runtime keeps its state under $XDG_RUNTIME_DIR, as runc does, and
// makes /dev by binding the host's nodes. The container's root is the user outside: escape
// test. ct-oci as runc. The user, its home, its processes and ranges are gone at the end.
#include <pwd.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "../common/host_ids.hpp"
#include "engine_fixture.hpp"

using namespace ct::oci::test;
using ct::test::host_uid_of;
using ct::test::processes_in;
using ct::test::subid_of;
using ct::test::SubidRange;
using namespace std::chrono_literals;

namespace {

const char kImage[] = "localhost/ct-oci-busybox:test";

class PodmanRootless : public EngineTest {
  protected:
    void SetUp() override {
        SetUpEngine("podman-rl", {"podman", "conmon"}, "podman");
        if (IsSkipped() || HasFatalFailure()) return;
        for (const auto &[tool, package] :
             {std::pair{"useradd", "passwd"}, {"newuidmap", "uidmap"}, {"setpriv", "util-linux"}})
            if (which(tool).empty())
                GTEST_SKIP() << tool << " is not installed (Debian package " << package << ")";
        name_ =
            "ct-prl" + std::to_string(::getpid() % 100000) + (GetParam() == "ct-oci" ? "c" : "r");
        std::string cmd = "useradd --create-home --shell /bin/sh " + name_ + " >/dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        made_user_ = true;
        struct passwd *pw = ::getpwnam(name_.c_str());
        ASSERT_NE(pw, nullptr);
        uid_ = pw->pw_uid;
        gid_ = pw->pw_gid;
        home_ = pw->pw_dir;
        sub_uid_ = subid_of("/etc/subuid", name_);
        if (sub_uid_.count < 65536 || subid_of("/etc/subgid", name_).count < 65536)
            GTEST_SKIP() << "useradd gave " << name_ << " no subordinate range of 65536 ids";
        if (as_user({"unshare", "--user", "true"}).code != 0)
            GTEST_SKIP() << "the kernel refuses unprivileged user namespaces here";
        Result v = as_user({runtime_, "--version"});
        ASSERT_EQ(v.code, 0) << name_ << " cannot run " << runtime_
                             << " (every directory above it must be searchable): " << v.text();
        ASSERT_EQ(as_user({"mkdir", "-m", "700", home_ + "/xdg"}).code, 0);
        std::string tar = home_ + "/busybox.tar";
        std::filesystem::copy_file(rootfs_tarball(), tar);
        ASSERT_EQ(::chown(tar.c_str(), uid_, gid_), 0);
        Result i = podman({"import", tar, kImage}, 120s);
        ASSERT_EQ(i.code, 0) << i.text();
    }

    void TearDown() override {
        if (made_user_) {
            podman({"rm", "--all", "--force", "--time", "0"});
            // The containers' processes (the user's subordinate ids) go with them...
            std::vector<long> left = processes_in(sub_uid_.start, sub_uid_.start + sub_uid_.count);
            for (int i = 0; i < 300 && !left.empty(); ++i) {
                ::usleep(10000);
                left = processes_in(sub_uid_.start, sub_uid_.start + sub_uid_.count);
            }
            EXPECT_TRUE(left.empty()) << "container processes left: " << left.size();
            // ...Podman's own (the pause process holding its user namespace) stay: ended here.
            for (int i = 0; i < 200 && !processes_in(uid_, uid_ + 1).empty(); ++i) {
                for (long pid : processes_in(uid_, uid_ + 1))
                    ::kill(static_cast<pid_t>(pid), SIGKILL);
                ::usleep(10000);
            }
            std::string cmd = "userdel --remove " + name_ + " >/dev/null 2>&1";
            EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
            EXPECT_FALSE(std::filesystem::exists(home_)) << home_;
            EXPECT_EQ(subid_of("/etc/subuid", name_).count, 0U) << "an /etc/subuid line left";
        }
        TearDownEngine();
    }

    // `argv` as the user: its ids and groups, a clean environment of its own.
    Result as_user(const std::vector<std::string> &argv, std::chrono::seconds timeout = 60s) {
        std::vector<std::string> a = {"setpriv",
                                      "--reuid",
                                      std::to_string(uid_),
                                      "--regid",
                                      std::to_string(gid_),
                                      "--init-groups",
                                      "env",
                                      "-i",
                                      "HOME=" + home_,
                                      "USER=" + name_,
                                      "LOGNAME=" + name_,
                                      "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                      "XDG_RUNTIME_DIR=" + home_ + "/xdg",
                                      "sh",
                                      "-c",
                                      "cd \"$HOME\" && exec \"$@\"",
                                      "sh"};
        a.insert(a.end(), argv.begin(), argv.end());
        return run(a, "", timeout);
    }
    Result podman(const std::vector<std::string> &args, std::chrono::seconds timeout = 60s) {
        std::vector<std::string> a = {"podman",
                                      "--root",
                                      home_ + "/storage",
                                      "--runroot",
                                      home_ + "/xdg/run",
                                      "--storage-driver",
                                      "vfs",
                                      "--events-backend",
                                      "none",
                                      "--runtime",
                                      runtime_};
        a.insert(a.end(), args.begin(), args.end());
        return as_user(a, timeout);
    }

    std::string name_, home_;
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    SubidRange sub_uid_;
    bool made_user_ = false;
};

TEST_P(PodmanRootless, RunExecStopAsAnUnprivilegedUser) {
    Result r = podman({"run", "--rm", "--network", "none", kImage, "/bin/sh", "-c",
                       "id -u; tr -s ' ' < /proc/self/uid_map; grep Seccomp: /proc/self/status "
                       "| tr -d '\\t'; awk '$5 == \"/sys\" {print $6}' /proc/self/mountinfo | "
                       "cut -c1-3; echo x > /dev/null && head -c 3 /dev/zero | wc -c; "
                       "touch /made && stat -c %u /made"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "0\n 0 " + std::to_string(uid_) + " 1\n 1 " + std::to_string(sub_uid_.start) +
                         " 65536\nSeccomp:2\nro,\n3\n0\n")
        << r.text();

    std::string c = "rl-" + tag_;
    Result d = podman({"run", "-d", "--name", c, "--network", "none", kImage, "/bin/sh", "-c",
                       "trap 'echo stopping; exit 0' TERM; echo up; while :; do sleep 0.1; done"});
    ASSERT_EQ(d.code, 0) << d.text();
    // Escape test: the container's root is the user on the host, its other ids the user's
    // subordinate ones; never the host's root.
    Result pid = podman({"inspect", "--format", "{{.State.Pid}}", c});
    ASSERT_EQ(pid.code, 0) << pid.text();
    EXPECT_EQ(host_uid_of(std::stol(pid.out)), static_cast<long>(uid_));
    Result e = podman({"exec", c, "/bin/sh", "-c", "echo exec $(id -u)"});
    EXPECT_EQ(e.out, "exec 0\n") << e.text();
    e = podman({"exec", "--user", "1000", c, "id", "-u"});
    EXPECT_EQ(e.out, "1000\n") << e.text();
    Result st = podman({"stop", "--time", "10", c});
    EXPECT_EQ(st.code, 0) << st.text();
    EXPECT_EQ(podman({"logs", c}).out, "up\nstopping\n");
    EXPECT_EQ(podman({"inspect", "--format", "{{.State.ExitCode}}", c}).out, "0\n");
    EXPECT_EQ(podman({"rm", c}).code, 0);
    EXPECT_EQ(podman({"ps", "--all", "--quiet"}).out, "");
    // The runtime's state: under the user's XDG_RUNTIME_DIR, nothing left there.
    std::string state = home_ + "/xdg/" + (GetParam() == "ct-oci" ? "ct-oci" : "runc");
    ASSERT_TRUE(std::filesystem::is_directory(state)) << state;
    EXPECT_TRUE(std::filesystem::is_empty(state)) << state;
}

INSTANTIATE_TEST_SUITE_P(Runtimes, PodmanRootless, ::testing::Values("ct-oci", "runc"),
                         engine_param_name);

}  // namespace
