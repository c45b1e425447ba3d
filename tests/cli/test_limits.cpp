// Numbers on the command line are range-checked before anything is made: a uid or gid of
// (uid_t)-1 or beyond, a pid of 0, a timeout of nan, a limit the kernel would refuse... are
// usage errors (exit 2) naming the option and the value. Spec files are bounded: a FIFO, a
// device, a file or stdin over 1 MiB, or a YAML alias bomb is a prompt error.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "cli_fixture.hpp"

namespace ct::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool has(const std::string &text, const std::string &what) {
    return text.find(what) != std::string::npos;
}

std::string line(const std::vector<std::string> &args) {
    std::string l = "ct";
    for (const auto &a : args) l += " " + a;
    return l;
}

// Needs no backend: every case is refused before one is loaded.
TEST(CtLimits, OutOfRangeNumbersAreUsageErrors) {
    struct Case {
        std::vector<std::string> args;
        std::string says;  // in stderr: the option and the value
    };
    auto run = [](std::vector<std::string> opts) {
        std::vector<std::string> a{"run", "--rootfs", "/"};
        a.insert(a.end(), opts.begin(), opts.end());
        a.insert(a.end(), {"--", "/bin/true"});
        return a;
    };
    const Case cases[] = {
        {run({"-u", "4294967295"}), "--user uid: '4294967295' is out of range (0..4294967294)"},
        {run({"-u", "4294967296"}), "--user uid: '4294967296' is out of range"},
        {run({"-u", "99999999999"}), "--user uid: '99999999999' is out of range"},
        {run({"-u", "1000:4294967295"}), "--user gid: '4294967295' is out of range"},
        {run({"-u", "-1"}), "--user uid: '-1' is out of range"},
        {run({"--user", "5:-1"}), "--user gid: '-1' is out of range"},
        {run({"-u", "1000:"}), "--user '1000:': expected UID[:GID] or NAME[:GROUP]"},
        {run({"-u", ":1000"}), "--user ':1000': expected UID[:GID] or NAME[:GROUP]"},
        {{"create", "--rootfs", "/", "-u", "4294967295", "--", "/bin/true"},
         "--user uid: '4294967295'"},
        {{"exec", "c1", "-u", "4294967295", "--", "/bin/true"}, "--user uid: '4294967295'"},
        {{"exec", "c1", "-u", "0:4294967296", "--", "/bin/true"}, "--user gid: '4294967296'"},
        {run({"--uid-map", "0:4294967295:1"}), "--uid-map HOST_ID: '4294967295' is out of range"},
        {run({"--gid-map", "4294967295:0:1"}),
         "--gid-map CONTAINER_ID: '4294967295' is out of range"},
        {run({"--uid-map", "4294967290:100000:10"}),
         "--uid-map '4294967290:100000:10': the ids go past 4294967294"},
        {run({"--uid-map", "0:100000:4294967296"}), "--uid-map SIZE: '4294967296' is out of range"},
        {run({"--pids", "0"}), "--pids '0': 0 is below the minimum 1"},
        {run({"--pids", "99999999"}), "--pids '99999999': 99999999 is above the maximum 4194304"},
        {run({"--cpu-shares", "-5"}), "--cpu-shares '-5': must not be negative"},
        {run({"--cpu-shares", "1"}), "--cpu-shares '1': 1 is outside 2..262144"},
        {run({"--cpu-period", "-1"}), "--cpu-period '-1': must not be negative"},
        {run({"--cpu-quota", "99999999999999999"}), "--cpu-quota '99999999999999999': "},
        {run({"--cpuset-cpus", "0-99999999999"}), "--cpuset-cpus '0-99999999999': "},
        {run({"--memory", "100"}), "--memory '100': 100 is below the minimum 4096"},
        {run({"--net", "veth:eth0,mtu=4294967396"}), "--net mtu: '4294967396' is out of range"},
        {run({"--net", "vlan:eth1,link=lo,id=4294967297"}),
         "--net id: '4294967297' is out of range"},
        {run({"--device", "/dev/x:c:4294967297:1"}),
         "--device MAJOR: '4294967297' is out of range"},
        {run({"--device", "/dev/x:c:1:4294967299"}),
         "--device MINOR: '4294967299' is out of range"},
        {run({"--device", "/dev/x:c:1:3:777777777777777777777"}), "MODE is octal, 0000..7777"},
        {{"update", "c1", "--pids", "-3"}, "--pids '-3': -3 is below the minimum 1"},
        {{"update", "c1", "--cpu-shares", "-1"}, "--cpu-shares '-1': must not be negative"},
        {{"wait", "c1", "--timeout", "nan"}, "--timeout 'nan': not a number of seconds"},
        {{"wait", "c1", "--timeout", "-1"}, "--timeout '-1': not a number of seconds"},
        {{"wait", "c1", "--timeout", "1e300"}, "--timeout '1e300': not a number of seconds"},
        {{"wait", "c1", "--timeout", "inf"}, "--timeout 'inf': not a number of seconds"},
        {{"wait", "c1", "--pid", "0"}, "--pid 0: not a process id (1..4194304)"},
        {{"wait", "c1", "--pid", "99999999999"}, "--pid 99999999999: not a process id"},
        {{"kill", "c1", "--pid", "0"}, "--pid 0: not a process id"},
        {{"kill", "c1", "--pid", "-7"}, "--pid -7: not a process id"},
        {{"kill", "c1", "RTMIN+99999999999"}, "signal RTMIN+99999999999 is out of range"},
        {{"kill", "c1", "RTMIN+100"}, "signal RTMIN+100 is out of range"},
        {{"kill", "c1", "0640000"}, "signal 0640000 is out of range"},
    };
    for (const auto &c : cases) {
        auto r = run_ct(c.args, {"CT_CONNECT=nosuch:///"});
        EXPECT_EQ(r.code, 2) << line(c.args) << "\n" << r.text();
        EXPECT_TRUE(has(r.err, c.says)) << line(c.args) << "\nexpected: " << c.says << "\n"
                                        << r.text();
        EXPECT_EQ(r.out, "") << line(c.args);
    }
    // Within range they pass the command line (and fail only for want of a backend).
    for (const auto &args : std::vector<std::vector<std::string>>{
             run({"-u", "4294967294:4294967294"}),
             run({"--uid-map", "4294967290:0:5", "--gid-map", "0:0:4294967295"}),
             {"wait", "c1", "--timeout", "0.5", "--pid", "4194304"},
             {"kill", "c1", "09"}}) {
        auto r = run_ct(args, {"CT_CONNECT=nosuch:///"});
        EXPECT_TRUE(has(r.err, "no backend serves URI scheme 'nosuch'")) << line(args) << "\n"
                                                                         << r.text();
    }
}

using CtIds = CliTest;

// Nothing made: no container listed, no state written.
void expect_nothing_created(const std::string &state_root, const CtResult &list) {
    EXPECT_EQ(list.out, "") << "a container was created";
    bool empty = !fs::exists(state_root) || fs::is_empty(state_root);
    EXPECT_TRUE(empty) << "state written under " << state_root;
}

TEST_F(CtIds, RunAsMinusOneIsRefusedAndCreatesNothing) {
    for (const char *u : {"4294967295", "4294967296", "99999999999", "1000:4294967295"}) {
        auto r = ct({"run", "--rootfs", rootfs_, "--name", "u1", "-u", u, "--", "/usr/bin/id"});
        EXPECT_EQ(r.code, 2) << "-u " << u << "\n" << r.text();
        EXPECT_TRUE(has(r.err, "--user")) << r.err;
        EXPECT_EQ(r.out, "") << "-u " << u << ": the command ran";
        expect_nothing_created(state_root_, ct({"list", "-q"}));
    }
    // From a spec file: the validator's error, pointing at the line.
    std::string f = write_file("u.yaml", "name: u2\nrootfs: " + rootfs_ +
                                             "\nprocess:\n  args: [/usr/bin/id]\n"
                                             "  user: {uid: 4294967295}\n");
    auto r = ct({"run", f});
    EXPECT_EQ(r.code, 125) << r.text();
    EXPECT_EQ(r.err,
              "ct: " + f + ":5: process.user.uid: 4294967295 is not an id (0..4294967294)\n");
    EXPECT_EQ(r.out, "");
    expect_nothing_created(state_root_, ct({"list", "-q"}));
    // The largest id is one, and the command runs as it.
    r = ct({"run", "--rootfs", rootfs_, "-u", "4294967294:4294967294", "--", "/bin/sh", "-c",
            "id -u; id -g"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "4294967294\n4294967294\n");
}

TEST_F(CtIds, ExecAsMinusOneIsRefused) {
    auto r = ct({"run", "-d", "--rootfs", rootfs_, "--name", "e1", "--", "/bin/sleep", "60"});
    ASSERT_EQ(r.code, 0) << r.text();
    for (const char *u : {"4294967295", "4294967296", "0:4294967295", "-1"}) {
        r = ct({"exec", "e1", "-u", u, "--", "/usr/bin/id", "-u"});
        EXPECT_EQ(r.code, 2) << "-u " << u << "\n" << r.text();
        EXPECT_TRUE(has(r.err, "--user")) << r.err;
        EXPECT_EQ(r.out, "") << "-u " << u << ": the command ran";
    }
    r = ct({"exec", "e1", "-u", "4294967294", "--", "/usr/bin/id", "-u"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "4294967294\n");
    EXPECT_EQ(ct({"destroy", "--force", "e1"}).code, 0);
}

using CtSpecInput = CliTest;

// `ct ARGS` fed `input`, killed after 10 s; the seconds it took in `seconds`.
CtResult create_within(const std::vector<std::string> &args, const std::string &input,
                       double &seconds) {
    auto start = Clock::now();
    CtProcess p(args, {}, input);
    auto r = p.finish(std::chrono::seconds(10));
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
}

TEST_F(CtSpecInput, SpecFilesAreBounded) {
    std::string fifo = scratch_ + "/fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::string big = write_file("big.yaml", "name: x\n#" + std::string(1 << 20, 'p') + "\n");
    std::string laughs = "a0: &a0 [lol]\n";
    for (int i = 1; i < 10; ++i) {
        laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) laughs += (k ? ", *a" : "*a") + std::to_string(i - 1);
        laughs += "]\n";
    }
    std::string bomb = write_file("laughs.yaml", laughs);
    const std::pair<std::string, std::string> files[] = {
        {fifo, "ct: spec file " + fifo + ": not a regular file but a FIFO"},
        {"/dev/zero", "ct: spec file /dev/zero: not a regular file but a character device"},
        {scratch_, "ct: spec file " + scratch_ + ": not a regular file but a directory"},
        {big, "ct: spec file " + big + ": larger than the 1 MiB a spec file may have"},
        {bomb, "ct: " + bomb + ": the spec has more than 100000 values once its YAML aliases"},
    };
    for (const auto &[file, says] : files) {
        double s = 0;
        auto r = create_within({"-c", uri(), "create", file}, "", s);
        EXPECT_EQ(r.code, 1) << file << "\n" << r.text();
        EXPECT_EQ(r.err.rfind(says, 0), 0u) << file << "\nexpected: " << says << "\n" << r.text();
        EXPECT_LT(s, 2.0) << file;
    }
    // Stdin: bounded the same way, and otherwise a spec file like any other.
    double s = 0;
    auto r = create_within({"-c", uri(), "create", "-"}, std::string((1 << 20) + 1, 'x'), s);
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_EQ(r.err, "ct: spec file - (stdin): larger than the 1 MiB a spec file may have\n");
    EXPECT_LT(s, 2.0);
    r = create_within({"-c", uri(), "create", "-"},
                      "name: in1\nrootfs: " + rootfs_ + "\nprocess: {args: [/bin/true]}\n", s);
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_EQ(r.out, "in1\n");
    EXPECT_EQ(ct({"destroy", "in1"}).code, 0);
    expect_nothing_created(state_root_, ct({"list", "-q"}));
}

}  // namespace
}  // namespace ct::test
