// `ct run` as a user sees it: the command's exit code comes back, ct's own failures are
// 125/126/127, stdio passes through, and a signal to ct reaches the container.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "cli_fixture.hpp"

namespace ct::test {
namespace {

using CtRun = CliTest;

TEST_F(CtRun, ExitCodePassesThrough) {
    for (int code : {0, 1, 42, 255}) {
        auto r =
            ct({"run", "--rootfs", rootfs_, "--", "/bin/sh", "-c", "exit " + std::to_string(code)});
        EXPECT_EQ(r.code, code) << r.text();
    }
    // Killed by a signal: 128+N. (Not as PID 1 of a pid namespace, which the kernel shields.)
    auto r = ct({"run", "--rootfs", rootfs_, "--ns", "mount,uts,ipc,net,cgroup", "--", "/bin/sh",
                 "-c", "kill -KILL $$"});
    EXPECT_EQ(r.code, 128 + SIGKILL) << r.text();
    EXPECT_EQ(ct({"list", "-q"}).out, "") << "run destroys its container";
}

TEST_F(CtRun, FailuresToRunHaveTheirOwnCodes) {
    auto r = ct({"run", "--rootfs", rootfs_, "--name", "nf", "--", "/no/such/cmd"});
    EXPECT_EQ(r.code, 127) << r.text();
    EXPECT_EQ(r.err,
              "ct: start container 'nf' (backend linux): exec /no/such/cmd: No such file "
              "or directory\n");
    r = ct({"run", "--rootfs", rootfs_, "--name", "nx", "--", "/etc/passwd"});
    EXPECT_EQ(r.code, 126) << r.text();
    EXPECT_EQ(r.err,
              "ct: start container 'nx' (backend linux): exec /etc/passwd: Permission "
              "denied\n");
    r = ct({"run", "--rootfs", scratch_ + "/no-rootfs", "--name", "nr", "--", "/bin/true"});
    EXPECT_EQ(r.code, 125) << r.text();
    EXPECT_EQ(r.err.rfind("ct: create container 'nr' (backend linux): rootfs " + scratch_ +
                              "/no-rootfs: No such file or directory",
                          0),
              0u)
        << r.err;
    EXPECT_EQ(ct({"list", "-q"}).out, "") << "failed runs leave nothing";
}

TEST_F(CtRun, StdioPassesThrough) {
    auto r = ct({"run", "--rootfs", rootfs_, "--", "/bin/sh", "-c",
                 "while read l; do echo \"out:$l\"; echo \"err:$l\" >&2; done"},
                {}, "one\ntwo\n");
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "out:one\nout:two\n");
    EXPECT_EQ(r.err, "err:one\nerr:two\n");
}

TEST_F(CtRun, OptionsReachTheContainer) {
    std::string data = scratch_ + "/data";
    std::filesystem::create_directories(data);
    write_file("data/f", "from host\n");
    auto r =
        ct({"run", "--rootfs", rootfs_, "--hostname", "box1", "--memory", "32M", "--pids", "20",
            "--mount", data + ":/home:ro", "-e", "GREETING=hi", "-w", "/home", "--", "/bin/sh",
            "-c", "echo $(hostname) $GREETING $(pwd) $(cat f); touch x 2>/dev/null || echo ro"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "box1 hi /home from host\nro\n");
}

// ct run forwards SIGTERM to the container's init; an init that traps it decides what happens.
TEST_F(CtRun, SignalsAreForwarded) {
    CtProcess p({"-c", uri(), "run", "--rootfs", rootfs_, "--name", "sig", "--", "/bin/sh", "-c",
                 "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done"});
    ASSERT_TRUE(p.wait_for_output("ready\n", std::chrono::seconds(20))) << p.finish().text();
    ASSERT_EQ(kill(p.pid(), SIGTERM), 0);
    auto r = p.finish(std::chrono::seconds(20));
    EXPECT_EQ(r.code, 7) << r.text();
    EXPECT_EQ(r.out, "ready\ngot TERM\n");
}

TEST_F(CtRun, DetachedRunIsWaitedForFromAnotherProcess) {
    auto r = ct({"run", "-d", "--rootfs", rootfs_, "--name", "bg", "--", "/bin/sh", "-c",
                 "sleep 0.2; exit 9"});
    ASSERT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "bg\n");
    EXPECT_FALSE(r.pipes_held) << "the container must not keep ct's stdout open";
    r = ct({"wait", "bg"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "9\n");
    EXPECT_EQ(ct({"destroy", "bg"}).code, 0);
}

}  // namespace
}  // namespace ct::test
