#include "cgroups/freezer.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <thread>

namespace ct::linux_native {
namespace {

constexpr auto kFreezeTimeout = std::chrono::seconds(10);

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

Freezer::Freezer(const ContainerCgroups::Paths &paths) {
    if (auto it = paths.find("unified");
        it != paths.end() && ::access((it->second + "/cgroup.freeze").c_str(), F_OK) == 0)
        v2_dir_ = it->second;
    if (auto it = paths.find("freezer"); it != paths.end()) v1_dir_ = it->second;
    paths_empty_ = paths.empty();
}

const char *Freezer::mechanism() const {
    if (!v2_dir_.empty()) return "cgroup.freeze";
    if (!v1_dir_.empty()) return "freezer.state";
    return "";
}

void Freezer::freeze() const {
    auto deadline = std::chrono::steady_clock::now() + kFreezeTimeout;
    std::string file = v2_dir_.empty() ? v1_dir_ + "/freezer.state" : v2_dir_ + "/cgroup.freeze";
    if (v2_dir_.empty() && v1_dir_.empty())
        throw Error(Errc::unsupported,
                    paths_empty_ ? "the container has no cgroup to freeze (its creator could not "
                                   "make one: cgroups need root or a delegated cgroup)"
                                 : "this host has neither cgroup.freeze (cgroup2) nor "
                                   "the v1 freezer controller");
    // cgroup2 signals every change of cgroup.events to poll(POLLPRI): opened before the write,
    // so the change to "frozen 1" cannot be missed.
    Fd events;
    if (!v2_dir_.empty())
        events.reset(::open((v2_dir_ + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC));
    if (!write_file(file, v2_dir_.empty() ? "FROZEN" : "1")) throw_sys("write " + file, errno);
    // Freezing is asynchronous: a task in an uninterruptible sleep freezes when it wakes up.
    for (int i = 0;; ++i) {
        if (frozen()) return;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) break;
        if (events) {
            // Reading the file from the start re-arms the notification.
            char buf[256];
            ssize_t n = ::pread(events.get(), buf, sizeof buf - 1, 0);
            if (n > 0 && std::string_view(buf, static_cast<size_t>(n)).find("frozen 1") !=
                             std::string_view::npos)
                return;
            struct pollfd p {
                events.get(), POLLPRI, 0
            };
            ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
            continue;
        }
        // v1 may stay in FREEZING if a task was missed: asking again retries it.
        if (i % 10 == 9) write_file(file, "FROZEN");
        std::this_thread::sleep_for(std::chrono::microseconds(i < 10 ? 100 : 10000));
    }
    thaw();
    throw Error(Errc::backend,
                "its processes did not freeze within 10 s (" + file + "); it was thawed again");
}

void Freezer::thaw() const {
    if (!v2_dir_.empty()) {
        if (!write_file(v2_dir_ + "/cgroup.freeze", "0") && errno != ENOENT)
            throw_sys("thaw " + v2_dir_, errno);
    } else if (!v1_dir_.empty()) {
        if (!write_file(v1_dir_ + "/freezer.state", "THAWED") && errno != ENOENT)
            throw_sys("thaw " + v1_dir_, errno);
    }
}

bool Freezer::asked() const {
    std::string text;
    if (!v2_dir_.empty())
        return read_file(v2_dir_ + "/cgroup.freeze", text) && trimmed(text) == "1";
    return !v1_dir_.empty() && read_file(v1_dir_ + "/freezer.state", text) &&
           trimmed(text) != "THAWED";
}

bool Freezer::frozen() const {
    std::string text;
    if (!v2_dir_.empty()) {
        // "frozen 1" once every task is; cgroup.freeze only says what was asked.
        return read_file(v2_dir_ + "/cgroup.events", text) &&
               text.find("frozen 1") != std::string::npos;
    }
    return !v1_dir_.empty() && read_file(v1_dir_ + "/freezer.state", text) &&
           trimmed(text) == "FROZEN";
}

}  // namespace ct::linux_native
