// Faults of the link, each a clear transport error within a bounded time, never a hang; the far
// containers keep running and a new session finds them.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <thread>

#include "remote_test.hpp"

namespace ct::test::remote {
namespace {

using namespace std::chrono_literals;

bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

// Opening `uri` fails with a transport error mentioning `part` within `max_ms`.
void expect_open_fails(const std::string &uri, const std::string &part, long max_ms,
                       Errc code = Errc::transport) {
    long ms = elapsed_ms([&] {
        try {
            Session::open(uri);
            ADD_FAILURE() << "opened " << uri;
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), code) << e.what();
            EXPECT_TRUE(contains(e.what(), part)) << e.what();
        }
    });
    EXPECT_LT(ms, max_ms);
}

class Faults : public RemoteTest {};

TEST_F(Faults, HostUnreachableTimesOut) {
    std::string u = "linux+ssh://root@" + env()->host->unused_addr() + "/?agent=" + env()->agent +
                    "&identity=" + env()->keys->client + "&known_hosts=" + env()->known_hosts +
                    "&connect_timeout=1";
    expect_open_fails(u, "ssh failed", 6000);
}

TEST_F(Faults, NobodyListening) {
    expect_open_fails(remote_uri("", 2399), "Connection refused", 3000);
}

TEST_F(Faults, AuthRefused) {
    std::string u = "linux+ssh://root@" + env()->host->addr() + "/?agent=" + env()->agent +
                    "&identity=" + env()->keys->stranger + "&known_hosts=" + env()->known_hosts;
    expect_open_fails(u, "Permission denied", 5000);
}

TEST_F(Faults, AgentMissing) {
    std::string u = "linux+ssh://root@" + env()->host->addr() +
                    "/?agent=/nonexistent/ct-agent&identity=" + env()->keys->client +
                    "&known_hosts=" + env()->known_hosts;
    expect_open_fails(u, "ct-agent was not found at /nonexistent/ct-agent", 5000);
}

TEST_F(Faults, FarBackendRefusesItsOptions) {
    // The far backend's own error, code and text, as a local open would give it.
    std::string local, remote;
    Errc lc{}, rc{};
    try {
        Session::open("linux:///?bogus=1");
    } catch (const Error &e) {
        lc = e.code();
        local = e.what();
    }
    try {
        Session::open(env()->uri("bogus=1"));
    } catch (const Error &e) {
        rc = e.code();
        remote = e.what();
    }
    EXPECT_EQ(lc, Errc::invalid_argument);
    EXPECT_EQ(rc, lc);
    EXPECT_TRUE(contains(remote, "unknown option 'bogus'")) << remote;
}

class HostKeys : public RemoteTest {
  protected:
    std::string kh(const std::string &tag, const std::string &content) {
        std::string f = temp(tag);
        std::ofstream(f) << content;
        return f;
    }
    std::string uri_with(const std::string &known_hosts, const std::string &policy) {
        std::string u = "linux+ssh://root@" + env()->host->addr() + "/?agent=" + env()->agent +
                        "&identity=" + env()->keys->client + "&known_hosts=" + known_hosts;
        return policy.empty() ? u : u + "&host_key=" + policy;
    }
};

TEST_F(HostKeys, WrongKeyRefusedUnderStrict) {
    auto f =
        kh("wrong", env()->host->addr() + " " + env()->keys->pub(env()->keys->other_host) + "\n");
    expect_open_fails(uri_with(f, ""), "Host key verification failed", 5000);
    expect_open_fails(uri_with(f, "strict"), "Host key verification failed", 5000);
    // accept-new trusts new hosts, never changed keys.
    expect_open_fails(uri_with(f, "accept-new"), "Host key verification failed", 5000);
}

TEST_F(HostKeys, UnknownHostRefusedUnderStrictAcceptedUnderAcceptNew) {
    auto f = kh("fresh", "");
    expect_open_fails(uri_with(f, "strict"), "Host key verification failed", 5000);
    Session::open(uri_with(f, "accept-new")).list();
    std::ifstream in(f);
    std::string line;
    std::getline(in, line);
    std::string key = env()->keys->pub(env()->keys->host);
    key = key.substr(0, key.rfind(' '));       // without the comment
    EXPECT_TRUE(contains(line, key)) << line;  // the host may be hashed (HashKnownHosts)
    // Now known: strict accepts it.
    Session::open(uri_with(f, "strict")).list();
}

TEST_F(HostKeys, BadPolicyIsRefusedUpFront) {
    expect_open_fails(env()->uri("host_key=no"), "host_key must be strict or accept-new", 1000,
                      Errc::invalid_argument);
}

// A detached container on the far side, waited for through a session that then breaks.
class MidCall : public RemoteTest {
  protected:
    void SetUp() override {
        RemoteTest::SetUp();
        if (IsSkipped()) return;
        sshd_ = std::make_unique<Sshd>(*env()->host, *env()->keys, 2222, temp("sshd"));
    }
    void TearDown() override {
        sshd_.reset();
        RemoteTest::TearDown();
    }

    // Starts a long sleeper through a session on our sshd, then runs `cut` while another thread
    // waits for it; checks the wait fails with a transport error within `max_ms`.
    void cut_during_wait(const std::string &extra, const std::function<void()> &cut,
                         const std::string &part, long max_ms,
                         const std::function<void()> &repair = {}) {
        auto s = Session::open(remote_uri(extra, 2222));
        auto sp = spec({"/bin/sleep", "1000"});
        auto c = s.create(sp);
        StartOptions o;
        o.stdio = {-1, -1, -1};
        o.detach = true;
        pid_ = c.start(o);
        auto waiter = std::async(std::launch::async, [&] {
            try {
                c.wait();
                return std::string("wait returned");
            } catch (const Error &e) {
                return std::string(errc_name(e.code())) + ": " + e.what();
            }
        });
        std::this_thread::sleep_for(200ms);
        ASSERT_EQ(waiter.wait_for(0ms), std::future_status::timeout) << waiter.get();
        auto t0 = std::chrono::steady_clock::now();
        cut();
        ASSERT_EQ(waiter.wait_for(std::chrono::milliseconds(max_ms)), std::future_status::ready)
            << "the wait hangs after the cut";
        std::string r = waiter.get();
        EXPECT_TRUE(r.rfind("transport: ", 0) == 0) << r;
        RecordProperty("error", r);
        EXPECT_TRUE(contains(r, part)) << r;
        auto took = std::chrono::steady_clock::now() - t0;
        EXPECT_LT(took, std::chrono::milliseconds(max_ms));
        RecordProperty(
            "reported_after_ms",
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
        // Later calls on the broken session fail at once, the same way.
        try {
            s.list();
            ADD_FAILURE() << "list on a broken session succeeded";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::transport) << e.what();
        }
        if (repair) repair();
        // The container lives on; a new session (through a new sshd if needed) finds it.
        EXPECT_EQ(::kill(static_cast<pid_t>(pid_), 0), 0) << "the far container died";
        if (!sshd_->running())
            sshd_ = std::make_unique<Sshd>(*env()->host, *env()->keys, 2222, temp("sshd2"));
        auto again = Session::open(remote_uri("", 2222));
        auto c2 = again.get(sp.name);
        EXPECT_EQ(c2.state(), State::running);
        EXPECT_EQ(c2.info().pid, pid_);
        c2.kill(SIGKILL);
        auto st = c2.wait(10s);
        EXPECT_TRUE(st.signaled);
        EXPECT_EQ(st.code, SIGKILL);
        c2.destroy();
    }

    std::unique_ptr<Sshd> sshd_;
    int64_t pid_ = 0;
};

TEST_F(MidCall, SshdKilled) {
    cut_during_wait(
        "", [&] { sshd_->kill_all(); }, "lost the connection to ct-agent", 5000);
}

TEST_F(MidCall, AgentKilled) {
    cut_during_wait(
        "",
        [&] {
            auto agents = sshd_->processes_of(env()->agent);
            ASSERT_EQ(agents.size(), 1u);
            ::kill(agents[0], SIGKILL);
        },
        "ct-agent was killed on the far side, or the connection was cut", 5000);
}

// The documented bound for a silent cut: 3 x keepalive after the last word from the far side
// (which came before the cut), plus scheduling slack on a loaded machine. Our keepalive, not
// ssh's (ServerAliveInterval, which notices only after a 4th interval), gives the verdict.
constexpr long kSilentCutBoundMs = 3 * 1000 + 700;  // keepalive=1

TEST_F(MidCall, LinkCutSilently) {
    // No FIN, no RST: only the keepalive can tell.
    cut_during_wait(
        "keepalive=1", [&] { env()->host->set_link(false); }, "no answer for 3 s (keepalive 1 s)",
        kSilentCutBoundMs, [&] { env()->host->set_link(true); });
}

TEST_F(MidCall, FarSideStopsAnswering) {
    // sshd stopped (SIGSTOP): the connection stays up and the kernel still acknowledges, but
    // nothing answers; the agent behind it stays (it ends on its own keepalive).
    std::vector<pid_t> stopped;
    cut_during_wait(
        "keepalive=1",
        [&] {
            stopped = sshd_->sshd_processes();
            for (pid_t p : stopped) ::kill(p, SIGSTOP);
        },
        "no answer for 3 s (keepalive 1 s)", kSilentCutBoundMs,
        [&] {
            for (pid_t p : stopped) ::kill(p, SIGCONT);
        });
}

}  // namespace
}  // namespace ct::test::remote
