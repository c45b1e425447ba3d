// The runtime's command line driven as engines drive it (runtime-tools' lifecycle validation):
// create --bundle --pid-file, state, start, kill, state after the exit, delete; and the bad
// input engines meet (no config.json, a duplicate ID, start of a running container, delete of
// a running one), each an error in the --log file in the requested format. Every test runs
// with ct-oci and with runc, the reference, on the same bundle; each ends with nothing of it
// left: no container in the state root, no cgroup, no process.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "runtime_fixture.hpp"

namespace fs = std::filesystem;
using namespace ct::oci::test;

namespace {

class Runtime : public RuntimeTest {};

TEST_P(Runtime, LifecycleAsEnginesDriveIt) {
    write_config({"/bin/sh", "-c", "echo started > /out/started; exec sleep 100"});
    std::string pid_file = dir_ + "/pid";
    Result c = rt({"create", "--bundle", bundle_, "--pid-file", pid_file, id_});
    ASSERT_EQ(c.code, 0) << c.text();

    // created: the process exists, waits in the namespaces, has not run the command.
    json s = state();
    EXPECT_EQ(s["status"], "created");
    EXPECT_EQ(s["id"], id_);
    EXPECT_EQ(s["bundle"], bundle_);
    pid_t pid = static_cast<pid_t>(std::stoll(read_file(pid_file)));
    EXPECT_EQ(s["pid"], pid);
    EXPECT_TRUE(process_exists(pid));
    EXPECT_FALSE(fs::exists(out_ + "/started"));
    EXPECT_FALSE(cgroup_dirs(cgroup_).empty()) << "cgroupsPath not honoured";

    Result st = rt({"start", id_});
    ASSERT_EQ(st.code, 0) << st.text();
    EXPECT_TRUE(eventually([&] { return fs::exists(out_ + "/started"); }));
    EXPECT_EQ(state()["status"], "running");
    EXPECT_EQ(state()["pid"], pid);

    // A second start of a running container is an error, logged.
    Result again = rt({"start", id_});
    EXPECT_NE(again.code, 0) << again.text();
    EXPECT_FALSE(last_logged_error().empty());

    // delete of a running container without --force is refused and changes nothing.
    Result del = rt({"delete", id_});
    EXPECT_NE(del.code, 0) << del.text();
    EXPECT_NE(last_logged_error().find(id_), std::string::npos) << last_logged_error();
    EXPECT_TRUE(process_exists(pid));

    Result k = rt({"kill", id_, "KILL"});
    ASSERT_EQ(k.code, 0) << k.text();
    EXPECT_TRUE(eventually([&] { return state()["status"] == "stopped"; }));
    EXPECT_FALSE(process_exists(pid));

    Result d = rt({"delete", id_});
    ASSERT_EQ(d.code, 0) << d.text();
    Result gone = rt({"state", id_});
    EXPECT_NE(gone.code, 0) << gone.text();
    EXPECT_NE(last_logged_error().find("does not exist"), std::string::npos) << last_logged_error();
    expect_nothing_left();
}

TEST_P(Runtime, ExitedContainerIsStoppedUntilDeleted) {
    write_config({"/bin/true"});
    ASSERT_EQ(rt({"create", "--bundle", bundle_, id_}).code, 0);
    ASSERT_EQ(rt({"start", id_}).code, 0);
    EXPECT_TRUE(eventually([&] { return state()["status"] == "stopped"; }));
    // start of a stopped container is refused; state still answers until delete.
    EXPECT_NE(rt({"start", id_}).code, 0);
    EXPECT_EQ(state()["status"], "stopped");
    // A signal for a stopped container is refused, but --all (every process, none left) is no
    // error.
    EXPECT_NE(rt({"kill", id_, "KILL"}).code, 0);
    Result all = rt({"kill", "--all", id_, "KILL"});
    EXPECT_EQ(all.code, 0) << all.text();
    ASSERT_EQ(rt({"delete", id_}).code, 0);
    expect_nothing_left();
}

TEST_P(Runtime, RunInTheForegroundReturnsTheExitCode) {
    write_config({"/bin/sh", "-c", "echo out; exit 7"});
    Result r = rt({"run", "--bundle", bundle_, id_});
    EXPECT_EQ(r.code, 7) << r.text();
    EXPECT_EQ(r.out, "out\n");
    if (GetParam() == "runc") rt({"delete", id_});  // runc run keeps nothing either; be sure
    expect_nothing_left();
}

TEST_P(Runtime, BundleWithoutConfigIsAnErrorInTheLog) {
    Result c = rt({"create", "--bundle", bundle_, id_});
    EXPECT_NE(c.code, 0) << c.text();
    EXPECT_NE(last_logged_error().find("config.json"), std::string::npos) << last_logged_error();
    expect_nothing_left();
}

// A read-only command makes no state root; a root the session URI would misread (an escape,
// another option) is refused, not taken for another directory.
TEST_P(Runtime, TheStateRootIsMadeOnlyByCommandsThatMakeContainersAndNeverMisread) {
    if (GetParam() != "ct-oci") GTEST_SKIP() << "ct-oci's session URI";
    std::string absent = dir_ + "/absent";
    Result l = run({bin_, "--root", absent + "/a", "list"}, "", std::chrono::seconds(10));
    EXPECT_EQ(l.code, 0) << l.text();
    EXPECT_FALSE(fs::exists(absent)) << "list made the state root";
    for (const char *odd : {"/o%41", "/o&cgroup_parent=x"}) {
        Result r = run({bin_, "--root", dir_ + odd, "list"}, "", std::chrono::seconds(10));
        EXPECT_NE(r.code, 0) << odd << ": " << r.text();
        EXPECT_NE(r.text().find("not supported in the path"), std::string::npos) << r.text();
        EXPECT_FALSE(fs::exists(dir_ + odd));
    }
}

// A usage error is logged where the engine reads errors, as every other error.
TEST_P(Runtime, UsageErrorsAreInTheLog) {
    for (const std::vector<std::string> &args : {std::vector<std::string>{"create", "--bogus", id_},
                                                 std::vector<std::string>{"nosuchcommand", id_}}) {
        std::filesystem::remove(log_);
        Result r = rt(args);
        EXPECT_NE(r.code, 0) << r.text();
        EXPECT_FALSE(last_logged_error().empty()) << args[0] << ": nothing in the log";
    }
    // A log that cannot be written is refused, not silently dropped.
    Result r = run({bin_, "--root", root_, "--log", dir_ + "/no/such/dir/log", "list"}, "",
                   std::chrono::seconds(10));
    EXPECT_NE(r.code, 0) << r.text();
}

// A bundle path with "." and ".." (as a relative path from an engine's working directory may
// have) is cleaned, as runc's filepath.Abs does: the state shows the clean path.
TEST_P(Runtime, ABundlePathWithDotDotIsCleaned) {
    write_config({"/bin/true"});
    std::string odd = bundle_ + "/../" + fs::path(bundle_).filename().string() + "/.";
    Result c = rt({"create", "--bundle", odd, id_});
    ASSERT_EQ(c.code, 0) << c.text();
    EXPECT_EQ(state()["bundle"], bundle_);
    ASSERT_EQ(rt({"delete", "--force", id_}).code, 0);
    expect_nothing_left();
}

// A cgroup right under a hierarchy's root with the ID's name is not a container of this
// runtime (it may be a service's, another runtime's): state says none exists, and delete
// --force takes nothing away.
TEST_P(Runtime, AForeignCgroupOfTheSameNameIsNoContainer) {
    std::string foreign = "/sys/fs/cgroup/pids/" + id_;
    if (!fs::exists("/sys/fs/cgroup/pids")) foreign = "/sys/fs/cgroup/unified/" + id_;
    ASSERT_EQ(::mkdir(foreign.c_str(), 0755), 0) << foreign;
    Result s = rt({"state", id_});
    EXPECT_NE(s.code, 0) << s.text();
    EXPECT_NE(last_logged_error().find("does not exist"), std::string::npos) << last_logged_error();
    Result d = rt({"delete", "--force", id_});
    EXPECT_EQ(d.code, 0) << d.text();
    EXPECT_TRUE(fs::exists(foreign)) << "delete removed a cgroup that was not its container's";
    ::rmdir(foreign.c_str());
    expect_nothing_left();
}

TEST_P(Runtime, DuplicateIdIsRefusedAndTheFirstStays) {
    write_config({"/bin/sleep", "100"});
    ASSERT_EQ(rt({"create", "--bundle", bundle_, id_}).code, 0);
    Result dup = rt({"create", "--bundle", bundle_, id_});
    EXPECT_NE(dup.code, 0) << dup.text();
    EXPECT_NE(last_logged_error().find("exists"), std::string::npos) << last_logged_error();
    EXPECT_EQ(state()["status"], "created");
    ASSERT_EQ(rt({"delete", "--force", id_}).code, 0);
    expect_nothing_left();
}

TEST_P(Runtime, CreatedContainerIsDeletedWithItsWaitingProcess) {
    write_config({"/bin/sh", "-c", "echo ran > /out/ran"});
    std::string pid_file = dir_ + "/pid";
    ASSERT_EQ(rt({"create", "--bundle", bundle_, "--pid-file", pid_file, id_}).code, 0);
    pid_t pid = static_cast<pid_t>(std::stoll(read_file(pid_file)));
    ASSERT_TRUE(process_exists(pid));
    Result d = rt({"delete", "--force", id_});
    ASSERT_EQ(d.code, 0) << d.text();
    EXPECT_TRUE(eventually([&] { return !process_exists(pid); }));
    EXPECT_FALSE(fs::exists(out_ + "/ran")) << "the command ran without start";
    expect_nothing_left();
}

// A stop of a container never started (the CRI's StopContainer, `ctr task kill`) sends
// SIGTERM first: the waiting process dies of it, as runc's does, rather than ignore it as pid 1
// of its namespace until the grace period ends in SIGKILL.
TEST_P(Runtime, ACreatedContainerDiesOfSigterm) {
    write_config({"/bin/sh", "-c", "echo ran > /out/ran"});
    std::string pid_file = dir_ + "/pid";
    ASSERT_EQ(rt({"create", "--bundle", bundle_, "--pid-file", pid_file, id_}).code, 0);
    pid_t pid = static_cast<pid_t>(std::stoll(read_file(pid_file)));
    Result k = rt({"kill", id_, "TERM"});
    EXPECT_EQ(k.code, 0) << k.text();
    EXPECT_TRUE(eventually([&] { return !process_exists(pid); })) << "SIGTERM was ignored";
    EXPECT_EQ(state().value("status", ""), "stopped");
    EXPECT_FALSE(fs::exists(out_ + "/ran")) << "the command ran without start";
    ASSERT_EQ(rt({"delete", id_}).code, 0);
    expect_nothing_left();
}

// ct-oci create killed (SIGKILL) at each of libct's fault points in turn (CT_FAULT_STEP=N, as
// tests/integration/test_faults.cpp does for ct), as a node that loses power or an OOM kill
// would: what is left is either absent or a container engines can handle, i.e. `stopped` (to
// be deleted as after any failed create) or `created` with its waiting process; never one that
// claims a process it has not. The engine's delete then leaves nothing and the ID is free.
class RuntimeFaults : public RuntimeTest {};

TEST_P(RuntimeFaults, CreateKilledAtEveryStepIsStoppedOrCreatedAndDeletable) {
    write_config({"/bin/sleep", "1000"});
    int killed = 0;
    for (int step = 1; step < 40; ++step) {
        SCOPED_TRACE("create killed at fault point " + std::to_string(step));
        std::vector<std::string> argv = global_options();
        for (std::string a : {"create", "--bundle", bundle_.c_str(), id_.c_str()})
            argv.push_back(a);
        Result c =
            run(argv, "", std::chrono::seconds(30), {"CT_FAULT_STEP=" + std::to_string(step)});
        if (c.code == 0) {  // ran through every fault point
            EXPECT_EQ(rt({"delete", "--force", id_}).code, 0);
            break;
        }
        ASSERT_EQ(c.code, 128 + SIGKILL) << c.text();
        ++killed;
        Result st = rt({"state", id_});
        Result l = rt({"list", "--quiet"});
        EXPECT_EQ(st.code == 0, l.out.find(id_) != std::string::npos)
            << "state and list disagree:\n"
            << st.text() << "\n"
            << l.text();
        if (st.code == 0) {
            json j = json::parse(st.out);
            std::string status = j["status"];
            if (status == "created") {
                EXPECT_TRUE(process_exists(j["pid"].get<pid_t>())) << st.out;
            } else {
                EXPECT_EQ(status, "stopped") << st.out;
                EXPECT_EQ(j["pid"], 0) << st.out;
            }
            // What an engine does after a create that failed: delete, --force unless stopped.
            Result d = status == "stopped" ? rt({"delete", id_}) : rt({"delete", "--force", id_});
            EXPECT_EQ(d.code, 0) << d.text();
        }
        expect_nothing_left();
    }
    EXPECT_GE(killed, 4) << "create passes fewer fault points than it has steps";
    // The ID is free again: a whole create, start and delete.
    write_config({"/bin/true"});
    ASSERT_EQ(rt({"create", "--bundle", bundle_, id_}).code, 0);
    EXPECT_EQ(rt({"delete", "--force", id_}).code, 0);
    expect_nothing_left();
}

// delete of a stopped container killed at each of its fault points: the container is gone, or
// still there as `stopped`, and the engine's next delete finishes it.
TEST_P(RuntimeFaults, DeleteKilledAtEveryStepIsFinishedByTheNextDelete) {
    write_config({"/bin/true"});
    int killed = 0;
    for (int step = 1; step < 40; ++step) {
        SCOPED_TRACE("delete killed at fault point " + std::to_string(step));
        ASSERT_EQ(rt({"create", "--bundle", bundle_, id_}).code, 0);
        ASSERT_EQ(rt({"start", id_}).code, 0);
        ASSERT_TRUE(eventually([&] { return state()["status"] == "stopped"; }));
        std::vector<std::string> argv = global_options();
        argv.push_back("delete");
        argv.push_back(id_);
        Result d =
            run(argv, "", std::chrono::seconds(30), {"CT_FAULT_STEP=" + std::to_string(step)});
        if (d.code == 0) {  // ran through every fault point
            expect_nothing_left();
            break;
        }
        ASSERT_EQ(d.code, 128 + SIGKILL) << d.text();
        ++killed;
        Result st = rt({"state", id_});
        if (st.code == 0) {
            EXPECT_EQ(json::parse(st.out)["status"], "stopped") << st.out;
            Result again = rt({"delete", id_});
            EXPECT_EQ(again.code, 0) << again.text();
        }
        expect_nothing_left();
    }
    EXPECT_GE(killed, 3) << "delete passes fewer fault points than it has steps";
}

INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeFaults, ::testing::Values("ct-oci"),
                         [](const auto &) { return "ct_oci"; });

INSTANTIATE_TEST_SUITE_P(Runtimes, Runtime, ::testing::Values("ct-oci", "runc"),
                         [](const auto &info) {
                             return info.param == "ct-oci" ? "ct_oci" : "runc";
                         });

}  // namespace
