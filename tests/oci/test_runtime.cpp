// The runtime's command line driven as engines drive it (runtime-tools' lifecycle validation):
// create --bundle --pid-file, state, start, kill, state after the exit, delete; and the bad
// input engines meet (no config.json, a duplicate ID, start of a running container, delete of
// a running one), each an error in the --log file in the requested format. Every test runs
// with ct-oci and with runc, the reference, on the same bundle; each ends with nothing of it
// left: no container in the state root, no cgroup, no process.
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

INSTANTIATE_TEST_SUITE_P(Runtimes, Runtime, ::testing::Values("ct-oci", "runc"),
                         [](const auto &info) {
                             return info.param == "ct-oci" ? "ct_oci" : "runc";
                         });

}  // namespace
