// Stdio through the link: both ways while the process runs, large and slow transfers (flow
// control), a reader that goes away, sessions shared by threads, and detached starts that
// outlive the connection. Exec and terminals run once the far backend supports them.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include <cstring>
#include <future>
#include <optional>
#include <thread>

#include "remote_test.hpp"

namespace ct::test::remote {
namespace {

using namespace std::chrono_literals;

std::string read_all(int fd) {
    std::string s;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
}

std::string read_line(int fd) {
    std::string s;
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n') s += c;
    return s;
}

class Streams : public RemoteTest {};

TEST_F(Streams, BackendIsRemoteAndServesLinux) {
    EXPECT_EQ(session().backend().name, "remote");
    EXPECT_EQ(session().uri().rfind("linux+ssh://", 0), 0u);
}

TEST_F(Streams, InteractiveBothWaysWhileRunning) {
    auto c = session().create(
        spec({"/bin/sh", "-c", "while read l; do echo \"echo:$l\"; done; exit 7"}));
    int in[2], out[2];
    ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    StartOptions o;
    o.stdio = {in[0], out[1], -1};
    c.start(o);
    close(in[0]);
    close(out[1]);
    for (int i = 0; i < 3; ++i) {
        std::string line = "line" + std::to_string(i) + "\n";
        ASSERT_EQ(write(in[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
        EXPECT_EQ(read_line(out[0]), "echo:line" + std::to_string(i));  // answered before EOF
    }
    close(in[1]);
    EXPECT_EQ(read_all(out[0]), "");
    close(out[0]);
    EXPECT_EQ(c.wait(30s), (ExitStatus{false, 7}));
    c.destroy();
}

TEST_F(Streams, LargeOutputAndInputKeepEveryByte) {
    // Several windows' worth each way.
    auto r = run(spec({"/bin/sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' x; wc -c >&2"}),
                 std::string(3000000, 'y'));
    EXPECT_EQ(r.status, (ExitStatus{false, 0}));
    EXPECT_EQ(r.out.size(), 5000000u);
    EXPECT_EQ(r.out.find_first_not_of('x'), std::string::npos);
    EXPECT_EQ(r.err, "3000000\n");
}

TEST_F(Streams, SlowReaderLosesNothing) {
    auto c = session().create(spec({"/bin/sh", "-c", "head -c 3000000 /dev/zero"}));
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    StartOptions o;
    o.stdio = {-1, out[1], -1};
    c.start(o);
    close(out[1]);
    std::this_thread::sleep_for(500ms);  // everything in flight is held back meanwhile
    EXPECT_EQ(read_all(out[0]).size(), 3000000u);
    close(out[0]);
    EXPECT_EQ(c.wait(30s), (ExitStatus{false, 0}));
    c.destroy();
}

TEST_F(Streams, ReaderGoneGivesSigpipeAsLocally) {
    // The writer learns its reader is gone as it would locally: SIGPIPE (yes is not pid 1).
    auto status_with_closed_reader = [&](Session &s) {
        auto c = s.create(spec({"/bin/sh", "-c", "yes; exit 9"}));
        int out[2];
        EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
        StartOptions o;
        o.stdio = {-1, out[1], -1};
        c.start(o);
        close(out[1]);
        char buf[16];
        EXPECT_GT(read(out[0], buf, sizeof buf), 0);
        close(out[0]);
        auto st = c.wait(30s);
        c.destroy();
        return st;
    };
    auto local = Session::open(local_uri());
    auto want = status_with_closed_reader(local);
    EXPECT_EQ(want, (ExitStatus{false, 9}));
    EXPECT_EQ(status_with_closed_reader(session()), want);
}

TEST_F(Streams, OneSessionManyThreads) {
    std::vector<std::future<RunResult>> runs;
    for (int i = 0; i < 6; ++i)
        runs.push_back(std::async(std::launch::async, [&, i] {
            return run(spec({"/bin/sh", "-c", "read x; echo $x-" + std::to_string(i)}),
                       "t" + std::to_string(i) + "\n");
        }));
    for (int i = 0; i < 6; ++i) {
        auto r = runs[i].get();
        EXPECT_EQ(r.out, "t" + std::to_string(i) + "-" + std::to_string(i) + "\n");
    }
}

TEST_F(Streams, DetachedStartOutlivesTheConnection) {
    auto sp = spec({"/bin/sh", "-c", "sleep 1; exit 5"});
    int64_t pid;
    {
        auto s = Session::open(remote_uri());
        auto c = s.create(sp);
        StartOptions o;
        o.stdio = {-1, -1, -1};
        o.detach = true;
        pid = c.start(o);
    }  // ssh and the agent are gone now
    EXPECT_EQ(kill(static_cast<pid_t>(pid), 0), 0);
    auto c = Session::open(remote_uri()).get(sp.name);
    EXPECT_EQ(c.wait(30s), (ExitStatus{false, 5}));  // its monitor recorded the status
    c.destroy();
}

TEST_F(Streams, DetachedStartWithStdioIsRefused) {
    auto c = session().create(spec({"/bin/true"}));
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    StartOptions o;
    o.stdio = {-1, p[1], -1};
    o.detach = true;
    try {
        c.start(o);
        ADD_FAILURE() << "a detached start with stdio succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::unsupported);
        EXPECT_NE(std::string(e.what()).find("would close with it"), std::string::npos) << e.what();
    }
    close(p[0]);
    close(p[1]);
    EXPECT_EQ(c.state(), State::created);  // nothing happened
    c.destroy();
}

TEST_F(Streams, ExecStreamsStdio) {
    auto c = session().create(spec({"/bin/sleep", "100"}));
    c.start(StartOptions{{-1, -1, -1}, false});
    ProcessSpec p;
    p.args = {"/bin/sh", "-c", "read x; echo exec:$x; echo e >&2; exit 3"};
    p.env = {"PATH=/bin"};
    int in[2], out[2], err[2];
    ASSERT_EQ(pipe2(in, O_CLOEXEC) | pipe2(out, O_CLOEXEC) | pipe2(err, O_CLOEXEC), 0);
    StartOptions o;
    o.stdio = {in[0], out[1], err[1]};
    int64_t pid = 0;
    std::string skipped;
    try {
        pid = c.exec(p, o);
    } catch (const Error &e) {
        if (e.code() != Errc::unsupported) throw;
        skipped = e.what();
    }
    for (int fd : {in[0], out[1], err[1]}) close(fd);
    if (skipped.empty()) {
        ASSERT_EQ(write(in[1], "hi\n", 3), 3);
        close(in[1]);
        EXPECT_EQ(read_all(out[0]), "exec:hi\n");
        EXPECT_EQ(read_all(err[0]), "e\n");
        EXPECT_EQ(c.wait_process(pid, 30s), (ExitStatus{false, 3}));
    } else {
        close(in[1]);
    }
    close(out[0]);
    close(err[0]);
    c.destroy(true);
    if (!skipped.empty()) GTEST_SKIP() << "the far backend has no exec yet: " << skipped;
}

TEST_F(Streams, TerminalIsRelayed) {
    auto sp =
        spec({"/bin/sh", "-c", "tty >/dev/null && echo tty-ok; read x; stty size; echo got:$x"});
    sp.process.terminal = true;
    std::optional<Container> c;
    try {
        c = session().create(sp);
    } catch (const Error &e) {
        if (e.code() != Errc::unsupported) throw;
        GTEST_SKIP() << "the far backend has no terminals yet: " << e.what();
    }
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    StartOptions o;
    o.stdio = {-1, -1, -1};
    o.console_socket = sv[1];
    c->start(o);
    close(sv[1]);
    char byte;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    ASSERT_EQ(recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC), 1);
    close(sv[0]);
    int master;
    memcpy(&master, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof master);
    winsize ws{};
    ws.ws_row = 30;
    ws.ws_col = 100;
    ASSERT_EQ(ioctl(master, TIOCSWINSZ, &ws), 0);
    std::this_thread::sleep_for(300ms);  // the size goes ahead of the input
    ASSERT_EQ(write(master, "hello\n", 6), 6);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    close(master);
    EXPECT_NE(out.find("tty-ok"), std::string::npos) << out;
    EXPECT_NE(out.find("30 100"), std::string::npos) << out;
    EXPECT_NE(out.find("got:hello"), std::string::npos) << out;
    EXPECT_EQ(c->wait(30s), (ExitStatus{false, 0}));
    c->destroy();
}

}  // namespace
}  // namespace ct::test::remote
