// pause/resume: cgroup.freeze on the cgroup2 tree (v2 and hybrid hosts), the v1 freezer on
// legacy hosts (run here in a mount namespace that hides the cgroup2 tree); the paused state;
// wait, kill, exec and destroy of a paused container.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "proc_util.hpp"

namespace ct::test {
namespace {

class Pause : public LinuxTest {
  protected:
    // A container printing a tick every 20 ms to a pipe we read.
    Container ticking(const Spec &s) {
        auto c = session().create(s);
        int p[2];
        if (pipe2(p, O_CLOEXEC | O_NONBLOCK)) throw std::runtime_error("pipe");
        StartOptions o;
        o.stdio = {-1, p[1], -1};
        try {
            c.start(o);
        } catch (...) {
            close(p[0]);
            close(p[1]);
            throw;
        }
        close(p[1]);
        ticks_ = p[0];
        return c;
    }
    Container ticking() {
        return ticking(spec({"/bin/sh", "-c", "while :; do echo t; sleep 0.02; done"}));
    }
    // Bytes of ticks that arrive within `ms`.
    size_t ticks_within(int ms) {
        size_t n = 0;
        auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        char buf[4096];
        while (std::chrono::steady_clock::now() < end) {
            ssize_t r = read(ticks_, buf, sizeof buf);
            if (r > 0) n += static_cast<size_t>(r);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return n;
    }
    void TearDown() override {
        if (ticks_ >= 0) close(ticks_);
        ticks_ = -1;
        LinuxTest::TearDown();
    }
    int ticks_ = -1;
};

std::string freezer_file(const ContainerInfo &i) {
    if (i.details.count("cgroup.unified")) return i.details.at("cgroup.unified") + "/cgroup.events";
    return i.details.at("cgroup.freezer") + "/freezer.state";
}

TEST_F(Pause, FreezesEveryProcessAndResumeThaws) {
    auto c = ticking();
    EXPECT_GT(ticks_within(200), 0u);
    c.pause();
    auto info = c.info();
    EXPECT_EQ(info.state, State::paused);
    EXPECT_EQ(info.pid, c.info().pid);
    std::string f = freezer_file(info);
    std::string text = read_text(f);
    EXPECT_TRUE(text.find("frozen 1") != std::string::npos || text == "FROZEN\n")
        << f << ": " << text;
    ticks_within(50);  // a tick already in the pipe
    EXPECT_EQ(ticks_within(300), 0u) << "the container ran while paused";
    EXPECT_EQ(ct_cli(uri(), {"list"}).out.find("paused") != std::string::npos, true);
    c.resume();
    EXPECT_EQ(c.state(), State::running);
    EXPECT_GT(ticks_within(300), 0u) << "the container did not resume";
    c.destroy(true);
}

TEST_F(Pause, WrongStatesAreRefused) {
    auto created = session().create(spec({"/bin/true"}));
    EXPECT_THROW(created.pause(), Error);
    EXPECT_THROW(created.resume(), Error);
    created.destroy();
    auto c = ticking();
    try {
        c.resume();
        ADD_FAILURE() << "resumed a running container";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state);
    }
    c.pause();
    try {
        c.pause();
        ADD_FAILURE() << "paused twice";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state);
    }
    try {
        c.exec(ProcessSpec{{"/bin/true"}});
        ADD_FAILURE() << "exec into a paused container";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state);
        EXPECT_NE(std::string(e.what()).find("paused"), std::string::npos) << e.what();
    }
    try {
        c.destroy();
        ADD_FAILURE() << "destroyed a paused container without force";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::bad_state);
    }
    // Still paused after all that.
    EXPECT_EQ(c.state(), State::paused);
    c.destroy(true);
}

TEST_F(Pause, WaitKillAndRestartOfAPausedContainer) {
    auto c = ticking();
    c.pause();
    try {
        c.wait(std::chrono::milliseconds(100));
        ADD_FAILURE() << "a paused container exited";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::timeout);
    }
    // SIGKILL ends it while paused; wait sees it.
    c.kill(SIGKILL);
    EXPECT_EQ(c.wait(std::chrono::seconds(10)), (ExitStatus{true, SIGKILL}));
    EXPECT_EQ(c.state(), State::stopped);
    // It died frozen: a new start must not land in a frozen cgroup.
    ProcessSpec once;
    once.args = {"/bin/true"};
    c.start(once, StartOptions{{-1, -1, -1}});
    EXPECT_EQ(c.wait(std::chrono::seconds(10)), (ExitStatus{false, 0}));
    c.destroy();
}

TEST_F(Pause, ForceDestroyOfAPausedContainerLeavesNothing) {
    auto c = ticking();
    auto d = ct_cli(uri(), {"pause", c.name()});
    EXPECT_EQ(d.code, 0) << d.err;
    EXPECT_EQ(c.state(), State::paused);
    c.destroy(true);  // the fixture checks cgroups, processes and state
}

TEST_F(Pause, CliResume) {
    auto c = ticking();
    c.pause();
    EXPECT_EQ(ct_cli(uri(), {"resume", c.name()}).code, 0);
    EXPECT_EQ(c.state(), State::running);
    auto again = ct_cli(uri(), {"resume", c.name()});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("not paused"), std::string::npos) << again.err;
    c.destroy(true);
}

// Legacy (v1 only) hosts use the freezer controller. This host's cgroup2 tree is hidden in a
// private mount namespace, so the backend sees a v1 host; the scenario runs in a child
// process and reports the first failure.
TEST_F(Pause, V1FreezerOnALegacyHost) {
    if (access("/sys/fs/cgroup/freezer/cgroup.procs", F_OK) != 0)
        GTEST_SKIP() << "no v1 freezer hierarchy at /sys/fs/cgroup/freezer";
    std::string rootfs = busybox_rootfs();
    Spec s = spec({"/bin/sh", "-c", "while :; do sleep 0.02; done"});
    std::string err = on_a_legacy_host([&] {
        auto check = [](bool ok, const std::string &what) {
            if (!ok) throw std::runtime_error(what);
        };
        auto sess = Session::open(uri());
        auto c = sess.create(s);
        c.start(StartOptions{{-1, -1, -1}});
        auto i = c.info();
        check(i.details["cgroup_mode"] == "v1", "cgroup_mode is " + i.details["cgroup_mode"]);
        c.pause();
        check(read_text(i.details["cgroup.freezer"] + "/freezer.state") == "FROZEN\n",
              "freezer.state is not FROZEN");
        check(c.state() == State::paused, "state is not paused");
        c.resume();
        check(read_text(i.details["cgroup.freezer"] + "/freezer.state") == "THAWED\n",
              "freezer.state is not THAWED");
        c.pause();
        // A v1 freezer holds SIGKILL until thawed: kill must still end it.
        c.kill(SIGKILL);
        auto st = c.wait(std::chrono::seconds(10));
        check(st == ExitStatus{true, SIGKILL}, "init did not die of SIGKILL");
        c.destroy();
    });
    EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace ct::test
