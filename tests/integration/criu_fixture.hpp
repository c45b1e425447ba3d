// What the checkpoint and migration tests share: a counter container and a probe that CRIU
// can do a real dump/restore round trip on this host (else the tests skip, quoting why).
#pragma once

#include <chrono>
#include <string>

#include "fixture.hpp"

namespace ct::test {

// "" when a container could be checkpointed and restored on this host, else why not (with the
// tail of CRIU's log). Runs the round trip once per process.
const std::string &criu_unavailable(Session &s, const std::string &tag);

// A spec whose init counts up every 100 ms into /count in `rootfs` (written whole: a reader
// never sees a half-written number).
Spec counter_spec(Spec base, const std::string &rootfs);

// The counter's current value; -1 if none yet.
long read_counter(const std::string &rootfs);

// Waits (up to `timeout`) until the counter reaches at least `value`; returns the value seen.
long wait_counter(const std::string &rootfs, long value,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A fresh temporary directory (removed by the fixture through temp_dirs).
std::string temp_dir(std::vector<std::string> &temp_dirs, const std::string &tag);

// Directories under /var/tmp left by a migration of `name`.
std::vector<std::string> migration_leftovers(const std::string &name);

}  // namespace ct::test

#define CT_SKIP_WITHOUT_CRIU()                                                      \
    do {                                                                            \
        const std::string &why_ = ::ct::test::criu_unavailable(session(), "probe"); \
        if (!why_.empty()) GTEST_SKIP() << "CRIU cannot checkpoint here: " << why_; \
    } while (0)

namespace ct::test {

// Checkpoint tests: skipped where CRIU cannot do a round trip; helpers for detached containers.
class CheckpointTest : public LinuxTest {
  protected:
    void SetUp() override {
        LinuxTest::SetUp();
        if (IsSkipped()) return;
        CT_SKIP_WITHOUT_CRIU();
    }

    // `s` created and started detached, as `ct start` does (stdio /dev/null).
    Container start_detached(const Spec &s) {
        auto c = session().create(s);
        StartOptions o;
        o.stdio = {-1, -1, -1};
        o.detach = true;
        c.start(o);
        return c;
    }

    // A detached counter.
    Container start_counter(const std::string &tag, std::string *rootfs_out) {
        std::string rootfs = private_rootfs(tag);
        temp_dirs_.push_back(rootfs);
        auto c = start_detached(counter_spec(spec({}), rootfs));
        EXPECT_GE(wait_counter(rootfs, 3), 3) << "the counter does not count";
        *rootfs_out = rootfs;
        return c;
    }

    // The container `name` restored from `dir` with stdio /dev/null.
    Container restore_quiet(const std::string &name, const std::string &dir) {
        RestoreOptions r;
        r.dir = dir;
        r.stdio = {-1, -1, -1};
        return session().restore(name, r);
    }

    std::string images(const std::string &tag) { return temp_dir(temp_dirs_, tag) + "/images"; }
};

}  // namespace ct::test
