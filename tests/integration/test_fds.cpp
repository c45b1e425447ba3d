// No fd of the caller reaches the container unless passed on purpose (StartOptions::fds).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "fixture.hpp"

namespace ct::test {
namespace {

class Fds : public LinuxTest {
  protected:
    // Caller fds without O_CLOEXEC, the kind a careless host application has lying around.
    void open_leaky_fds() {
        leaky_.push_back(open("/dev/null", O_RDONLY));
        leaky_.push_back(open("/etc/hostname", O_RDONLY));
        int p[2];
        ASSERT_EQ(pipe(p), 0);
        leaky_.push_back(p[0]);
        leaky_.push_back(p[1]);
        int sv[2];
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        leaky_.push_back(sv[0]);
        leaky_.push_back(sv[1]);
        for (int fd : leaky_) ASSERT_GE(fd, 0);
    }
    void TearDown() override {
        for (int fd : leaky_) close(fd);
        LinuxTest::TearDown();
    }
    std::vector<int> leaky_;
};

TEST_F(Fds, CallersFdsDoNotLeakIntoTheContainer) {
    open_leaky_fds();
    // The shell's own fds, as seen from inside: only stdio.
    // (ls in a subshell writing a file: see PassedFdsAreTheOnlyOnes.)
    auto r =
        run(spec({"/bin/sh", "-c", "(ls /proc/$$/fd >/dev/shm/fds); tr '\\n' ' ' </dev/shm/fds"}));
    EXPECT_EQ(r.out, "0 1 2 ") << r.err;
}

TEST_F(Fds, DetachedStartLeaksNothingEither) {
    open_leaky_fds();
    auto s = spec(
        {"/bin/sh", "-c", "(ls /proc/$$/fd >/dev/shm/fds); tr '\\n' ' ' </dev/shm/fds >/out/fds"});
    std::string out = "/tmp/ct-fssec-" + std::to_string(getpid()) + "-fds";
    std::filesystem::create_directories(out);
    temp_dirs_.push_back(out);
    s.mounts = {{out, "/out", "bind", {}}};
    auto c = session().create(s);
    StartOptions o;
    o.detach = true;
    o.stdio = {-1, -1, -1};
    c.start(o);
    auto st = c.wait(std::chrono::seconds(30));
    c.destroy();
    EXPECT_EQ(st, (ExitStatus{false, 0}));
    EXPECT_EQ(read_text(out + "/fds"), "0 1 2 ");
}

TEST_F(Fds, PassedFdsAreTheOnlyOnes) {
    open_leaky_fds();
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    int data = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(data, 0);
    auto c = session().create(
        // Not `ls | tr`: the shell holds the pipe's read end until it has forked tr, and ls
        // may look before that; and redirected in a subshell, as the shell may save its own
        // stdout on another fd while it runs an applet in-process.
        spec({"/bin/sh", "-c",
              "(ls /proc/$$/fd >/dev/shm/fds); tr '\\n' ' ' </dev/shm/fds; echo; head -c 3 <&4 | "
              "wc -c"}));
    StartOptions o;
    o.fds = {-1, out[1], out[1], -1, data};  // -1: /dev/null
    c.start(o);
    close(out[1]);
    close(data);
    auto reader = std::async(std::launch::async, [fd = out[0]] {
        std::string s;
        char buf[256];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
        close(fd);
        return s;
    });
    auto st = c.wait(std::chrono::seconds(30));
    c.destroy();
    EXPECT_EQ(st, (ExitStatus{false, 0}));
    EXPECT_EQ(reader.get(), "0 1 2 3 4 \n3\n");
}

}  // namespace
}  // namespace ct::test
