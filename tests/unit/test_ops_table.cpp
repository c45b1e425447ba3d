// The operation list of ct/driver.h is the one description of the operations: the table's
// slots, their order, what the agent forwards as plain values and what only reads.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ct/backend/session_ops.hpp"
#include "ct/internal/ops.hpp"

namespace ct {
namespace {

TEST(OpsTable, SlotsFollowTheListInAbiOrderWithNothingBetween) {
    size_t prev = 0;
    for (const auto &s : ops::kSlots) {
        EXPECT_GT(s.offset, prev) << s.name << " is not after the slot before it";
        if (prev) {
            EXPECT_EQ(s.offset, prev + sizeof(void *)) << s.name;
        }
        prev = s.offset;
    }
    // ABI 1.0 ends with remove_files; the struct ends with the last slot of the list.
    EXPECT_EQ(ops::find("remove_files")->offset + sizeof(void *), CT_BACKEND_MIN_SIZE_1_0);
    EXPECT_EQ(prev + sizeof(void *), sizeof(ct_backend));
    EXPECT_EQ(ops::find("migrate")->offset,
              offsetof(ct_backend, ops) + offsetof(ct_backend_ops, migrate));
    EXPECT_EQ(ops::find("nothing"), nullptr);
}

TEST(OpsTable, OnlyTheReadingOperationsAreMarkedSo) {
    std::set<std::string> reads;
    for (const auto &s : ops::kSlots)
        if (!s.writes) reads.insert(s.name);
    EXPECT_EQ(reads, (std::set<std::string>{"open", "close", "list", "info", "wait", "stats",
                                            "processes", "get_files", "cgroup_read"}));
}

// A session object with some operations: the shared trampolines fill exactly those slots.
struct Impl {
    std::string created;
    void create(const std::string &doc) { created = doc; }
    std::string info(const std::string &name) { return "{\"name\":\"" + name + "\"}"; }
    int wait(const std::string &, int64_t pid, int64_t) {
        if (pid == 7) throw Error(Errc::timeout, "still running");
        return 3 << 8;
    }
};

}  // namespace
}  // namespace ct

struct ct_session {
    ct::Impl impl;
};

namespace ct {
namespace {

TEST(OpsTable, TrampolinesFillTheSlotsTheSessionHas) {
    ct_backend_ops o{};
    backend::set_session_ops<ct_session>(o);
    EXPECT_NE(o.create, nullptr);
    EXPECT_NE(o.info, nullptr);
    EXPECT_NE(o.wait, nullptr);
    EXPECT_NE(o.close, nullptr);
    EXPECT_EQ(o.start, nullptr);
    EXPECT_EQ(o.migrate, nullptr);
    EXPECT_EQ(o.put_files, nullptr);
    ct_session s;
    struct Out : ct_out {
        std::string data;
        Out() {
            put = [](ct_out *self, const char *d, size_t n) {
                static_cast<Out *>(self)->data.append(d, n);
            };
            set_errno = nullptr;
        }
    } doc, err;
    EXPECT_EQ(o.create(&s, "{}", &err), CT_OK);
    EXPECT_EQ(s.impl.created, "{}");
    EXPECT_EQ(o.info(&s, "web1", &doc, &err), CT_OK);
    EXPECT_EQ(doc.data, "{\"name\":\"web1\"}");
    int ws = 0;
    EXPECT_EQ(o.wait(&s, "web1", 1, -1, &ws, &err), CT_OK);
    EXPECT_EQ(ws, 3 << 8);
    EXPECT_EQ(o.wait(&s, "web1", 7, -1, &ws, &err), CT_ERR_TIMEOUT);
    EXPECT_NE(err.data.find("still running"), std::string::npos) << err.data;
}

}  // namespace
}  // namespace ct
