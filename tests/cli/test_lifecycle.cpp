// A container's life cycle spread over several `ct` processes: state lives on disk, so list,
// info, wait, kill and destroy work from processes other than the one that created and started
// it, including after that one has exited. Checks the documented --json forms field by field.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"

namespace ct::test {
namespace {

using nlohmann::json;
using CtLifecycle = CliTest;

TEST_F(CtLifecycle, CreateStartInOneProcessDriveFromOthers) {
    // The container's command waits for a file the test makes, so every state is observed.
    std::string gate = scratch_ + "/gate";
    std::filesystem::create_directories(gate);
    std::string spec = write_file("w1.yaml", "name: w1\nrootfs: " + rootfs_ +
                                                 "\nhostname: w1\n"
                                                 "process:\n"
                                                 "  args: [/bin/sh, -c, 'while [ ! -e /home/go ]; "
                                                 "do sleep 0.02; done; echo done; exit 5']\n"
                                                 "resources: {memory: 64M, pids: 50}\n"
                                                 "mounts:\n  - {source: " +
                                                 gate + ", target: /home}\n");
    auto r = ct({"create", spec});
    ASSERT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "w1\n");

    r = ct({"list", "--json"});
    ASSERT_EQ(r.code, 0) << r.text();
    json list = json::parse(r.out);
    ASSERT_EQ(list.size(), 1u) << r.out;
    EXPECT_EQ(list[0]["name"], "w1");
    EXPECT_EQ(list[0]["state"], "created");
    EXPECT_EQ(list[0]["pid"], 0);

    r = ct({"start", "w1", "--log", scratch_ + "/w1.log"});
    ASSERT_EQ(r.code, 0) << r.text();
    EXPECT_FALSE(r.pipes_held) << "the started container must not keep ct's stdout open";

    r = ct({"info", "w1", "--json"});
    ASSERT_EQ(r.code, 0) << r.text();
    json info = json::parse(r.out);
    EXPECT_EQ(info["version"], 1);
    EXPECT_EQ(info["name"], "w1");
    EXPECT_EQ(info["backend"], "linux");
    EXPECT_EQ(info["state"], "running");
    ASSERT_TRUE(info["pid"].is_number_integer());
    long pid = info["pid"];
    EXPECT_GT(pid, 1);
    EXPECT_TRUE(std::filesystem::exists("/proc/" + std::to_string(pid))) << "init runs";
    EXPECT_GT(info["created"].get<long>(), 1600000000L);
    EXPECT_FALSE(info.contains("exit_status"));
    EXPECT_EQ(info["spec"]["name"], "w1");
    EXPECT_EQ(info["spec"]["hostname"], "w1");
    EXPECT_EQ(info["spec"]["resources"]["memory"], 64 << 20);
    EXPECT_EQ(info["spec"]["resources"]["pids"], 50);
    EXPECT_EQ(info["spec"]["mounts"][0]["target"], "/home");
    EXPECT_TRUE(info["details"].is_object());

    r = ct({"list"});
    EXPECT_NE(r.out.find("w1    running  " + std::to_string(pid)), std::string::npos) << r.out;
    r = ct({"info", "w1"});
    EXPECT_NE(r.out.find("\nstate:      running\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    memory: 64.0 MiB (67108864)\n"), std::string::npos) << r.out;

    // A running container is not destroyed without --force; the refusal changes nothing.
    r = ct({"destroy", "w1"});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_EQ(json::parse(ct({"info", "w1", "--json"}).out)["state"], "running");

    // wait from another process, long after `ct start` exited.
    CtProcess waiter({"-c", uri(), "wait", "w1"});
    std::ofstream(gate + "/go") << "";
    r = waiter.finish(std::chrono::seconds(20));
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "5\n");

    info = json::parse(ct({"info", "w1", "--json"}).out);
    EXPECT_EQ(info["state"], "stopped");
    EXPECT_EQ(info["pid"], 0);
    EXPECT_EQ(info["exit_status"], json({{"signaled", false}, {"code", 5}}));
    EXPECT_NE(ct({"list"}).out.find("w1    stopped (5)"), std::string::npos);
    r = ct({"wait", "w1"});
    EXPECT_EQ(r.out, "5\n") << "wait on a stopped container returns its status";
    std::ifstream log(scratch_ + "/w1.log");
    std::string logged((std::istreambuf_iterator<char>(log)), {});
    EXPECT_EQ(logged, "done\n");

    EXPECT_EQ(ct({"destroy", "w1"}).code, 0);
    r = ct({"info", "w1"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err.rfind("ct: get container 'w1' (backend linux): ", 0), 0u) << r.err;
    EXPECT_EQ(ct({"list", "--json"}).out, "[]\n");
}

TEST_F(CtLifecycle, KillFromAnotherProcess) {
    ASSERT_EQ(ct({"create", "--rootfs", rootfs_, "--name", "k1", "--", "sleep", "100"}).code, 0);
    ASSERT_EQ(ct({"start", "k1"}).code, 0);
    auto r = ct({"wait", "k1", "--timeout", "0.1"});
    EXPECT_EQ(r.code, 1) << "still running: " << r.text();
    EXPECT_EQ(ct({"kill", "k1", "SIGKILL"}).code, 0);
    r = ct({"wait", "k1"});
    EXPECT_EQ(r.out, std::to_string(128 + SIGKILL) + "\n") << r.text();
    auto info = json::parse(ct({"info", "k1", "--json"}).out);
    EXPECT_EQ(info["exit_status"], json({{"signaled", true}, {"code", SIGKILL}}));
    r = ct({"kill", "k1"});
    EXPECT_EQ(r.code, 1) << "a stopped container cannot be signalled: " << r.text();
    // start again from yet another process: a stopped container restarts.
    ASSERT_EQ(ct({"start", "k1"}).code, 0);
    EXPECT_EQ(ct({"destroy", "--force", "k1"}).code, 0);
}

}  // namespace
}  // namespace ct::test
