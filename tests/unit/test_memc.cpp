// memc, the working backend written in C (tests/unit/backends/memc.c), driven through
// ct::Session and through the `ct` command: the C boundary carries a whole life cycle, errors
// with their codes and errno, and empty slots are "unsupported", never a crash.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "ct/ct.hpp"
#include "ct_runner.hpp"

namespace ct {
namespace {

const bool kPathSet = [] {
    setenv("CT_BACKEND_PATH", CT_TEST_BACKEND_DIR, 1);
    return true;
}();

Spec memc_spec(const std::string &name, std::vector<std::string> args) {
    Spec s;
    s.name = name;
    s.rootfs = "/";
    s.process.args = std::move(args);
    s.process.env = {"PATH=/usr/bin:/bin"};
    s.resources.memory = 64 << 20;
    s.annotations = {{"name", "not the container's name"}};  // the C reader must not be fooled
    return s;
}

std::string read_all(int fd) {
    std::string s;
    char buf[256];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    close(fd);
    return s;
}

template <class F>
Error error_of(F &&f) {
    try {
        f();
    } catch (const Error &e) {
        return e;
    }
    return Error(Errc::backend, "no error");
}

TEST(Memc, LifeCycleThroughTheApi) {
    auto s = Session::open("memc:///");
    EXPECT_EQ(s.backend().name, "memc");
    EXPECT_EQ(s.uri(), "memc:///");
    Spec spec = memc_spec("c1", {"/bin/sh", "-c", "read x; echo \"out:$x\"; echo err >&2; exit 7"});
    auto c = s.create(spec);
    auto list = s.list();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].name, "c1");
    EXPECT_EQ(list[0].backend, "memc");
    EXPECT_EQ(list[0].state, State::created);
    EXPECT_EQ(list[0].spec, spec) << "the spec document came back intact through C";

    int in[2], out[2], err[2];
    ASSERT_EQ(pipe2(in, O_CLOEXEC) | pipe2(out, O_CLOEXEC) | pipe2(err, O_CLOEXEC), 0);
    StartOptions o;
    o.stdio = {in[0], out[1], err[1]};
    int64_t pid = c.start(o);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    EXPECT_GT(pid, 0);
    EXPECT_EQ(c.state(), State::running);
    EXPECT_EQ(c.info().pid, pid);
    ASSERT_EQ(write(in[1], "hi\n", 3), 3);
    close(in[1]);
    EXPECT_EQ(read_all(out[0]), "out:hi\n");
    EXPECT_EQ(read_all(err[0]), "err\n");
    EXPECT_EQ(c.wait(), (ExitStatus{false, 7}));
    auto info = c.info();
    EXPECT_EQ(info.state, State::stopped);
    EXPECT_EQ(info.exit_status, (ExitStatus{false, 7}));
    EXPECT_EQ(c.wait(), (ExitStatus{false, 7})) << "a second wait returns the recorded status";
    c.destroy();
    EXPECT_TRUE(s.list().empty());
    EXPECT_EQ(error_of([&] { c.info(); }).code(), Errc::not_found);
}

TEST(Memc, KillTimeoutAndStateErrors) {
    auto s = Session::open("memc:///");
    auto c = s.create(memc_spec("sleeper", {"sleep", "30"}));
    StartOptions quiet;
    quiet.stdio = {-1, -1, -1};
    c.start(quiet);
    Error t = error_of([&] { c.wait(std::chrono::milliseconds(20)); });
    EXPECT_EQ(t.code(), Errc::timeout) << t.what();
    Error busy = error_of([&] { c.start(quiet); });
    EXPECT_EQ(busy.code(), Errc::bad_state);
    EXPECT_EQ(std::string(busy.what()),
              "start container 'sleeper' (backend memc): container 'sleeper' is already running");
    Error running = error_of([&] { c.destroy(); });
    EXPECT_EQ(running.code(), Errc::bad_state) << running.what();
    c.kill(SIGTERM);
    EXPECT_EQ(c.wait(), (ExitStatus{true, SIGTERM}));
    EXPECT_EQ(error_of([&] { c.kill(SIGTERM); }).code(), Errc::bad_state);
    // A stopped container starts again.
    c.start(quiet);
    c.destroy(true);
    EXPECT_TRUE(s.list().empty());
}

TEST(Memc, ErrorsKeepTheirCodeAndErrno) {
    auto s = Session::open("memc:///");
    auto c = s.create(memc_spec("e1", {"/nonexistent/cmd"}));
    Error dup = error_of([&] { s.create(memc_spec("e1", {"x"})); });
    EXPECT_EQ(dup.code(), Errc::exists);
    EXPECT_EQ(std::string(dup.what()),
              "create container 'e1' (backend memc): container 'e1' already exists");
    Error ex = error_of([&] { c.start(); });
    EXPECT_EQ(ex.code(), Errc::exec);
    EXPECT_EQ(ex.sys_errno(), ENOENT);
    EXPECT_EQ(std::string(ex.what()),
              "start container 'e1' (backend memc): exec "
              "/nonexistent/cmd: No such file or directory");
    EXPECT_EQ(c.state(), State::created) << "a failed start changes nothing";
    Error gone = error_of([&] { s.get("nope"); });
    EXPECT_EQ(gone.code(), Errc::not_found);
    EXPECT_EQ(std::string(gone.what()), "get container 'nope' (backend memc): no container 'nope'");
    StartOptions detached;
    detached.detach = true;
    EXPECT_EQ(error_of([&] { c.start(detached); }).code(), Errc::unsupported);
    // The spec is validated before the backend sees it: nothing is created.
    Spec bad = memc_spec("e2", {"x"});
    bad.rootfs = "relative";
    EXPECT_EQ(error_of([&] { s.create(bad); }).code(), Errc::invalid_spec);
    EXPECT_EQ(s.list().size(), 1u);
    c.destroy();
    Error opt = error_of([] { Session::open("memc:///?x=1"); });
    EXPECT_EQ(opt.code(), Errc::invalid_argument);
    EXPECT_EQ(std::string(opt.what()),
              "open session memc:///?x=1 (backend memc): memc takes no host or options: "
              "'memc:///?x=1'");
}

TEST(Memc, EmptySlotsAreUnsupportedNamingOperationAndBackend) {
    auto s = Session::open("memc:///");
    auto c = s.create(memc_spec("u1", {"true"}));
    ProcessSpec p;
    p.args = {"true"};
    const std::pair<const char *, std::function<void()>> ops[] = {
        {"exec", [&] { c.exec(p); }},
        {"pause", [&] { c.pause(); }},
        {"resume", [&] { c.resume(); }},
        {"update",
         [&] {
             Resources r;
             r.pids = 5;
             c.update(r);
         }},
        {"stats", [&] { c.stats(); }},
        {"processes", [&] { c.processes(); }},
        {"checkpoint", [&] { c.checkpoint({"/tmp/ct-unit-no-such-dir"}); }},
        {"restore", [&] { s.restore("u2", {"/tmp/ct-unit-no-such-dir"}); }},
        {"migrate", [&] { c.migrate("memc:///"); }},
    };
    for (const auto &[op, call] : ops) {
        Error e = error_of(call);
        EXPECT_EQ(e.code(), Errc::unsupported) << op << ": " << e.what();
        std::string tail = std::string(": operation '") + op + "' is not supported by backend memc";
        std::string msg = e.what();
        EXPECT_TRUE(msg.size() > tail.size() &&
                    msg.compare(msg.size() - tail.size(), tail.size(), tail) == 0)
            << msg;
        EXPECT_TRUE(msg.find("'u1'") != std::string::npos || msg.find("'u2'") != std::string::npos)
            << "names the container: " << msg;
    }
    c.destroy();
}

// A backend built for ABI 1.0 declares a table that ends before the 1.1 slots: whatever lies
// past its size is never called (memc10 puts aborting functions there), and each of those
// operations is unsupported, naming it and the backend.
TEST(Memc, ABackendOfAnOlderMinorHasNoneOfTheNewerOperations) {
    auto s = Session::open("memc10:///");
    auto c = s.create(memc_spec("o1", {"true"}));
    const std::pair<const char *, std::function<void()>> ops[] = {
        {"cgroup_read", [&] { c.read_cgroup("memory", "memory.limit_in_bytes"); }},
        {"cgroup_write", [&] { c.write_cgroup("memory", "memory.limit_in_bytes", "1"); }},
        {"hold", [&] { c.hold_namespaces(); }},
        {"join", [&] { c.join(); }},
    };
    for (const auto &[op, call] : ops) {
        Error e = error_of(call);
        EXPECT_EQ(e.code(), Errc::unsupported) << op << ": " << e.what();
        EXPECT_NE(std::string(e.what()).find(std::string("operation '") + op +
                                             "' is not supported by backend memc10"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(c.info().state, State::created);  // the 1.0 operations work as ever
    c.destroy();
}

TEST(Memc, DrivenByTheCtCommand) {
    using test::run_ct;
    auto r = run_ct({"-c", "memc:///", "run", "--rootfs", "/", "--", "/bin/sh", "-c",
                     "read x; echo \"out:$x\"; echo err >&2; exit 3"},
                    {}, "abc\n");
    EXPECT_EQ(r.code, 3) << r.text();
    EXPECT_EQ(r.out, "out:abc\n");
    EXPECT_EQ(r.err, "err\n");

    r = run_ct({"run", "--rootfs", "/", "--", "/nonexistent/cmd"}, {"CT_CONNECT=memc:///"});
    EXPECT_EQ(r.code, 127) << r.text();
    EXPECT_NE(r.err.find("(backend memc): exec /nonexistent/cmd: No such file or directory"),
              std::string::npos)
        << r.err;

    r = run_ct({"-c", "memc:///", "run", "--rootfs", "/", "--", "/bin/sh", "-c", "kill -TERM $$"});
    EXPECT_EQ(r.code, 128 + SIGTERM) << r.text();

    r = run_ct({"-c", "memc:///", "pause", "x"});
    EXPECT_EQ(r.code, 1) << r.text();
    EXPECT_EQ(r.err, "ct: get container 'x' (backend memc): no container 'x'\n");

    r = run_ct({"backends"});
    EXPECT_EQ(r.code, 0) << r.text();
    EXPECT_NE(r.out.find("memc: in-memory containers, written in C (libct's loader tests)\n"
                         "  capabilities: \n"
                         "  operations:   open close create list info start wait kill destroy\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("major: cannot be used: it was built for driver ABI"), std::string::npos)
        << r.out;
}

}  // namespace
}  // namespace ct
