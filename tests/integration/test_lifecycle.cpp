// Life cycle on the real kernel: create -> start -> wait -> kill -> destroy, states, and state
// shared between sessions and processes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"

namespace ct::test {
namespace {

using namespace std::chrono_literals;

class Lifecycle : public LinuxTest {};

TEST_F(Lifecycle, Pid1IsTheCommand) {
    auto r = run(spec({"/bin/sh", "-c", "echo $$; cat /proc/1/cmdline | tr '\\0' ' '"}));
    EXPECT_EQ(r.status, (ExitStatus{false, 0}));
    EXPECT_EQ(r.out, "1\n/bin/sh -c echo $$; cat /proc/1/cmdline | tr '\\0' ' ' ");
}

TEST_F(Lifecycle, ExitCodeComesBack) {
    EXPECT_EQ(run(spec({"/bin/sh", "-c", "exit 42"})).status, (ExitStatus{false, 42}));
    EXPECT_EQ(run(spec({"/bin/true"})).status, (ExitStatus{false, 0}));
    // Not as PID 1 of a pid namespace: it ignores signals it has no handler for.
    auto seg = spec({"/bin/sh", "-c", "kill -SEGV $$"});
    seg.namespaces = std::vector<NamespaceSpec>{{Namespace::mount, {}}};
    auto r = run(seg);
    EXPECT_TRUE(r.status.signaled);
    EXPECT_EQ(r.status.code, SIGSEGV);
    EXPECT_EQ(r.status.shell_code(), 128 + SIGSEGV);
}

TEST_F(Lifecycle, StatesAlongTheWay) {
    auto c = session().create(spec({"/bin/sleep", "30"}));
    EXPECT_EQ(c.state(), State::created);
    EXPECT_THROW(c.wait(), Error);
    int64_t pid = c.start(StartOptions{{-1, -1, -1}, false});
    auto info = c.info();
    EXPECT_EQ(info.state, State::running);
    EXPECT_EQ(info.pid, pid);
    EXPECT_EQ(kill(static_cast<pid_t>(pid), 0), 0);
    try {
        c.start();
        ADD_FAILURE() << "second start succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state);
        EXPECT_NE(std::string(e.what()).find("already running"), std::string::npos) << e.what();
    }
    try {
        c.destroy();
        ADD_FAILURE() << "destroy of a running container succeeded without force";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state);
    }
    EXPECT_THROW(
        {
            try {
                c.wait(50ms);
            } catch (const Error &e) {
                EXPECT_EQ(e.code(), Errc::timeout);
                throw;
            }
        },
        Error);
    c.kill(SIGKILL);
    auto st = c.wait(10s);
    EXPECT_EQ(st, (ExitStatus{true, SIGKILL}));
    auto after = c.info();
    EXPECT_EQ(after.state, State::stopped);
    ASSERT_TRUE(after.exit_status);
    EXPECT_EQ(*after.exit_status, st);
    // A stopped container can run again.
    c.start(StartOptions{{-1, -1, -1}, false});
    c.kill(SIGKILL);
    c.wait(10s);
    c.destroy();
    EXPECT_THROW(session().get(c.name()), Error);
}

TEST_F(Lifecycle, ForceDestroyKillsEverything) {
    auto s = spec({"/bin/sh", "-c", "sleep 100 & sleep 100 & sleep 100"});
    auto c = session().create(s);
    c.start(StartOptions{{-1, -1, -1}, false});
    c.destroy(true);
    for (const auto &d : cgroup_dirs_for(cgroup_parent_, s.name)) ADD_FAILURE() << "left: " << d;
}

TEST_F(Lifecycle, KillAllSignalsEveryProcess) {
    // No pid namespace: killing init alone would leave its children running.
    auto s = spec({"/bin/sh", "-c", "sleep 100 & sleep 100 & wait"});
    s.namespaces = std::vector<NamespaceSpec>{{Namespace::mount, {}}, {Namespace::uts, {}}};
    auto c = session().create(s);
    c.start(StartOptions{{-1, -1, -1}, false});
    c.kill(SIGKILL, true);
    EXPECT_EQ(c.wait(10s), (ExitStatus{true, SIGKILL}));
    c.destroy();
}

TEST_F(Lifecycle, MissingExecutableIsAClearErrorNotAHang) {
    auto c = session().create(spec({"/bin/no-such-command", "x"}));
    try {
        c.start(StartOptions{{-1, -1, -1}, false});
        ADD_FAILURE() << "start succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exec);
        std::string w = e.what();
        EXPECT_NE(w.find("/bin/no-such-command"), std::string::npos) << w;
        EXPECT_NE(w.find("No such file or directory"), std::string::npos) << w;
        EXPECT_NE(w.find(c.name()), std::string::npos) << w;
    }
    EXPECT_NE(c.state(), State::running);
    // PATH lookup failure names the PATH searched.
    try {
        c.start(ProcessSpec{{"no-such-command"}, {"PATH=/bin:/sbin"}},
                StartOptions{{-1, -1, -1}, false});
        ADD_FAILURE() << "start succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exec);
        EXPECT_NE(std::string(e.what()).find("PATH=/bin:/sbin"), std::string::npos) << e.what();
    }
    c.destroy();
}

TEST_F(Lifecycle, AnotherSessionAndProcessSeeTheContainer) {
    auto s = spec({"/bin/sh", "-c", "exit 7"});
    auto c = session().create(s);
    // A second session, in another process.
    pid_t child = fork();
    if (child == 0) {
        try {
            auto other = Session::open(uri());
            auto list = other.list();
            bool found = list.size() == 1 && list[0].name == s.name &&
                         list[0].state == State::created && list[0].spec == s;
            _exit(found ? 0 : 1);
        } catch (...) {
            _exit(2);
        }
    }
    int st;
    ASSERT_EQ(waitpid(child, &st, 0), child);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
    c.destroy();
}

TEST_F(Lifecycle, DetachedStartSurvivesItsCreatorAndKeepsTheExitStatus) {
    // The process that starts the container exits at once (as if it crashed); a later session
    // in another process still finds it, waits for it and gets its exit status.
    // Long enough to outlast opening the sessions, also over ssh (tests/remote).
    auto s = spec({"/bin/sh", "-c", "sleep 1; exit 5"});
    session().create(s);
    pid_t child = fork();
    if (child == 0) {
        try {
            auto other = Session::open(uri());
            other.get(s.name).start(StartOptions{{-1, -1, -1}, true});
            _exit(0);
        } catch (...) {
            _exit(1);
        }
    }
    int st;
    ASSERT_EQ(waitpid(child, &st, 0), child);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    auto later = Session::open(uri());
    auto c = later.get(s.name);
    EXPECT_EQ(c.state(), State::running);
    EXPECT_EQ(c.wait(10s), (ExitStatus{false, 5}));
    EXPECT_EQ(c.info().state, State::stopped);
    c.destroy();
}

TEST_F(Lifecycle, ExistingNameIsRefusedAndNothingChanges) {
    auto s = spec({"/bin/true"});
    auto c = session().create(s);
    try {
        session().create(s);
        ADD_FAILURE() << "second create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exists);
        EXPECT_NE(std::string(e.what()).find(s.name), std::string::npos);
    }
    EXPECT_EQ(c.state(), State::created);
    c.destroy();
}

}  // namespace
}  // namespace ct::test
