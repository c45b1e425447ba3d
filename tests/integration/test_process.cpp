// The container's process: stdio, environment, working directory, credentials.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"

namespace ct::test {
namespace {

class Process : public LinuxTest {};

TEST_F(Process, StdioPassesThrough) {
    auto r = run(spec({"/bin/sh", "-c", "cat; echo to-stderr >&2"}), "some input\n");
    EXPECT_EQ(r.out, "some input\n");
    EXPECT_EQ(r.err, "to-stderr\n");
}

// The caller's signal state stays with the caller: a signal it blocks or ignores is neither
// blocked nor ignored in the container (its child shares the caller's memory until the exec,
// with every signal blocked; it resets the dispositions before unblocking them).
TEST_F(Process, CallersBlockedAndIgnoredSignalsDoNotLeakIn) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGTERM);
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
    struct sigaction ign {
    }, caught{}, old_hup{}, old_usr1{};
    ign.sa_handler = SIG_IGN;
    caught.sa_handler = [](int) {};
    sigaction(SIGHUP, &ign, &old_hup);
    sigaction(SIGUSR1, &caught, &old_usr1);
    auto r = run(spec({"/bin/cat", "/proc/self/status"}));
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    sigaction(SIGHUP, &old_hup, nullptr);
    sigaction(SIGUSR1, &old_usr1, nullptr);
    EXPECT_NE(r.out.find("SigBlk:\t0000000000000000\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SigIgn:\t0000000000000000\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SigCgt:\t0000000000000000\n"), std::string::npos) << r.out;
}

TEST_F(Process, EnvCwdAndCredentials) {
    auto s = spec({"/bin/sh", "-c", "echo $FOO; pwd; id -u; id -g; id -G"});
    s.process.env.push_back("FOO=bar baz");
    s.process.cwd = "/tmp";
    s.process.user = {1000, 1001, {1002, 1003}};
    auto r = run(s);
    EXPECT_EQ(r.out, "bar baz\n/tmp\n1000\n1001\n1001 1002 1003\n") << r.err;
}

TEST_F(Process, MissingWorkingDirectoryIsAClearError) {
    auto s = spec({"/bin/true"});
    s.process.cwd = "/no/such/dir";
    auto c = session().create(s);
    try {
        c.start(StartOptions{{-1, -1, -1}, false});
        ADD_FAILURE() << "start succeeded";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("/no/such/dir"), std::string::npos) << e.what();
    }
    c.destroy();
}

TEST_F(Process, RlimitsAndNoNewPrivileges) {
    auto s = spec({"/bin/sh", "-c", "ulimit -n; grep NoNewPrivs /proc/self/status"});
    s.process.rlimits = {{"nofile", 123, 456}};
    s.process.no_new_privileges = true;
    auto r = run(s);
    EXPECT_EQ(r.out, "123\nNoNewPrivs:\t1\n") << r.err;
}

// A limit above the hard one the caller has needs CAP_SYS_RESOURCE: refused, naming it.
TEST_F(Process, AnRlimitTheCallerCannotRaiseIsNamed) {
    struct rlimit now {};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
    if (now.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "no hard limit on open files here";
    // Probed as the child would meet it: raising the hard limit in a fork of this process.
    pid_t probe = fork();
    if (probe == 0) {
        struct rlimit up = {now.rlim_max + 1, now.rlim_max + 1};
        _exit(setrlimit(RLIMIT_NOFILE, &up) == 0 ? 0 : 1);
    }
    int pst = 0;
    ASSERT_EQ(waitpid(probe, &pst, 0), probe);
    if (WIFEXITED(pst) && WEXITSTATUS(pst) == 0)
        GTEST_SKIP() << "this process may raise its hard limit on open files (CAP_SYS_RESOURCE)";
    auto s = spec({"/bin/true"});
    s.process.rlimits = {{"nofile", now.rlim_max + 1, now.rlim_max + 1}};
    auto c = session().create(s);
    try {
        c.start(StartOptions{{-1, -1, -1}, false});
        ADD_FAILURE() << "a limit above the caller's hard one was set";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("set rlimit nofile"), std::string::npos) << e.what();
    }
    c.destroy(true);
}

}  // namespace
}  // namespace ct::test
