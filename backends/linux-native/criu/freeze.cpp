#include "freeze.hpp"

#include <cerrno>
#include <chrono>
#include <thread>

#include "sys.hpp"

namespace ct::linux_native::criu {

CgroupFreezer::CgroupFreezer(const ContainerCgroups::Paths &paths) {
    if (auto it = paths.find("unified"); it != paths.end()) {
        path_ = it->second;
        v2_ = true;
    } else if (auto f = paths.find("freezer"); f != paths.end()) {
        path_ = f->second;
    }
}

bool CgroupFreezer::frozen() const {
    std::string s;
    if (v2_)
        return read_file(path_ + "/cgroup.events", s) && s.find("frozen 1") != std::string::npos;
    return read_file(path_ + "/freezer.state", s) && s.rfind("FROZEN", 0) == 0;
}

void CgroupFreezer::freeze() {
    if (empty()) return;
    was_frozen_ = frozen();
    if (was_frozen_) return;
    const std::string file = path_ + (v2_ ? "/cgroup.freeze" : "/freezer.state");
    if (!write_file(file, v2_ ? "1" : "FROZEN"))
        throw_sys("freeze the container (" + file + ")", errno);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto pause = std::chrono::microseconds(100);
    while (!frozen()) {
        if (std::chrono::steady_clock::now() > deadline) {
            thaw();
            throw Error(Errc::backend,
                        "the container's tasks did not freeze within 10 s (" + path_ + ")");
        }
        // v1 may get stuck FREEZING on a task in an uninterruptible sleep: asking again helps.
        if (!v2_) write_file(file, "FROZEN");
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(10000));
    }
}

bool CgroupFreezer::thaw(bool always) {
    if (empty() || (was_frozen_ && !always)) return true;
    return write_file(path_ + (v2_ ? "/cgroup.freeze" : "/freezer.state"), v2_ ? "0" : "THAWED");
}

}  // namespace ct::linux_native::criu
