// Spec input is bounded (api/src/specfile.cpp): a spec file is a regular file (or "-" for stdin)
// of at most 1 MiB, and YAML aliases cannot make a small file stand for a huge or cyclic tree.
// Each case runs in a child process with a deadline and a memory limit, so that a reader that
// hangs, aborts or eats memory fails the test instead of the test run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include "ct/error.hpp"
#include "ct/specfile.hpp"

namespace ct {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kLimit = 1 << 20;  // docs/spec.md, "Spec file limits"

struct Outcome {
    std::string result;  // the Error's message, "accepted", or how the child ended
    double seconds = 0;
};

// The address space in use now: the child's limit is counted from it (a sanitizer's reserved
// shadow memory is many TiB).
rlim_t address_space() {
    std::ifstream statm("/proc/self/statm");
    unsigned long pages = 0;
    statm >> pages;
    return static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE));
}

// Runs `body` in a child: at most `deadline`, 1 GiB more address space. `stdin_path`, if given,
// becomes the child's stdin.
Outcome bounded(const std::function<void()> &body, const std::string &stdin_path = "",
                std::chrono::seconds deadline = std::chrono::seconds(10)) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return {"pipe failed"};
    auto start = Clock::now();
    rlim_t as_limit = address_space() + (rlim_t{1} << 30);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        rlimit as{as_limit, as_limit};
        setrlimit(RLIMIT_AS, &as);
        if (!stdin_path.empty()) {
            int fd = open(stdin_path.c_str(), O_RDONLY);
            if (fd < 0 || dup2(fd, 0) < 0) _exit(3);
        }
        std::string out;
        try {
            body();
            out = "accepted";
        } catch (const Error &e) {
            out = e.what();
        } catch (const std::exception &e) {
            out = std::string("not a ct::Error: ") + e.what();
        }
        (void)!write(p[1], out.data(), out.size());
        _exit(0);
    }
    close(p[1]);
    std::string out;
    bool timed_out = false;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    for (;;) {
        char buf[4096];
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n == 0) break;
        if (Clock::now() - start > deadline) {
            timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        usleep(2000);
    }
    close(p[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    Outcome o{out, std::chrono::duration<double>(Clock::now() - start).count()};
    if (timed_out)
        o.result = "still running after " + std::to_string(deadline.count()) + " s";
    else if (WIFSIGNALED(st))
        o.result = "killed by signal " + std::to_string(WTERMSIG(st));
    else if (out.empty())
        o.result = "exited " + std::to_string(WEXITSTATUS(st)) + " without a result";
    return o;
}

class SpecInput : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = ::testing::TempDir() + "ct-spec-input-" + std::to_string(getpid());
        mkdir(dir_.c_str(), 0700);
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    std::string write(const std::string &name, const std::string &text) {
        std::string path = dir_ + "/" + name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
    std::string dir_;
};

// The classic billion laughs: nine levels of ten aliases each, about 500 bytes.
std::string laughs() {
    std::string y = "a0: &a0 [lol]\n";
    for (int i = 1; i < 10; ++i) {
        y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) y += (k ? ", *a" : "*a") + std::to_string(i - 1);
        y += "]\n";
    }
    return y;
}

TEST_F(SpecInput, BillionLaughsIsRefusedQuickly) {
    // Aliases within the bounds keep working.
    auto o = bounded([&] {
        Spec s = parse_spec_yaml(
            "mounts:\n  - &m {source: /a, target: /a, options: [ro]}\n  - *m\n", "ok.yaml");
        if (s.mounts.size() != 2 || s.mounts[1] != s.mounts[0] || s.mounts[0].target != "/a")
            throw Error(Errc::backend, "aliased mount not read");
    });
    EXPECT_EQ(o.result, "accepted");

    std::string y = laughs();
    ASSERT_LT(y.size(), 1024u);
    o = bounded([&] { parse_spec_yaml(y, "laughs.yaml"); });
    EXPECT_EQ(o.result,
              "laughs.yaml: the spec has more than 100000 values once its YAML aliases are "
              "expanded");
    EXPECT_LT(o.seconds, 3.0);
    // Read from a file, the same.
    std::string f = write("laughs.yaml", y);
    o = bounded([&] { load_spec_file(f); });
    EXPECT_EQ(o.result, f + ": the spec has more than 100000 values once its YAML aliases are "
                            "expanded");
    EXPECT_LT(o.seconds, 3.0);
}

TEST_F(SpecInput, TwoToTheTwentyTwoAliasesAreRefusedQuickly) {
    // Each level doubles the one before: 2^22 leaves from 23 short lines.
    std::string y = "a0: &a0 [x]\n";
    for (int i = 1; i <= 22; ++i)
        y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
             ", *a" + std::to_string(i - 1) + "]\n";
    auto o = bounded([&] { parse_spec_yaml(y, "double.yaml"); });
    EXPECT_EQ(o.result,
              "double.yaml: the spec has more than 100000 values once its YAML aliases are "
              "expanded");
    EXPECT_LT(o.seconds, 3.0);
}

TEST_F(SpecInput, AliasesOfALongScalarAreBoundedByTheirText) {
    // Few values, but each alias repeats 512 KiB of text: 64 of them would be 32 MiB.
    std::string y = "a: &big '" + std::string(512 << 10, 'x') + "'\nannotations:\n";
    for (int i = 0; i < 64; ++i) y += "  k" + std::to_string(i) + ": *big\n";
    auto o = bounded([&] { parse_spec_yaml(y, "big.yaml"); });
    EXPECT_EQ(o.result,
              "big.yaml: the spec holds more than 16 MiB of text once its YAML aliases are "
              "expanded");
    EXPECT_LT(o.seconds, 3.0);
}

TEST_F(SpecInput, AnAliasInsideItsOwnAnchorIsRefused) {
    auto o = bounded([&] { parse_spec_yaml("name: &x [*x]\n", "cycle.yaml"); });
    EXPECT_EQ(o.result,
              "cycle.yaml:1: lists and mappings nested deeper than 64 levels (a YAML alias "
              "inside its own anchor?)");
    EXPECT_LT(o.seconds, 3.0);
}

// Nested past the parser's own limit (yaml-cpp's message for it is "bad file").
TEST_F(SpecInput, NestingPastTheParsersLimitIsNamed) {
    auto o = bounded([&] { parse_spec_yaml(std::string(200000, '['), "deep.yaml"); });
    EXPECT_EQ(o.result, "deep.yaml:1: lists and mappings nested deeper than 64 levels");
    EXPECT_LT(o.seconds, 3.0);
}

TEST_F(SpecInput, DevZeroIsRefusedAtOnce) {
    auto o = bounded([] { load_spec_file("/dev/zero"); });
    EXPECT_EQ(o.result,
              "spec file /dev/zero: not a regular file but a character device (give - to read "
              "a spec from stdin)");
    EXPECT_LT(o.seconds, 1.0);
}

TEST_F(SpecInput, AFifoWithNoWriterIsRefusedAtOnce) {
    std::string f = dir_ + "/fifo";
    ASSERT_EQ(mkfifo(f.c_str(), 0600), 0);
    auto o = bounded([&] { load_spec_file(f); }, "", std::chrono::seconds(3));
    EXPECT_EQ(o.result, "spec file " + f +
                            ": not a regular file but a FIFO (give - to read a spec from stdin)");
    EXPECT_LT(o.seconds, 1.0);
}

TEST_F(SpecInput, ADirectoryIsRefusedAMissingFileNotFound) {
    auto o = bounded([&] { load_spec_file(dir_); });
    EXPECT_EQ(o.result, "spec file " + dir_ +
                            ": not a regular file but a directory (give - to read a spec from "
                            "stdin)");
    std::string f = dir_ + "/missing.yaml";
    try {
        load_spec_file(f);
        FAIL() << "read a missing file";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        EXPECT_EQ(e.sys_errno(), ENOENT);
        EXPECT_EQ(std::string(e.what()), "spec file " + f + ": No such file or directory");
    }
}

// name: x, padded with a comment to `size` bytes.
std::string padded_spec(size_t size) {
    std::string y = "name: x\n#";
    y += std::string(size - y.size() - 1, 'p') + "\n";
    return y;
}

TEST_F(SpecInput, AFileOverTheLimitIsRefusedUnread) {
    std::string at = write("at.yaml", padded_spec(kLimit));
    auto o = bounded([&] {
        if (load_spec_file(at).name != "x") throw Error(Errc::backend, "not read");
    });
    EXPECT_EQ(o.result, "accepted") << "a file of exactly the limit is read";
    std::string over = write("over.yaml", padded_spec(kLimit + 1));
    o = bounded([&] { load_spec_file(over); });
    EXPECT_EQ(o.result,
              "spec file " + over + ": larger than the 1 MiB a spec file may have (1048577 bytes)");
    EXPECT_LT(o.seconds, 1.0);
    // Text given directly is held to the same bound.
    o = bounded([&] { parse_spec_yaml(padded_spec(kLimit + 1), "text"); });
    EXPECT_EQ(o.result, "text: the spec is larger than 1 MiB (1048577 bytes)");
}

TEST_F(SpecInput, StdinIsReadWithTheSameBound) {
    std::string ok = write("ok.yaml", "name: from-stdin\n");
    auto o = bounded(
        [] {
            if (load_spec_file("-").name != "from-stdin") throw Error(Errc::backend, "not read");
        },
        ok);
    EXPECT_EQ(o.result, "accepted");
    std::string over = write("over.yaml", padded_spec(kLimit + 1));
    o = bounded([] { load_spec_file("-"); }, over);
    EXPECT_EQ(o.result, "spec file - (stdin): larger than the 1 MiB a spec file may have");
    EXPECT_LT(o.seconds, 1.0);
    // An endless stdin stops at the bound.
    o = bounded([] { load_spec_file("-"); }, "/dev/zero");
    EXPECT_EQ(o.result, "spec file - (stdin): larger than the 1 MiB a spec file may have");
    EXPECT_LT(o.seconds, 1.0);
}

}  // namespace
}  // namespace ct
