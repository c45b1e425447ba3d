// A multi-threaded caller starts containers whose process changes uid/gid.
//
// Regression: glibc's setuid()/setgid()/setgroups() in a process that has had threads go
// through __nptl_setxid, which takes the thread-list lock and waits for threads being created
// to finish their clone. The container's child is cloned from such a process: if another
// thread held that lock or was inside pthread_create at that moment, the child inherited the
// state and waited forever for a thread that does not exist in it, so start() never returned.
// The child must use raw system calls (backends/linux-native/child.cpp). The tests start
// containers while other threads are busy creating and ending threads, and fail by timeout
// instead of hanging if that regresses.
#include <atomic>
#include <future>
#include <memory>
#include <thread>

#include "fixture.hpp"

namespace ct::test {
namespace {

class Threads : public LinuxTest {};

// Threads that create and end threads in a loop for the whole test: the thread-list lock and
// half-created threads that a cloned child must never wait for.
class ThreadChurn {
  public:
    explicit ThreadChurn(int n) {
        for (int i = 0; i < n; ++i)
            threads_.emplace_back([this] {
                while (!stop_) std::thread([] {}).join();
            });
    }
    ~ThreadChurn() {
        stop_ = true;
        for (auto &t : threads_) t.join();
    }

  private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

// Runs `fn` on a thread of its own and gives up after `limit` (the thread is then detached:
// a hung start cannot be cancelled, but the test fails instead of hanging).
template <class F>
bool finishes_within(std::chrono::seconds limit, F fn) {
    auto task = std::make_shared<std::packaged_task<void()>>(std::move(fn));
    auto done = task->get_future();
    std::thread([task] { (*task)(); }).detach();
    if (done.wait_for(limit) != std::future_status::ready) return false;
    done.get();
    return true;
}

Spec as_user(Spec s, uint32_t uid, uint32_t gid, std::vector<uint32_t> groups) {
    s.process.user = {uid, gid, std::move(groups)};
    return s;
}

TEST_F(Threads, StartAsOtherUserWhileThreadsComeAndGo) {
    constexpr int kRuns = 40;
    std::string out, expect;
    for (int i = 0; i < kRuns; ++i) expect += "1000:1001:1001 27 100\n";
    bool finished = finishes_within(std::chrono::seconds(60), [&] {
        ThreadChurn churn(2);
        for (int i = 0; i < kRuns; ++i) {
            auto r = run(as_user(spec({"/bin/sh", "-c", "echo $(id -u):$(id -g):$(id -G)"}), 1000,
                                 1001, {27, 100}));
            out += r.out;
            if (r.status != ExitStatus{false, 0}) out += "exit " + std::to_string(r.status.code);
        }
    });
    ASSERT_TRUE(finished) << "starting containers as uid 1000 hangs (setxid in the child?)";
    EXPECT_EQ(out, expect);
}

TEST_F(Threads, ConcurrentStartsFromManyThreads) {
    ThreadChurn churn(1);
    constexpr int kThreads = 4, kEach = 3;
    std::atomic<bool> go{false};
    std::vector<std::future<std::string>> results;
    for (int t = 0; t < kThreads; ++t)
        results.push_back(std::async(std::launch::async, [&, t] {
            while (!go) std::this_thread::yield();
            std::string got;
            for (int i = 0; i < kEach; ++i) {
                uint32_t uid = 2000 + t * 10 + i;
                auto res = run(
                    as_user(spec({"/bin/sh", "-c", "echo $(id -u):$(id -g)"}), uid, uid + 1, {}));
                got += res.out;
                if (res.status != ExitStatus{false, 0}) got += "status!=0:" + res.err;
            }
            return got;
        }));
    go = true;
    for (int t = 0; t < kThreads; ++t) {
        ASSERT_EQ(results[t].wait_for(std::chrono::seconds(60)), std::future_status::ready)
            << "thread " << t << " hangs starting a container (setxid deadlock?)";
        std::string expect;
        for (int i = 0; i < kEach; ++i) {
            uint32_t uid = 2000 + t * 10 + i;
            expect += std::to_string(uid) + ":" + std::to_string(uid + 1) + "\n";
        }
        EXPECT_EQ(results[t].get(), expect) << "thread " << t;
    }
}

// Containers with a veth started at once from several threads: each start has its own
// network thread beside its launch, and each child must get its own namespace and interface.
TEST_F(Threads, ConcurrentVethStartsFromManyThreads) {
    constexpr int kThreads = 4, kEach = 3;
    std::atomic<bool> go{false};
    std::vector<std::future<std::string>> results;
    auto addr = [](int t, int i) {
        return "10.249." + std::to_string(t) + "." + std::to_string(i + 2);
    };
    for (int t = 0; t < kThreads; ++t)
        results.push_back(std::async(std::launch::async, [&, t] {
            while (!go) std::this_thread::yield();
            std::string got;
            for (int i = 0; i < kEach; ++i) {
                auto s = spec({"/bin/sh", "-c",
                               "ip -4 -o addr show eth0 | awk '{print $4}'; ls /sys/class/net | "
                               "tr '\\n' ' '"});
                NetInterfaceSpec n;
                n.type = "veth";
                n.name = "eth0";
                n.host_name = "t" + std::to_string(getpid() % 100000) + "-" + std::to_string(t) +
                              std::to_string(i);
                n.addresses = {addr(t, i) + "/24"};
                s.network = {n};
                auto res = run(s);
                got += res.out + "\n";
                if (res.status != ExitStatus{false, 0}) got += "status!=0:" + res.err;
            }
            return got;
        }));
    go = true;
    for (int t = 0; t < kThreads; ++t) {
        ASSERT_EQ(results[t].wait_for(std::chrono::seconds(60)), std::future_status::ready)
            << "thread " << t << " hangs starting a container";
        std::string expect;
        for (int i = 0; i < kEach; ++i) expect += addr(t, i) + "/24\neth0 lo \n";
        EXPECT_EQ(results[t].get(), expect) << "thread " << t;
    }
}

}  // namespace
}  // namespace ct::test
