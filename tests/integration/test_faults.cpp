// Crash consistency: `ct` killed with SIGKILL at every step of create, start and destroy
// (CT_FAULT_STEP=N kills it at its Nth fault point, backends/support/.../fault.hpp), then the
// invariant of docs/architecture.md "Crash consistency": the container is either absent or
// listed (as incomplete when a step was cut short), `destroy --force` removes it with every
// cgroup, interface, mount and state file, and the name can be used again at once.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "criu_fixture.hpp"
#include "ct/json.hpp"
#include "fixture.hpp"
#include "proc_util.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

constexpr int kKilled = 128 + SIGKILL;

class Faults : public LinuxTest {
  protected:
    // `ct args...` killed at fault point `step` (0: not at all). Returns the CLI result.
    CliResult ct_at(int step, const std::vector<std::string> &args) {
        if (step > 0) ::setenv("CT_FAULT_STEP", std::to_string(step).c_str(), 1);
        CliResult r = ct_cli(uri(), args);
        ::unsetenv("CT_FAULT_STEP");
        return r;
    }

    std::string spec_file(const Spec &s) {
        std::string path = state_root_ + ".spec-" + s.name + ".yaml";
        std::ofstream(path) << to_json(s);  // YAML reads JSON
        temp_dirs_.push_back(path);
        return path;
    }

    // A container with a veth: its host end must go with it, whatever step was cut.
    Spec victim(const std::string &name) {
        Spec s = spec({"/bin/sleep", "1000"}, name);
        NetInterfaceSpec n;
        n.type = "veth";
        n.name = "eth0";
        n.host_name = host_end_;
        s.network = {n};
        return s;
    }

    // Entries of the state root that carry a container's name (hidden ones are the sweep's).
    std::vector<std::string> visible_state() {
        std::vector<std::string> out;
        if (DIR *d = ::opendir(state_root_.c_str())) {
            while (auto *e = ::readdir(d))
                if (e->d_name[0] != '.') out.push_back(e->d_name);
            ::closedir(d);
        }
        return out;
    }

    // Every entry of the state root, hidden ones (a killed create's or destroy's) too.
    std::vector<std::string> all_state() {
        std::vector<std::string> out;
        std::error_code ec;
        for (const auto &e : fs::directory_iterator(state_root_, ec))
            out.push_back(e.path().filename());
        return out;
    }

    // The invariant after a kill at `step` of `what`: listed or absent, destroyable, leaving
    // nothing behind, and the name free again.
    void check_after_kill(const std::string &what, int step, const std::string &name) {
        SCOPED_TRACE(what + " killed at fault point " + std::to_string(step));
        bool listed = false;
        for (const auto &i : session().list())
            if (i.name == name) listed = true;
        auto state = visible_state();
        EXPECT_EQ(listed, !state.empty())
            << "a container directory that list does not show (or the reverse)";
        auto d = ct_cli(uri(), {"destroy", "--force", name});
        if (listed)
            EXPECT_EQ(d.code, 0) << d.err;
        else  // what the user runs anyway: it finds nothing, and sweeps what is hidden
            EXPECT_NE(d.err.find("no container named"), std::string::npos) << d.err;
        EXPECT_TRUE(all_state().empty()) << "state left: " << all_state().front();
        for (const auto &dir : cgroup_dirs_for(cgroup_parent_, name))
            EXPECT_FALSE(fs::exists(dir)) << "cgroup left: " << dir;
        for (int i = 0; i < 300 && fs::exists("/sys/class/net/" + host_end_); ++i) usleep(10000);
        EXPECT_FALSE(fs::exists("/sys/class/net/" + host_end_)) << "veth left: " << host_end_;
        // The name is free: it can be created (and destroyed) again.
        auto c = ct_cli(uri(), {"create", spec_file(victim(name))});
        EXPECT_EQ(c.code, 0) << c.err;
        auto again = ct_cli(uri(), {"destroy", "--force", name});
        EXPECT_EQ(again.code, 0) << again.err;
    }

    std::string host_end_ = "ctf" + std::to_string(::getpid() % 100000);
};

// Each command is killed at its first fault point, its second, ... until one runs through.
// A run that passes no fault point at all would end the loop at once: at least one must kill.
TEST_F(Faults, KillAtEveryStepOfCreate) {
    const std::string name = "fc" + std::to_string(::getpid());
    int killed = 0;
    for (int step = 1; step < 30; ++step) {
        auto r = ct_at(step, {"create", spec_file(victim(name))});
        if (r.code != kKilled) {
            EXPECT_EQ(r.code, 0) << r.err;
            check_after_kill("create (ran through)", step, name);
            break;
        }
        ++killed;
        check_after_kill("create", step, name);
    }
    EXPECT_GE(killed, 4) << "create passes fewer fault points than it has steps";
}

TEST_F(Faults, KillAtEveryStepOfStart) {
    const std::string name = "fs" + std::to_string(::getpid());
    int killed = 0;
    for (int step = 1; step < 30; ++step) {
        auto c = ct_cli(uri(), {"create", spec_file(victim(name))});
        ASSERT_EQ(c.code, 0) << c.err;
        auto r = ct_at(step, {"start", name});
        if (r.code != kKilled) {
            EXPECT_EQ(r.code, 0) << r.err;
            check_after_kill("start (ran through)", step, name);
            break;
        }
        ++killed;
        // The next start undoes the interrupted one, then starts; the container runs.
        if (step % 2 == 0) {
            auto again = ct_cli(uri(), {"start", name});
            EXPECT_EQ(again.code, 0)
                << "start after a start killed at " << step << ": " << again.err;
            EXPECT_EQ(session().get(name).info().state, State::running);
        }
        check_after_kill("start", step, name);
    }
    EXPECT_GE(killed, 2);
}

TEST_F(Faults, KillAtEveryStepOfDestroy) {
    const std::string name = "fd" + std::to_string(::getpid());
    int killed = 0;
    for (int step = 1; step < 30; ++step) {
        auto c = ct_cli(uri(), {"create", spec_file(victim(name))});
        ASSERT_EQ(c.code, 0) << c.err;
        auto s = ct_cli(uri(), {"start", name});
        ASSERT_EQ(s.code, 0) << s.err;
        // An exec'd detached process leaves its records in the state directory too.
        auto x = ct_cli(uri(), {"exec", "-d", name, "--", "/bin/true"});
        ASSERT_EQ(x.code, 0) << x.err;
        auto r = ct_at(step, {"destroy", "--force", name});
        if (r.code != kKilled) {
            EXPECT_EQ(r.code, 0) << r.err;
            check_after_kill("destroy (ran through)", step, name);
            break;
        }
        ++killed;
        check_after_kill("destroy", step, name);
    }
    EXPECT_GE(killed, 4);
}

// The state a killed create leaves is listed as incomplete, says why, and other operations
// refuse it with the way out.
// Besides the fault points, SIGKILL at random moments: `ct run` and `ct create` killed 0-30 ms
// in, as a user's machine would (the fault points cover each step; this covers the moments
// between them).
TEST_F(Faults, KillAtRandomMoments) {
    const std::string name = "fr" + std::to_string(::getpid());
    std::string spec = spec_file(victim(name));
    unsigned seed = static_cast<unsigned>(::getpid());
    for (int i = 0; i < 24; ++i) {
        const char *cmd = i % 2 ? "create" : "run";
        int delay_us = static_cast<int>(rand_r(&seed) % 30000);
        std::vector<std::string> all = {std::string(CT_TEST_BUILD_DIR) + "/bin/ct", "-c", uri(),
                                        cmd, spec};
        std::vector<char *> argv;
        for (auto &a : all) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 0);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execv(argv[0], argv.data());
            ::_exit(126);
        }
        ::usleep(static_cast<useconds_t>(delay_us));
        ::kill(pid, SIGKILL);
        int st = 0;
        ::waitpid(pid, &st, 0);
        check_after_kill(std::string(cmd) + " after " + std::to_string(delay_us) + " us", i, name);
        if (HasFailure()) break;  // one broken state is enough to read
    }
}

TEST_F(Faults, AnInterruptedCreateIsListedAsIncomplete) {
    const std::string name = "fi" + std::to_string(::getpid());
    // Fault point 2: the directory has its name, the cgroups are not made yet.
    ASSERT_EQ(ct_at(2, {"create", spec_file(victim(name))}).code, kKilled);
    auto list = session().list();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].state, State::incomplete);
    EXPECT_NE(list[0].details["incomplete"].find("create interrupted"), std::string::npos)
        << list[0].details["incomplete"];
    // `ct list`'s table says why too.
    auto shown = ct_cli(uri(), {"list"});
    EXPECT_NE(shown.out.find("incomplete (create interrupted)"), std::string::npos) << shown.out;
    auto st = ct_cli(uri(), {"start", name});
    EXPECT_NE(st.code, 0);
    EXPECT_NE(st.err.find("incomplete"), std::string::npos) << st.err;
    EXPECT_NE(st.err.find("destroy"), std::string::npos) << st.err;
    auto d = ct_cli(uri(), {"destroy", name});  // no force needed: nothing of it runs
    EXPECT_EQ(d.code, 0) << d.err;
}

// A directory without a state file (an older libct's crash) is listed and removable.
TEST_F(Faults, ADirectoryWithoutStateIsListedAndRemovable) {
    const std::string name = "fn" + std::to_string(::getpid());
    fs::create_directories(state_root_ + "/" + name);
    std::ofstream(state_root_ + "/" + name + "/exit") << "0 1\n";
    auto list = session().list();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].state, State::incomplete);
    EXPECT_NE(list[0].details["incomplete"].find("no state file"), std::string::npos);
    auto d = ct_cli(uri(), {"destroy", "--force", name});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(visible_state().empty());
}

// A state directory removed by hand (not something a crash leaves) kept the container's
// cgroups, and create of the name failed on them ("File exists") with no command to remove
// them. The error names the way out, and destroy --force of the name takes them, in every
// hierarchy, when no process is in them.
TEST_F(Faults, CgroupsLeftByAStateDirectoryRemovedByHandGoWithDestroyForce) {
    const std::string name = "fo" + std::to_string(::getpid());
    Spec s = spec({"/bin/true"}, name);
    s.resources.cpu.cpus = "0";  // a cpuset directory too
    session().create(s);
    ASSERT_FALSE(cgroup_dirs_for(cgroup_parent_, name).empty());
    fs::remove_all(state_root_ + "/" + name);
    try {
        session().create(s);
        ADD_FAILURE() << "created over the cgroups left";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exists) << e.what();
        EXPECT_NE(std::string(e.what()).find("destroy --force"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(visible_state().empty()) << "the failed create left its state";
    // Not forced: still "no container".
    EXPECT_NE(ct_cli(uri(), {"destroy", name}).code, 0);
    EXPECT_FALSE(cgroup_dirs_for(cgroup_parent_, name).empty());
    auto d = ct_cli(uri(), {"destroy", "--force", name});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, name).empty());
    for (const auto &h : cgroup_hierarchies())
        EXPECT_FALSE(fs::exists("/sys/fs/cgroup/" + h + "/" + cgroup_parent_ + "/" + name)) << h;
    // A name with neither state nor cgroups is still not found, forced or not.
    EXPECT_NE(ct_cli(uri(), {"destroy", "--force", name}).code, 0);
    auto again = session().create(s);
    again.destroy();
}

// Processes in such cgroups are not known to be the container's: left alone, and said so.
TEST_F(Faults, OrphanCgroupsWithProcessesAreLeftAlone) {
    const std::string name = "fp" + std::to_string(::getpid());
    auto c = session().create(spec({"/bin/sleep", "1000"}, name));
    StartOptions o;
    o.stdio = {-1, -1, -1};
    int64_t pid = c.start(o);
    const std::string dir = state_root_ + "/" + name;
    fs::rename(dir, dir + ".aside");  // as if removed by hand
    auto d = ct_cli(uri(), {"destroy", "--force", name});
    EXPECT_NE(d.code, 0);
    EXPECT_NE(d.err.find("hold processes"), std::string::npos) << d.err;
    EXPECT_EQ(::kill(static_cast<pid_t>(pid), 0), 0) << "killed a process it did not know";
    fs::rename(dir + ".aside", dir);
    c.destroy(true);
}

// `ct run -d; ct exec -d; ct destroy -f` removed state.json and the cgroups, then failed on
// the exec's records ("Directory not empty") and kept the name.
TEST_F(Faults, DestroyRemovesTheRecordsOfDetachedExecs) {
    const std::string name = "fx" + std::to_string(::getpid());
    ASSERT_EQ(ct_cli(uri(), {"create", spec_file(spec({"/bin/sleep", "1000"}, name))}).code, 0);
    ASSERT_EQ(ct_cli(uri(), {"start", name}).code, 0);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(ct_cli(uri(), {"exec", "-d", name, "--", "/bin/sleep", "0.01"}).code, 0);
    auto d = ct_cli(uri(), {"destroy", "-f", name});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(visible_state().empty());
}

// A detached exec killed at each step: the process it started is monitored, known to `wait
// --pid`, and its status recorded. The monitor died of SIGPIPE reporting to the killed caller
// (the process ran on, unmonitored, its status lost), and the caller wrote the process's record
// only after the report.
TEST_F(Faults, KillAtEveryStepOfADetachedExec) {
    const std::string name = "fe" + std::to_string(::getpid());
    ASSERT_EQ(ct_cli(uri(), {"create", spec_file(spec({"/bin/sleep", "1000"}, name))}).code, 0);
    ASSERT_EQ(ct_cli(uri(), {"start", name}).code, 0);
    int killed = 0, runs = 0;
    for (int step = 1; step < 10; ++step) {
        auto r = ct_at(step, {"exec", "-d", name, "--", "/bin/sh", "-c", "sleep 0.3; exit 7"});
        ++runs;
        if (r.code != kKilled) {
            EXPECT_EQ(r.code, 0) << r.err;
            break;
        }
        ++killed;
    }
    EXPECT_GE(killed, 1) << "a detached exec passes no fault point";
    std::vector<int64_t> pids;
    for (const auto &e : fs::directory_iterator(state_root_ + "/" + name)) {
        std::string n = e.path().filename();
        if (n.rfind("exec.", 0) == 0 && n.size() > 10 && n.substr(n.size() - 5) == ".exit")
            pids.push_back(std::stoll(n.substr(5, n.size() - 10)));
    }
    // Each kill came after the monitor was forked: every run started its process.
    EXPECT_EQ(static_cast<int>(pids.size()), runs);
    auto c = session().get(name);
    for (int64_t pid : pids) {
        SCOPED_TRACE("process " + std::to_string(pid));
        EXPECT_TRUE(fs::exists(state_root_ + "/" + name + "/exec." + std::to_string(pid) + ".run"));
        try {
            EXPECT_EQ(c.wait_process(pid, std::chrono::seconds(10)).code, 7);
        } catch (const Error &e) {
            ADD_FAILURE() << e.what();
        }
    }
    auto d = ct_cli(uri(), {"destroy", "-f", name});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(visible_state().empty());
}

// A pause killed between freezing and saving the state left a container the state called
// running but frozen: list said running, resume refused it ("not paused") and exec hung. The
// kernel's word goes: it is paused, resume thaws it, destroy takes it down.
TEST_F(Faults, AKilledPauseLeavesItPausedAndResumable) {
    const std::string name = "fp" + std::to_string(::getpid());
    ASSERT_EQ(ct_cli(uri(), {"create", spec_file(spec({"/bin/sleep", "1000"}, name))}).code, 0);
    ASSERT_EQ(ct_cli(uri(), {"start", name}).code, 0);
    ASSERT_EQ(ct_at(1, {"pause", name}).code, kKilled);
    auto list = session().list();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].state, State::paused);
    auto x = ct_cli(uri(), {"exec", name, "--", "/bin/true"});
    EXPECT_NE(x.code, 0);
    EXPECT_NE(x.err.find("paused"), std::string::npos) << x.err;
    auto r = ct_cli(uri(), {"resume", name});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(ct_cli(uri(), {"exec", name, "--", "/bin/true"}).code, 0);
    ASSERT_EQ(ct_at(1, {"pause", name}).code, kKilled);
    auto d = ct_cli(uri(), {"destroy", "--force", name});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(visible_state().empty());
}

// An update killed between its two saves: the state marks it (info "updating") instead of
// showing limits the cgroups may not have, and the next update writes the spec's limits whole.
TEST_F(Faults, AKilledUpdateIsMarkedAndFinishedByTheNext) {
    const std::string name = "fu" + std::to_string(::getpid());
    ASSERT_EQ(ct_cli(uri(), {"create", spec_file(spec({"/bin/sleep", "1000"}, name))}).code, 0);
    ASSERT_EQ(ct_cli(uri(), {"start", name}).code, 0);
    auto info = [&] { return session().get(name).info(); };
    auto memory_limit = [&] {
        auto d = info().details;
        std::string file = d.count("cgroup.memory") ? d["cgroup.memory"] + "/memory.limit_in_bytes"
                                                    : d["cgroup.unified"] + "/memory.max";
        std::string v;
        std::ifstream(file) >> v;
        return v;
    };
    // Point 1: noted, not written to the cgroups.
    ASSERT_EQ(ct_at(1, {"update", name, "--memory", "100M"}).code, kKilled);
    auto i = info();
    EXPECT_EQ(i.spec.resources.memory, int64_t{100} << 20);
    EXPECT_TRUE(i.details.count("updating")) << "a state that shows limits not in force";
    EXPECT_NE(memory_limit(), std::to_string(int64_t{100} << 20));
    auto r = ct_cli(uri(), {"update", name, "--pids", "50"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(memory_limit(), std::to_string(int64_t{100} << 20));
    EXPECT_FALSE(info().details.count("updating"));
    // Point 2: written, not yet unmarked.
    ASSERT_EQ(ct_at(2, {"update", name, "--memory", "120M"}).code, kKilled);
    EXPECT_TRUE(info().details.count("updating"));
    EXPECT_EQ(memory_limit(), std::to_string(int64_t{120} << 20));
    // A failed update (the container uses more memory than 8 KiB) writes the spec's limits
    // whole first, puts them back after its own failed write, and leaves no mark.
    r = ct_cli(uri(), {"update", name, "--memory", "8k"});
    EXPECT_NE(r.code, 0);
    EXPECT_FALSE(info().details.count("updating"));
    EXPECT_EQ(info().spec.resources.memory, int64_t{120} << 20);
    EXPECT_EQ(memory_limit(), std::to_string(int64_t{120} << 20));
    EXPECT_EQ(ct_cli(uri(), {"destroy", "--force", name}).code, 0);
}

// A command killed while it had something mounted in the state (a restore binds the rootfs
// at <state>/<name>/criu-root) leaves the mount there: destroy and the sweep of hidden
// directories take it off and never empty what is below it (a rootfs other containers share).
TEST_F(Faults, AMountLeftInTheStateIsTakenOffNotEmptied) {
    const std::string name = "fm" + std::to_string(::getpid());
    std::string victim = temp_dir(temp_dirs_, "fm-rootfs");
    std::ofstream(victim + "/precious") << "kept\n";
    ASSERT_EQ(ct_cli(uri(), {"create", spec_file(spec({"/bin/true"}, name))}).code, 0);
    auto bind = [&](const std::string &at) {
        fs::create_directories(at);
        return ::mount(victim.c_str(), at.c_str(), nullptr, MS_BIND, nullptr) == 0;
    };
    ASSERT_TRUE(bind(state_root_ + "/" + name + "/criu-root"));
    // Twice at one place, as a retried restore would leave it.
    ASSERT_TRUE(bind(state_root_ + "/" + name + "/criu-root"));
    auto d = ct_cli(uri(), {"destroy", "--force", name});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(fs::exists(victim + "/precious"));
    EXPECT_TRUE(visible_state().empty());
    // A hidden directory of a remove that crashed (its owner long gone), holding a mount.
    std::string trash = state_root_ + "/.trash." + name + ".999999999-1-0";
    ASSERT_TRUE(bind(trash + "/criu-root"));
    ASSERT_EQ(ct_cli(uri(), {"create", spec_file(spec({"/bin/true"}, name))}).code, 0);
    EXPECT_EQ(ct_cli(uri(), {"destroy", name}).code, 0);  // sweeps
    EXPECT_TRUE(fs::exists(victim + "/precious"));
    EXPECT_FALSE(fs::exists(trash));
    EXPECT_EQ(read_text("/proc/self/mountinfo").find(trash), std::string::npos);
}

// A read-only command creates nothing, not even the state root.
TEST_F(Faults, ListOfAMissingRootCreatesNothing) {
    std::string root = state_root_ + ".absent/a/b";
    auto r = ct_cli("linux:///?root=" + root, {"list"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(fs::exists(state_root_ + ".absent"));
}

// The exit status of a detached container survives a state root that filled up while it ran:
// its record's room is reserved at start.
TEST_F(Faults, ExitStatusIsKeptWhenTheDiskFillsUp) {
    std::string root = state_root_ + ".small";
    fs::create_directories(root);
    temp_dirs_.push_back(root);
    ASSERT_EQ(::system(("mount -t tmpfs -o size=256k tmpfs " + root).c_str()), 0);
    struct Unmount {
        std::string dir;
        ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
    } unmount{root};
    std::string u = "linux:///?root=" + root + "/s&cgroup_parent=" + cgroup_parent_;
    const std::string name = "fe" + std::to_string(::getpid());
    Spec s = spec({"/bin/sleep", "1000"}, name);
    ASSERT_EQ(ct_cli(u, {"create", spec_file(s)}).code, 0);
    ASSERT_EQ(ct_cli(u, {"start", name}).code, 0);
    // Fill the disk.
    {
        std::ofstream fill(root + "/fill");
        std::string block(4096, 'x');
        while (fill.write(block.data(), block.size()) && fill.flush()) {
        }
    }
    auto info = ct_cli(u, {"info", name});
    ASSERT_EQ(info.code, 0) << info.err;
    // A create on the full disk fails saying so, and leaves nothing in the state root.
    auto entries = [&] {
        std::set<std::string> out;
        for (const auto &e : fs::directory_iterator(root + "/s")) out.insert(e.path().filename());
        return out;
    };
    auto before = entries();
    Spec other = spec({"/bin/true"}, name + "b");
    auto full = ct_cli(u, {"create", spec_file(other)});
    EXPECT_NE(full.code, 0);
    EXPECT_NE(full.err.find("No space left on device"), std::string::npos) << full.err;
    EXPECT_EQ(entries(), before);
    EXPECT_EQ(ct_cli(u, {"info", other.name}).code, 1);
    ASSERT_EQ(ct_cli(u, {"kill", name, "KILL"}).code, 0);
    auto w = ct_cli(u, {"wait", name});  // prints the status (shell convention)
    EXPECT_EQ(w.code, 0) << w.err;
    EXPECT_EQ(w.out, "137\n") << w.err;
    fs::remove(root + "/fill");
    EXPECT_EQ(ct_cli(u, {"destroy", "-f", name}).code, 0);
}

}  // namespace
}  // namespace ct::test

namespace ct::test {
namespace {

// A container restarted after `kill --all`: its cgroup lives on, and must not kill the new init
// (cgroup.kill on a cgroup that lives on did, on this kernel).
TEST_F(Faults, RestartAfterKillAllRuns) {
    const std::string name = "fk" + std::to_string(::getpid());
    ASSERT_EQ(ct_cli(uri(), {"create", spec_file(spec({"/bin/sleep", "1000"}, name))}).code, 0);
    ASSERT_EQ(ct_cli(uri(), {"start", name}).code, 0);
    ASSERT_EQ(ct_cli(uri(), {"kill", "--all", name, "KILL"}).code, 0);
    EXPECT_EQ(ct_cli(uri(), {"wait", name}).out, "137\n");
    ASSERT_EQ(ct_cli(uri(), {"start", name}).code, 0);
    usleep(300 * 1000);
    EXPECT_EQ(session().get(name).info().state, State::running);
    EXPECT_EQ(ct_cli(uri(), {"destroy", "-f", name}).code, 0);
}

}  // namespace
}  // namespace ct::test

namespace ct::test {
namespace {

TEST_F(Faults, ARootWithANulIsRefused) {
    // A path of this test's own: what the NUL would cut it to must not appear.
    std::string cut = state_root_ + ".nul";
    ASSERT_FALSE(fs::exists(cut));
    auto r = ct_cli("linux:///?root=" + cut + "%00b", {"list"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("NUL"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(cut));
}

}  // namespace
}  // namespace ct::test
