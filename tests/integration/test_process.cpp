// The container's process: stdio, environment, working directory, credentials.
#include "fixture.hpp"

namespace ct::test {
namespace {

class Process : public LinuxTest {};

TEST_F(Process, StdioPassesThrough) {
    auto r = run(spec({"/bin/sh", "-c", "cat; echo to-stderr >&2"}), "some input\n");
    EXPECT_EQ(r.out, "some input\n");
    EXPECT_EQ(r.err, "to-stderr\n");
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

}  // namespace
}  // namespace ct::test
