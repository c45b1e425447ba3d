// Terminals: a pty from the container's own devpts as the controlling terminal and stdio of
// init or an exec'd process, its master sent over the console socket; `ct run -t` and
// `ct exec -t` used interactively on a real pty.
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "proc_util.hpp"

namespace ct::test {
namespace {

class Console : public LinuxTest {
  protected:
    void SetUp() override {
        LinuxTest::SetUp();
        if (IsSkipped()) return;
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock_), 0);
    }
    void TearDown() override {
        for (int fd : {sock_[0], sock_[1], master_})
            if (fd >= 0) close(fd);
        sock_[0] = sock_[1] = master_ = -1;
        LinuxTest::TearDown();
    }
    StartOptions options() {
        StartOptions o;
        o.console_socket = sock_[1];
        return o;
    }
    // The master the backend sent.
    int receive_master() {
        char byte;
        struct iovec iov {
            &byte, 1
        };
        alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
        struct msghdr msg {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl;
        msg.msg_controllen = sizeof ctl;
        if (recvmsg(sock_[0], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0) return -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
        std::memcpy(&master_, CMSG_DATA(c), sizeof(int));
        return master_;
    }
    // Everything written to the terminal until its last slave fd is closed (EIO).
    std::string read_all(int master) {
        std::string s;
        char buf[4096];
        for (;;) {
            struct pollfd p {
                master, POLLIN, 0
            };
            if (poll(&p, 1, 10000) <= 0) break;
            ssize_t n = read(master, buf, sizeof buf);
            if (n <= 0) break;
            s.append(buf, n);
        }
        return s;
    }
    int sock_[2] = {-1, -1};
    int master_ = -1;
    // What a process on the terminal reports about it.
    static constexpr const char *kProbe =
        "tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-tty; "
        "echo x >/dev/tty && echo ctty; ls /dev/pts | tr '\\n' ' '; echo; "
        "stat -c %u /proc/self/fd/0";
};

TEST_F(Console, InitGetsAPtyOfTheContainersDevpts) {
    // The OCI runtime spec's /dev/console: the same terminal, bound there.
    auto s = spec({"/bin/sh", "-c",
                   std::string(kProbe) + "; [ /dev/console -ef /dev/pts/0 ] && echo console"});
    s.process.terminal = true;
    s.process.user.uid = 1000;
    auto c = session().create(s);
    c.start(options());
    int m = receive_master();
    ASSERT_GE(m, 0) << "no terminal was sent";
    std::string out = read_all(m);
    EXPECT_EQ(c.wait(std::chrono::seconds(10)), (ExitStatus{false, 0}));
    // A new devpts instance: the container's first pty, and no host pty in sight. The tty
    // layer turns "\n" into "\r\n".
    EXPECT_EQ(out, "/dev/pts/0\r\nstdio-tty\r\nx\r\nctty\r\n0 ptmx \r\n1000\r\nconsole\r\n");
    c.destroy();
}

TEST_F(Console, ExecGetsItsOwnPty) {
    auto c = session().create(spec({"/bin/sleep", "1000"}));
    start_quiet(c);
    ProcessSpec p;
    p.args = {"/bin/sh", "-c", kProbe};
    p.terminal = true;
    int64_t pid = c.exec(p, options());
    int m = receive_master();
    ASSERT_GE(m, 0) << "no terminal was sent";
    std::string out = read_all(m);
    EXPECT_EQ(c.wait_process(pid, std::chrono::seconds(10)), (ExitStatus{false, 0}));
    EXPECT_EQ(out, "/dev/pts/0\r\nstdio-tty\r\nx\r\nctty\r\n0 ptmx \r\n0\r\n");
    c.destroy(true);
}

TEST_F(Console, ATerminalNeedsAConsoleSocket) {
    auto s = spec({"/bin/true"});
    s.process.terminal = true;
    auto c = session().create(s);
    try {
        c.start();
        ADD_FAILURE() << "started without a console socket";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("console socket"), std::string::npos) << e.what();
    }
    EXPECT_EQ(c.state(), State::created);
    c.destroy();
}

TEST_F(Console, CtRunTIsInteractive) {
    PtySession t(uri(), {"run", "-t", "--rootfs", busybox_rootfs(), "--", "/bin/sh"}, 40, 100);
    ASSERT_TRUE(t.expect("# ")) << t.transcript();
    // Our window size, the terminal type, and line editing by the container's pty.
    t.send("stty size; echo T=$TERM; echo R=$((6*7))\n");
    ASSERT_TRUE(t.expect("R=42")) << t.transcript();
    EXPECT_NE(t.transcript().find("40 100"), std::string::npos) << t.transcript();
    EXPECT_NE(t.transcript().find("T=vt100"), std::string::npos) << t.transcript();
    // ^C goes to the foreground job in the container, not to ct.
    t.send("sleep 100\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    t.send("\x03");
    t.send("echo after-$((1+1))\n");
    ASSERT_TRUE(t.expect("after-2")) << t.transcript();
    t.send("exit 3\n");
    EXPECT_EQ(t.wait(), 3) << t.transcript();
    EXPECT_TRUE(session().list().empty());
}

// The first thing a program on the terminal does may be to read its size (stty, ls, an
// editor): it is ct's from the start, not 0x0 until ct's first resize reaches the pty.
TEST_F(Console, TheTerminalHasCtsSizeFromTheStart) {
    for (int i = 0; i < 3; ++i) {
        PtySession t(uri(), {"run", "-t", "--rootfs", busybox_rootfs(), "--", "/bin/stty", "size"},
                     33, 77);
        EXPECT_EQ(t.wait(), 0) << t.transcript();
        EXPECT_NE(t.transcript().find("33 77"), std::string::npos) << t.transcript();
    }
    auto c = session().create(spec({"/bin/sleep", "1000"}));
    start_quiet(c);
    for (int i = 0; i < 3; ++i) {
        PtySession t(uri(), {"exec", "-t", c.name(), "--", "/bin/stty", "size"}, 21, 61);
        EXPECT_EQ(t.wait(), 0) << t.transcript();
        EXPECT_NE(t.transcript().find("21 61"), std::string::npos) << t.transcript();
    }
    c.destroy(true);
}

TEST_F(Console, CtExecTIsInteractive) {
    auto c = session().create(spec({"/bin/sleep", "1000"}));
    start_quiet(c);
    {
        PtySession t(uri(), {"exec", "-t", c.name(), "--", "/bin/sh"}, 30, 90);
        ASSERT_TRUE(t.expect("# ")) << t.transcript();
        t.send("stty size; tty; echo R=$((3*4))\n");
        ASSERT_TRUE(t.expect("R=12")) << t.transcript();
        EXPECT_NE(t.transcript().find("30 90"), std::string::npos) << t.transcript();
        EXPECT_NE(t.transcript().find("/dev/pts/0"), std::string::npos) << t.transcript();
        t.send("exit 4\n");
        EXPECT_EQ(t.wait(), 4) << t.transcript();
    }
    c.destroy(true);
}

}  // namespace
}  // namespace ct::test
