// The slots whose transport is hardest — exec with stdio, terminals, the streaming file slots,
// the host's log and progress callbacks — end to end through the real client and ct-agent,
// with the fake ssh and a tiny far backend (rtest_backend.cpp) that has them all. Driven
// through the remote backend's C table, as libct drives it.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "ct/driver.h"

namespace ct::test {
namespace {

namespace fs = std::filesystem;

struct Collect : ct_out {
    std::string data;
    int err = 0;
    Collect() {
        put = [](ct_out *s, const char *d, size_t n) {
            static_cast<Collect *>(s)->data.append(d, n);
        };
        set_errno = [](ct_out *s, int e) { static_cast<Collect *>(s)->err = e; };
    }
};

// Hands out `data`, or fails after `fail_after` bytes with a message into `err`.
struct Feed : ct_in {
    std::string data;
    size_t off = 0, fail_after = std::string::npos;
    ct_out *err = nullptr;
    explicit Feed(std::string d) : data(std::move(d)) {
        read = [](ct_in *s, char *buf, size_t len) -> int64_t {
            auto *f = static_cast<Feed *>(s);
            if (f->off >= f->fail_after) {
                std::string m = "caller: disk on fire";
                f->err->put(f->err, m.data(), m.size());
                return -1;
            }
            size_t n = std::min({len, f->data.size() - f->off, f->fail_after - f->off});
            memcpy(buf, f->data.data() + f->off, n);
            f->off += n;
            return static_cast<int64_t>(n);
        };
    }
};

std::mutex g_mu;
std::vector<std::string> g_logs;
uint64_t g_progress_done = 0;

void on_log(int, const char *backend, const char *msg) {
    std::lock_guard l(g_mu);
    g_logs.push_back(std::string(backend) + "|" + msg);
}
void on_progress(const char *, uint64_t done, uint64_t) {
    std::lock_guard l(g_mu);
    g_progress_done = done;
}

std::string read_all(int fd) {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
}

class Transport : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = "/tmp/ctrm-unit-" + std::to_string(getpid()) + "-transport";
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        setenv("CT_SSH", CT_FAKE_SSH, 1);
        setenv("CT_FAKE_SSH_MODE", "shell", 1);
        setenv("CT_FAKE_SSH_ARGV", (dir_ + "/argv").c_str(), 1);
        setenv("CT_BACKEND_PATH", CT_RTEST_DIR, 1);  // the agent, a child of the fake, sees it
        void *h = dlopen(
            (std::string(CT_TEST_BUILD_DIR) + "/lib/ct/backends/ct-backend-remote.so").c_str(),
            RTLD_NOW | RTLD_LOCAL);
        ASSERT_NE(h, nullptr) << dlerror();
        b_ = reinterpret_cast<ct_backend_entry_fn>(dlsym(h, CT_BACKEND_ENTRY_SYMBOL))();
        host_ = ct_host{sizeof(ct_host), CT_DRIVER_ABI_MAJOR, CT_DRIVER_ABI_MINOR, 0,
                        on_log,          on_progress};
        Collect err;
        std::string uri = "rtest+ssh://far/?agent=" + std::string(CT_TEST_AGENT) + "&root=" + dir_;
        ASSERT_EQ(b_->ops.open(&host_, uri.c_str(), &s_, &err), CT_OK) << err.data;
    }
    void TearDown() override {
        if (s_) b_->ops.close(s_);
        unsetenv("CT_BACKEND_PATH");
        unsetenv("CT_SSH");
        fs::remove_all(dir_);
    }
    int64_t exec(const std::string &doc, int in, int out, int errfd, int console = -1) {
        ct_proc_args a{};
        a.size = sizeof a;
        a.stdin_fd = in;
        a.stdout_fd = out;
        a.stderr_fd = errfd;
        a.process_doc = doc.c_str();
        a.console_socket = console;
        int64_t pid = 0;
        Collect err;
        EXPECT_EQ(b_->ops.exec(s_, "c", &a, &pid, &err), CT_OK) << err.data;
        return pid;
    }
    int wait(int64_t pid) {
        int ws = -1;
        Collect err;
        EXPECT_EQ(b_->ops.wait(s_, "c", pid, -1, &ws, &err), CT_OK) << err.data;
        return ws;
    }
    std::string dir_;
    const ct_backend *b_ = nullptr;
    ct_host host_{};
    ct_session *s_ = nullptr;
};

TEST_F(Transport, ExecStdioAndExitStatus) {
    int in[2], out[2], err[2];
    ASSERT_EQ(pipe2(in, O_CLOEXEC) | pipe2(out, O_CLOEXEC) | pipe2(err, O_CLOEXEC), 0);
    int64_t pid =
        exec(R"({"args":["/bin/sh","-c","read x; echo out:$x; echo err:$x >&2; exit 4"]})", in[0],
             out[1], err[1]);
    for (int fd : {in[0], out[1], err[1]}) close(fd);
    ASSERT_EQ(write(in[1], "hi\n", 3), 3);
    close(in[1]);
    int ws = wait(pid);
    // Once wait returns, the output is all there: read without blocking on the far side.
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    EXPECT_EQ(read_all(out[0]), "out:hi\n");
    EXPECT_EQ(read_all(err[0]), "err:hi\n");
    EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 4) << ws;
    close(out[0]);
    close(err[0]);
}

TEST_F(Transport, TerminalWithWindowSize) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    int64_t pid = exec(
        R"({"args":["/bin/sh","-c","read x; stty size; echo got:$x; exit 3"],"terminal":true})", -1,
        -1, -1, sv[1]);
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
    EXPECT_TRUE(isatty(master));
    winsize ws{};
    ws.ws_row = 33;
    ws.ws_col = 77;
    ASSERT_EQ(ioctl(master, TIOCSWINSZ, &ws), 0);
    usleep(300000);  // the client notices within 100 ms and sends the size ahead of the input
    ASSERT_EQ(write(master, "hello\n", 6), 6);
    std::string out = read_all(master);  // until EIO: the far process has exited
    close(master);
    EXPECT_NE(out.find("33 77"), std::string::npos) << out;
    EXPECT_NE(out.find("got:hello"), std::string::npos) << out;
    int st = wait(pid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 3) << st;
}

TEST_F(Transport, FilesStreamBothWays) {
    std::string data(3 * 1024 * 1024 + 12345, '\0');
    std::mt19937 rng(7);
    for (auto &c : data) c = static_cast<char>(rng());
    Feed feed(data);
    Collect err;
    ASSERT_EQ(b_->ops.put_files(s_, "img", &feed, &err), CT_OK) << err.data;
    EXPECT_EQ(fs::file_size(dir_ + "/img/data"), data.size());
    Collect archive, gerr;
    ASSERT_EQ(b_->ops.get_files(s_, "img", &archive, &gerr), CT_OK) << gerr.data;
    EXPECT_TRUE(archive.data == data) << archive.data.size();
    {
        std::lock_guard l(g_mu);
        EXPECT_EQ(g_progress_done, data.size());  // the far backend's progress reached our host
        bool opened = false;
        for (auto &m : g_logs) opened = opened || m == "rtest@far|rtest: session opened";
        EXPECT_TRUE(opened) << ::testing::PrintToString(g_logs);
    }
    // The far backend's refusal, with its code and errno.
    Feed again("x");
    Collect eerr;
    EXPECT_EQ(b_->ops.put_files(s_, "img", &again, &eerr), CT_ERR_EXISTS);
    EXPECT_NE(eerr.data.find("File exists"), std::string::npos) << eerr.data;
    EXPECT_EQ(eerr.err, EEXIST);
    Collect rerr;
    EXPECT_EQ(b_->ops.remove_files(s_, "img", &rerr), CT_OK) << rerr.data;
    EXPECT_EQ(b_->ops.remove_files(s_, "img", &rerr), CT_ERR_NOT_FOUND);
    Collect nerr, none;
    EXPECT_EQ(b_->ops.get_files(s_, "nothing", &none, &nerr), CT_ERR_NOT_FOUND);
    EXPECT_EQ(none.data, "");
}

TEST_F(Transport, CallersArchiveFailingMidwayLeavesNothing) {
    Collect err;
    Feed feed(std::string(2 * 1024 * 1024, 'a'));
    feed.fail_after = 1024 * 1024 + 7;
    feed.err = &err;
    EXPECT_NE(b_->ops.put_files(s_, "half", &feed, &err), CT_OK);
    EXPECT_EQ(err.data, "caller: disk on fire");  // the caller's words only
    EXPECT_FALSE(fs::exists(dir_ + "/half"));
    // The session goes on.
    Feed ok("fine");
    Collect e2;
    EXPECT_EQ(b_->ops.put_files(s_, "whole", &ok, &e2), CT_OK) << e2.data;
}

}  // namespace
}  // namespace ct::test
