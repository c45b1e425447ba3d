// The client and the real ct-agent without sshd: a fake ssh (fake-ssh.sh) records the argv and
// runs the command line in a local shell, as the far side's shell would. Covers the handshake,
// quoting against injection, version refusals on both sides, banners, and ssh failures.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ct/ct.hpp"
#include "peer.hpp"
#include "protocol.hpp"

namespace ct::test {
namespace {

namespace fs = std::filesystem;

class FakeSsh : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = "/tmp/ctrm-unit-" + std::to_string(getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        argv_file_ = dir_ + "/argv";
        setenv("CT_SSH", CT_FAKE_SSH, 1);
        setenv("CT_FAKE_SSH_ARGV", argv_file_.c_str(), 1);
        mode("shell");
    }
    void TearDown() override {
        unsetenv("CT_SSH");
        fs::remove_all(dir_);
    }
    void mode(const char *m) { setenv("CT_FAKE_SSH_MODE", m, 1); }
    std::string uri(const std::string &agent) const {
        std::string a;
        for (unsigned char c : agent) {  // percent-encode everything but the plainest bytes
            if (isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_') {
                a += static_cast<char>(c);
            } else {
                char buf[4];
                snprintf(buf, sizeof buf, "%%%02X", c);
                a += buf;
            }
        }
        return "linux+ssh://root@far.example/?agent=" + a + "&root=" + dir_ + "/state";
    }
    std::vector<std::string> recorded_argv() const {
        std::ifstream f(argv_file_);
        std::vector<std::string> v;
        std::string line;
        while (std::getline(f, line)) v.push_back(line);
        return v;
    }
    Error open_error(const std::string &u) {
        try {
            Session::open(u);
        } catch (const Error &e) {
            return e;
        }
        return Error(Errc::backend, "opened");
    }
    std::string dir_, argv_file_;
};

TEST_F(FakeSsh, SessionThroughTheAgent) {
    auto s = Session::open(uri(CT_TEST_AGENT));
    EXPECT_EQ(s.backend().name, "remote");
    EXPECT_TRUE(s.list().empty());
    // Far errors come back with their code.
    try {
        s.get("nope");
        ADD_FAILURE();
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found) << e.what();
        EXPECT_NE(std::string(e.what()).find("get container 'nope' (backend linux+ssh): "),
                  std::string::npos)
            << e.what();
    }
    auto argv = recorded_argv();
    ASSERT_GE(argv.size(), 3u);
    EXPECT_EQ(argv[argv.size() - 3], "--");
    EXPECT_EQ(argv[argv.size() - 2], "far.example");
    EXPECT_EQ(argv.back(), std::string("exec '") + CT_TEST_AGENT + "'");
}

TEST_F(FakeSsh, NoPathCanInjectACommand) {
    // A directory whose name is every shell metacharacter at once, holding the agent.
    std::string evil = dir_ + "/a 'b' \"c\" $(touch " + dir_ + "/pwned1); `touch " + dir_ +
                       "/pwned2` & | > < * ? [x] {y} ~ # \\ !";
    fs::create_directories(evil);
    fs::create_symlink(CT_TEST_AGENT, evil + "/ct-agent");
    auto s = Session::open(uri(evil + "/ct-agent"));
    EXPECT_TRUE(s.list().empty());
    EXPECT_FALSE(fs::exists(dir_ + "/pwned1"));
    EXPECT_FALSE(fs::exists(dir_ + "/pwned2"));
}

TEST_F(FakeSsh, BannerBeforeTheAgentIsSkipped) {
    mode("banner");
    EXPECT_TRUE(Session::open(uri(CT_TEST_AGENT)).list().empty());
}

TEST_F(FakeSsh, SshFailureIsATransportErrorWithItsStderr) {
    mode("refuse");
    auto e = open_error(uri(CT_TEST_AGENT));
    EXPECT_EQ(e.code(), Errc::transport);
    EXPECT_NE(std::string(e.what()).find("ssh failed: root@host: Permission denied (publickey)."),
              std::string::npos)
        << e.what();
}

TEST_F(FakeSsh, UnexpectedExitIsReported) {
    mode("no-such-mode");
    auto e = open_error(uri(CT_TEST_AGENT));
    EXPECT_EQ(e.code(), Errc::transport);
    EXPECT_NE(std::string(e.what()).find("exited with status 2: fake-ssh: unknown mode"),
              std::string::npos)
        << e.what();
}

TEST_F(FakeSsh, MissingAgent) {
    auto e = open_error(uri(dir_ + "/nowhere/ct-agent"));
    EXPECT_EQ(e.code(), Errc::transport);
    EXPECT_NE(std::string(e.what()).find("ct-agent was not found at " + dir_ + "/nowhere/ct-agent"),
              std::string::npos)
        << e.what();
}

TEST_F(FakeSsh, NotAnAgent) {
    std::string chatty = dir_ + "/chatty";
    std::ofstream(chatty) << "#!/bin/sh\necho I am not an agent\n";
    chmod(chatty.c_str(), 0755);
    auto e = open_error(uri(chatty));
    EXPECT_EQ(e.code(), Errc::transport);
    EXPECT_NE(std::string(e.what()).find("not ct-agent (it wrote: I am not an agent"),
              std::string::npos)
        << e.what();
    e = open_error(uri("/bin/true"));
    EXPECT_EQ(e.code(), Errc::transport);
    EXPECT_NE(std::string(e.what()).find("before ct-agent answered"), std::string::npos)
        << e.what();
}

TEST_F(FakeSsh, ClientRefusesAnAgentOfOtherVersions) {
    std::string wrapper = dir_ + "/future-agent";
    std::ofstream(wrapper) << "#!/bin/sh\nexec " << CT_TEST_AGENT << " --protocol=7..9\n";
    chmod(wrapper.c_str(), 0755);
    auto e = open_error(uri(wrapper));
    EXPECT_EQ(e.code(), Errc::unsupported);
    EXPECT_NE(std::string(e.what()).find("speaks protocol versions 7..9, this libct 1..1"),
              std::string::npos)
        << e.what();
}

TEST_F(FakeSsh, FarBackendMissing) {
    auto e = open_error("nosuch+ssh://far.example/?agent=" + std::string(CT_TEST_AGENT));
    // Errc::abi has no ct_status of its own: across a backend boundary it is a backend error.
    EXPECT_EQ(e.code(), Errc::backend);
    EXPECT_NE(std::string(e.what()).find("no backend serves URI scheme 'nosuch' on this host"),
              std::string::npos)
        << e.what();
}

// The agent's own refusal, for clients that would not check: speak to it directly.
TEST(Agent, RefusesAnOpenOfAnotherVersion) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(sv[1], 0);
        dup2(sv[1], 1);
        execl(CT_TEST_AGENT, "ct-agent", static_cast<char *>(nullptr));
        _exit(127);
    }
    close(sv[1]);
    remote::FrameReader r(sv[0]);
    std::string skipped;
    ASSERT_TRUE(r.find_magic(5000, 1024, skipped));
    EXPECT_EQ(skipped, "");
    remote::Msg hello;
    ASSERT_TRUE(r.next(hello, 5000));
    EXPECT_EQ(hello["t"], "hello");
    EXPECT_EQ(hello["min"], remote::kProtoMin);
    remote::Peer p(sv[0]);
    p.send(remote::Msg{{"t", "call"}, {"id", 1}, {"op", "open"}, {"v", 99}, {"uri", "linux:///"}});
    remote::Msg reply;
    ASSERT_TRUE(r.next(reply, 5000));
    EXPECT_EQ(reply["t"], "err");
    EXPECT_EQ(reply["code"], static_cast<int>(Errc::unsupported));
    EXPECT_NE(reply["msg"].get<std::string>().find("not 99"), std::string::npos) << reply.dump();
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    EXPECT_EQ(WEXITSTATUS(st), 3);
    close(sv[0]);
}

TEST(Agent, RejectsMalformedFrames) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    ASSERT_EQ(write(sv[1], "\xff\xff\xff\xff", 4), 4);
    close(sv[1]);
    remote::FrameReader r(sv[0]);
    remote::Msg m;
    try {
        r.next(m, 1000);
        ADD_FAILURE();
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::transport);
        EXPECT_NE(std::string(e.what()).find("malformed message"), std::string::npos);
    }
    close(sv[0]);
}

}  // namespace
}  // namespace ct::test
