// What the engine tests (Podman, containerd, Docker driving the runtime) share: each test runs
// with ct-oci and with runc (the reference), in a directory of its own that holds the engine's
// root, state and sockets; containers go below a cgroup parent of the test's own, so that
// the test can check that none of its cgroups (nor processes in them) is left without
// depending on anyone else's. The engine SKIPs, naming the package, when it is not installed.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "oci_fixture.hpp"

namespace ct::oci::test {

class EngineTest : public ::testing::TestWithParam<std::string> {
  protected:
    // `tools`: the engine's executables, all of which must be installed (`package` names the
    // Debian package that has them).
    void SetUpEngine(const std::string &prefix, const std::vector<std::string> &tools,
                     const std::string &package) {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (the engine runs containers)";
        for (const auto &t : tools)
            if (which(t).empty())
                GTEST_SKIP() << t << " is not installed (Debian package " << package
                             << "; tools/install-deps.sh installs it)";
        runtime_ = GetParam() == "ct-oci" ? ct_oci_binary() : runc_binary();
        if (runtime_.empty()) GTEST_SKIP() << "no runc on this host (the reference)";
        char tmpl[] = "/tmp/ct-oci-engine-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        // The engines and runc run `criu` from PATH: the one that works on this kernel.
        std::filesystem::create_directories(dir_ + "/bin");
        std::filesystem::create_directories(dir_ + "/tmp");
        if (!criu_binary().empty())
            std::filesystem::create_symlink(criu_binary(), dir_ + "/bin/criu");
        tag_ = prefix + "-" + std::to_string(::getpid()) + "-" +
               (GetParam() == "ct-oci" ? "ct" : "runc");
        cgroup_parent_ = "ct-oci-engine-test/" + tag_;
        libpod_parent_was_there_ = std::filesystem::exists("/sys/fs/cgroup/pids/libpod_parent");
    }

    // Removes the test's directory once nothing is mounted below it; checks and removes the
    // test's cgroups (every container of the test has gone by then).
    void TearDownEngine() {
        if (dir_.empty()) return;
        for (const auto &m : mounts_below(dir_)) ::umount2(m.c_str(), MNT_DETACH);
        remove_cgroup_tree(cgroup_parent_);
        for (const auto &h : std::filesystem::directory_iterator("/sys/fs/cgroup")) {
            ::rmdir((h.path() / "ct-oci-engine-test").c_str());
            // Podman's default parent of pods and conmon, when the test's engine made it: it
            // goes once empty (rmdir fails on a group in use).
            if (!libpod_parent_was_there_) {
                ::rmdir((h.path() / "libpod_parent/conmon").c_str());
                ::rmdir((h.path() / "libpod_parent").c_str());
            }
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    // Nothing of the test is left: no mount below its directory, no process in its cgroups.
    // `engine_mount`: a mount the running engine holds itself (dockerd binds its data-root
    // onto itself while it runs), not one of a container.
    void expect_nothing_left(const std::string &engine_mount = "") {
        auto mounts = mounts_below(dir_);
        std::erase(mounts, engine_mount);
        EXPECT_TRUE(mounts.empty()) << "mount left: " << mounts[0];
        for (const auto &d : cgroup_dirs(cgroup_parent_)) {
            for (auto it = std::filesystem::recursive_directory_iterator(d);
                 it != std::filesystem::recursive_directory_iterator(); ++it) {
                if (it->path().filename() != "cgroup.procs") continue;
                // An engine's monitor (conmon, a shim) may take a moment to exit after rm.
                std::string procs;
                EXPECT_TRUE(eventually([&] { return (procs = read_file(it->path())).empty(); }))
                    << "processes left in " << it->path() << ": " << procs;
            }
        }
    }

    static std::vector<std::string> mounts_below(const std::string &dir) {
        std::vector<std::string> out;
        std::ifstream in("/proc/self/mountinfo");
        for (std::string line; std::getline(in, line);) {
            std::istringstream f(line);
            std::string id, parent, dev, root, point;
            f >> id >> parent >> dev >> root >> point;
            if (point.rfind(dir + "/", 0) == 0) out.push_back(point);
        }
        std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
            return a.size() > b.size();  // deepest first
        });
        return out;
    }

    static std::string which(const std::string &name) {
        for (auto d :
             {"/usr/local/sbin/", "/usr/local/bin/", "/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"})
            if (::access((d + name).c_str(), X_OK) == 0) return d + name;
        return "";
    }

    // The environment of the engine's commands: criu first in PATH.
    // TMPDIR: what an engine leaves in its temporary directory (containerd's checkpoint
    // images, "ctrd-checkpoint*") goes with the test's directory.
    std::vector<std::string> engine_env() const {
        const char *path = std::getenv("PATH");
        return {"PATH=" + dir_ + "/bin:" + (path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"),
                "TMPDIR=" + dir_ + "/tmp"};
    }

    // A busybox image as a tarball of the rootfs (what `podman import`, `docker import` take).
    std::string rootfs_tarball() {
        std::string tar = dir_ + "/busybox.tar";
        Result r = run({"tar", "-C", busybox_rootfs(), "-cf", tar, "."});
        EXPECT_EQ(r.code, 0) << r.text();
        return tar;
    }

    // The `run` options users give Podman and Docker most (both spell them alike), with a
    // volume of the test's holding `hello`.
    std::vector<std::string> common_run_options() {
        std::string vol = dir_ + "/vol";
        std::filesystem::create_directories(vol);
        write_file(vol + "/hello", "from the host\n");
        return {"--read-only",
                "--tmpfs",
                "/etc:size=1m",
                "-v",
                vol + ":/data:ro",
                "--hostname",
                "h1",
                "--env",
                "A=b",
                "--workdir",
                "/data",
                "--user",
                "1000:1000",
                "--cap-drop",
                "ALL",
                "--cap-add",
                "NET_BIND_SERVICE",
                "--security-opt",
                "no-new-privileges",
                "--memory",
                "64m",
                "--pids-limit",
                "50",
                "--shm-size",
                "2m"};
    }
    // A script reading each of common_run_options() back inside the container; `etc` looks
    // at the tmpfs on /etc (what an engine puts there differs), `extra` at the engine's own.
    static std::string run_options_probe(const std::string &etc, const std::string &extra) {
        return "hostname; echo $A; pwd; id -u; id -g; cat hello; "
               "touch /x 2>/dev/null && echo root-WRITABLE || echo root-ro; "
               "touch /data/x 2>/dev/null && echo data-WRITABLE || echo data-ro; " +
               etc +
               "; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; "
               "grep -E ' /(etc|dev/shm) ' /proc/self/mountinfo | grep -oE 'size=[0-9]+k'; "
               "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || "
               "cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || "
               "cat /sys/fs/cgroup/pids.max; " +
               extra;
    }

    // A build context whose Containerfile (also named Dockerfile) builds on `image` with RUN
    // steps that each depend on the ones before (a file, ENV, WORKDIR, USER); returns its
    // directory. expect_build_steps_ran() reads the steps' output in the build's.
    std::string build_context(const std::string &image) {
        std::string ctx = dir_ + "/build";
        std::filesystem::create_directories(ctx);
        std::string steps = "FROM " + image +
                            "\nRUN echo built > /built && grep CapEff /proc/self/status"
                            "\nRUN mkdir /made && echo two > /made/f"
                            "\nENV X=1\nWORKDIR /made\nRUN echo \"$(pwd) $(cat f) $X\""
                            "\nUSER 1000:1000\nRUN echo \"user $(id -u):$(id -g)\"\n";
        write_file(ctx + "/Containerfile", steps);
        write_file(ctx + "/Dockerfile", steps);
        return ctx;
    }
    static void expect_build_steps_ran(const Result &build) {
        EXPECT_NE(build.out.find("CapEff:\t00000000a80425fb"), std::string::npos) << build.text();
        EXPECT_NE(build.out.find("/made two 1\n"), std::string::npos) << build.text();
        EXPECT_NE(build.out.find("user 1000:1000\n"), std::string::npos) << build.text();
    }
    // What the built image shows, run as root: the first steps' files and the WORKDIR.
    static constexpr const char *kBuiltProbe = "cat /built /made/f; pwd";
    static constexpr const char *kBuiltProbeOut = "built\ntwo\n/made\n";

    // `argv` run with a terminal of its own (script(1)), as a user typing it: what -it needs.
    static Result on_a_terminal(const std::vector<std::string> &argv,
                                const std::vector<std::string> &env) {
        std::string cmd;
        for (const auto &a : argv) {
            cmd += '\'';
            for (char c : a) cmd += c == '\'' ? std::string("'\\''") : std::string(1, c);
            cmd += "' ";
        }
        return run({"script", "-qec", cmd, "/dev/null"}, "", std::chrono::seconds(60), env);
    }

    // `engine_argv` (the engine and its options, to which "exec -it <container> ..." is added)
    // run on a terminal: the exec gets a pty of its own and its exit code comes back.
    static void expect_exec_on_a_terminal(std::vector<std::string> engine_argv,
                                          const std::string &container,
                                          const std::vector<std::string> &env) {
        engine_argv.insert(engine_argv.end(), {"exec", "-it", container, "/bin/sh", "-c",
                                               "tty; echo exec-tty-ok; exit 6"});
        Result e = on_a_terminal(engine_argv, env);
        EXPECT_EQ(e.code, 6) << e.text();
        EXPECT_NE(e.out.find("/dev/pts/"), std::string::npos) << e.text();
        EXPECT_NE(e.out.find("exec-tty-ok"), std::string::npos) << e.text();
    }

    std::string runtime_, dir_, tag_, cgroup_parent_;
    bool libpod_parent_was_there_ = true;
};

inline std::string engine_param_name(const ::testing::TestParamInfo<std::string> &info) {
    return info.param == "ct-oci" ? "ct_oci" : "runc";
}

}  // namespace ct::oci::test
