// Migrations between this host and the remote one whose link dies mid-transfer: the error
// comes within the keepalive bound (3 x keepalive), the source is thawed by then (by the far
// agent, when the source is there) and loses nothing, and no partial image stays on either
// side, neither when the far agent notices the cut and cleans up itself nor when it was
// killed (the next migration sweeps what it left).
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <thread>

#include "../integration/criu_fixture.hpp"
#include "remote_test.hpp"

namespace fs = std::filesystem;

namespace ct::test::remote {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr long kKeepaliveMs = 1000;  // keepalive=1 below
constexpr long kSlackMs = 700;       // scheduling on a loaded 2-core machine

bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

long ms_since(Clock::time_point t) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// The destination's image directories of `name` under /var/tmp (without their leases).
std::vector<std::string> partial_images(const std::string &name) {
    std::vector<std::string> out;
    for (const auto &e : migration_leftovers(name))
        if (contains(e, ".in.") && !contains(e, ".lease")) out.push_back(e);
    return out;
}

class MigrateFaults : public RemoteTest {
  protected:
    void SetUp() override {
        RemoteTest::SetUp();
        if (IsSkipped()) return;
        CT_SKIP_WITHOUT_CRIU();
        here_root_ = state_root_ + "-here";
        here_parent_ = cgroup_parent_ + "-here";
        far_root_ = state_root_ + "-far";
        far_parent_ = cgroup_parent_ + "-far";
        sshd_ = std::make_unique<Sshd>(*env()->host, *env()->keys, 2222, temp("sshd"));
    }

    void TearDown() override {
        set_progress_handler(nullptr);
        if (!here_root_.empty()) {
            // The far host is this machine: its state is reachable without the link.
            for (const auto &u : {here_uri(), far_local_uri()}) {
                auto s = Session::open(u);
                for (const auto &i : s.list()) s.get(i.name).destroy(true);
            }
            sshd_.reset();
            std::error_code ec;
            fs::remove(here_root_, ec);
            fs::remove(far_root_, ec);
            for (const auto &parent : {here_parent_, far_parent_})
                for (const auto &h : cgroup_hierarchies()) {
                    std::string d = "/sys/fs/cgroup/" + h + "/" + parent;
                    if (fs::exists(d)) {
                        EXPECT_EQ(::rmdir(d.c_str()), 0) << "cgroups left in " << d;
                    }
                }
        }
        RemoteTest::TearDown();
    }

    std::string here_uri() const {
        return "linux:///?root=" + here_root_ + "&cgroup_parent=" + here_parent_;
    }
    std::string far_opts() const { return "root=" + far_root_ + "&cgroup_parent=" + far_parent_; }
    std::string there_uri() const { return env()->uri(far_opts() + "&keepalive=1", 2222); }
    std::string far_local_uri() const { return "linux:///?" + far_opts(); }

    // A counter (criu_fixture.hpp) holding 16 MiB of its own memory, so that its images take
    // many progress reports to cross.
    Container start_counter(Session &s, const std::string &rootfs) {
        Spec sp = counter_spec(spec({}), rootfs);
        sp.process.args[2] =
            "x=a; n=0; while [ $n -lt 24 ]; do x=$x$x; n=$((n+1)); done; " + sp.process.args[2];
        auto c = s.create(sp);
        StartOptions o;
        o.stdio = {-1, -1, -1};
        o.detach = true;
        c.start(o);
        EXPECT_GE(wait_counter(rootfs, 3, 20s), 3) << "the counter does not count";
        return c;
    }

    // Migrates `c` there, running `cut` (once) at the first progress report in the middle of
    // the transfer, after the far side has begun writing the images. Returns the error (the
    // migration must fail); `cut_at` is when the cut was made.
    Error migrate_with_cut(Container &c, const std::function<void()> &cut,
                           const std::string &to = "") {
        bool done = false;
        saw_partial_ = false;
        set_progress_handler([&](const std::string &what, uint64_t d, uint64_t total) {
            if (done || !contains(what, ": transfer") || d == 0 || d >= total) return;
            done = true;
            for (int i = 0; i < 500 && partial_images(c.name()).empty(); ++i)
                std::this_thread::sleep_for(10ms);
            saw_partial_ = !partial_images(c.name()).empty();
            cut();
            cut_at_ = Clock::now();
        });
        std::optional<Error> err;
        try {
            c.migrate(to.empty() ? there_uri() : to);
        } catch (const Error &e) {
            err = e;
        }
        set_progress_handler(nullptr);
        EXPECT_TRUE(done) << "no progress report in the middle of the transfer";
        if (!err) {
            ADD_FAILURE() << "the migration succeeded despite the cut";
            return Error(Errc::backend, "no error");
        }
        return *err;
    }

    // The source runs and counts on from where it was (nothing lost to the freeze).
    void expect_source_counts_on(Container &c, const std::string &rootfs, long before) {
        EXPECT_EQ(c.state(), State::running) << "the source is not thawed";
        long now = read_counter(rootfs);
        EXPECT_GE(now, before) << "the counter went back: the source lost its state";
        EXPECT_GE(wait_counter(rootfs, now + 3), now + 3) << "the source does not count any more";
    }

    std::string here_root_, here_parent_, far_root_, far_parent_;
    std::unique_ptr<Sshd> sshd_;
    bool saw_partial_ = false;
    Clock::time_point cut_at_;
};

TEST_F(MigrateFaults, TargetStopsAnsweringMidTransfer) {
    // Every sshd process of the target stopped: the TCP connection stays up (the kernel still
    // acknowledges), but nothing answers, as with a link silently cut. Only keepalives tell.
    std::string rootfs = private_rootfs("stop");
    temp_dirs_.push_back(rootfs);
    auto here = Session::open(here_uri());
    auto c = start_counter(here, rootfs);
    long before = read_counter(rootfs);
    std::vector<pid_t> stopped;
    Error e = migrate_with_cut(c, [&] {
        stopped = sshd_->sshd_processes();
        for (pid_t p : stopped) ::kill(p, SIGSTOP);
    });
    long reported = ms_since(cut_at_);
    EXPECT_TRUE(saw_partial_) << "the far side had not begun writing the images at the cut";
    EXPECT_EQ(e.code(), Errc::transport) << e.what();
    EXPECT_TRUE(contains(e.what(), "no answer for 3 s (keepalive 1 s)")) << e.what();
    // 3 x keepalive after the last word from the far side, which came before the cut.
    EXPECT_LE(reported, 3 * kKeepaliveMs + kSlackMs) << e.what();
    RecordProperty("reported_after_ms", std::to_string(reported));
    expect_source_counts_on(c, rootfs, before);

    // The far agent noticed too (3 x keepalive without a word) and removed what it had written.
    while (!migration_leftovers(c.name()).empty() && ms_since(cut_at_) < 3 * kKeepaliveMs + 3000)
        std::this_thread::sleep_for(20ms);
    long cleaned = ms_since(cut_at_);
    EXPECT_TRUE(migration_leftovers(c.name()).empty())
        << ::testing::PrintToString(migration_leftovers(c.name()));
    RecordProperty("far_cleaned_after_ms", std::to_string(cleaned));
    EXPECT_TRUE(sshd_->processes_of(env()->agent).empty()) << "the far agent is still running";
    EXPECT_TRUE(Session::open(far_local_uri()).list().empty()) << "a container was left there";
    for (pid_t p : stopped) ::kill(p, SIGCONT);
    c.destroy(true);
}

TEST_F(MigrateFaults, SourceStopsAnsweringMidTransfer) {
    // The source is the far host: the caller cannot thaw it over a dead link, its agent does.
    std::string rootfs = private_rootfs("src");
    temp_dirs_.push_back(rootfs);
    auto far = Session::open(there_uri());
    auto c = start_counter(far, rootfs);
    long before = read_counter(rootfs);
    std::vector<pid_t> stopped;
    Error e = migrate_with_cut(
        c,
        [&] {
            stopped = sshd_->sshd_processes();
            for (pid_t p : stopped) ::kill(p, SIGSTOP);
        },
        here_uri());
    EXPECT_LE(ms_since(cut_at_), 3 * kKeepaliveMs + kSlackMs) << e.what();
    EXPECT_EQ(e.code(), Errc::transport) << e.what();
    EXPECT_TRUE(contains(e.what(), "no answer for 3 s (keepalive 1 s)")) << e.what();
    EXPECT_TRUE(Session::open(here_uri()).list().empty()) << "a container was left here";

    // The far agent gives up on its client at the same bound and thaws the container it froze.
    auto there = Session::open(far_local_uri());
    State st = there.get(c.name()).state();
    while (st != State::running && ms_since(cut_at_) < 3 * kKeepaliveMs + 3000) {
        std::this_thread::sleep_for(20ms);
        st = there.get(c.name()).state();
    }
    RecordProperty("thawed_after_ms", std::to_string(ms_since(cut_at_)));
    EXPECT_EQ(st, State::running) << "the source is still frozen";
    EXPECT_LE(ms_since(cut_at_), 3 * kKeepaliveMs + 1000 + kSlackMs);
    long now = read_counter(rootfs);
    EXPECT_GE(now, before) << "the counter went back: the source lost its state";
    EXPECT_GE(wait_counter(rootfs, now + 3), now + 3) << "the source does not count any more";
    // Its images, and the partial copy here, are gone.
    while (!migration_leftovers(c.name()).empty() && ms_since(cut_at_) < 3 * kKeepaliveMs + 3000)
        std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(migration_leftovers(c.name()).empty())
        << ::testing::PrintToString(migration_leftovers(c.name()));
    for (pid_t p : stopped) ::kill(p, SIGCONT);
}

TEST_F(MigrateFaults, AgentKilledMidTransferIsSweptByTheNextMigration) {
    std::string rootfs = private_rootfs("kill");
    temp_dirs_.push_back(rootfs);
    auto here = Session::open(here_uri());
    auto c = start_counter(here, rootfs);
    long before = read_counter(rootfs);
    Error e = migrate_with_cut(c, [&] {
        for (pid_t p : sshd_->processes_of(env()->agent)) ::kill(p, SIGKILL);
    });
    EXPECT_EQ(e.code(), Errc::transport) << e.what();
    EXPECT_LE(ms_since(cut_at_), kSlackMs + 2000) << e.what();  // EOF: no keepalive needed
    expect_source_counts_on(c, rootfs, before);
    // A killed agent removes nothing: the partial image stays, its lease held by nobody.
    ASSERT_TRUE(saw_partial_);
    auto stale = partial_images(c.name());
    ASSERT_EQ(stale.size(), 1u) << ::testing::PrintToString(migration_leftovers(c.name()));
    EXPECT_TRUE(fs::exists("/var/tmp/" + stale[0] + ".lease"));

    // The next migration to that host sweeps it, and succeeds.
    before = read_counter(rootfs);
    auto moved = c.migrate(there_uri());
    EXPECT_FALSE(fs::exists("/var/tmp/" + stale[0])) << "the stale partial image is still there";
    EXPECT_TRUE(migration_leftovers(c.name()).empty())
        << ::testing::PrintToString(migration_leftovers(c.name()));
    EXPECT_EQ(moved.state(), State::running);
    EXPECT_GE(read_counter(rootfs), before);
    EXPECT_GE(wait_counter(rootfs, before + 5), before + 5) << "not counting over there";
    EXPECT_TRUE(here.list().empty()) << "the source is still here";
    moved.destroy(true);
}

}  // namespace
}  // namespace ct::test::remote
