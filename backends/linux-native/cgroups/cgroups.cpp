#include "cgroups/cgroups.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <sstream>
#include <thread>

namespace ct::linux_native {
namespace {

// v1 cpuset directories start with empty cpus/mems, and a task cannot join such a cgroup:
// copy the parent's values into a fresh directory.
void seed_cpuset(const std::string &dir) {
    auto parent = dir.substr(0, dir.rfind('/'));
    for (const char *knob : {"cpuset.cpus", "cpuset.mems"}) {
        std::string cur, val;
        if (read_file(dir + "/" + knob, cur) && cur.find_first_not_of(" \n") != std::string::npos)
            continue;
        if (!read_file(parent + "/" + knob, val) || !write_file(dir + "/" + knob, val))
            throw_sys("seed " + dir + "/" + knob + " from its parent", errno);
    }
}

// mkdir -p, remembering what was made so a failure can undo it.
void make_dirs(const std::string &path, const std::string &root, bool cpuset,
               std::vector<std::string> &made) {
    std::string cur = root;
    std::istringstream rest(path.substr(root.size()));
    std::string comp;
    while (std::getline(rest, comp, '/')) {
        if (comp.empty()) continue;
        cur += "/" + comp;
        if (::mkdir(cur.c_str(), 0755) == 0) {
            made.push_back(cur);
            if (cpuset) seed_cpuset(cur);
        } else if (errno == EEXIST && cur == path) {
            // The state store gave the name to this create: the cgroup is nobody's record.
            throw Error(Errc::exists,
                        "create cgroup " + cur +
                            ": it exists already, with no container of this state root "
                            "behind it: left by one whose state directory was removed by hand "
                            "(destroy --force of the name removes it), or another state root's "
                            "container with the same cgroup_parent",
                        EEXIST);
        } else if (errno != EEXIST) {
            throw_sys("create cgroup " + cur, errno);
        }
    }
}

}  // namespace

void ContainerCgroups::create() const {
    std::vector<std::string> &made = made_;
    made.clear();
    try {
        for (const auto &key : order_) {
            make_dirs(paths_.at(key), roots_.at(key), key == "cpuset", made);
        }
    } catch (...) {
        for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
        throw;
    }
}

std::string ContainerCgroups::remove() const {
    std::string errors;
    for (const auto &[key, path] : paths_) {
        // A cgroup stays busy for a moment after its last task exits (the kernel is still
        // tearing it down): retry for up to ~2 s.
        for (int attempt = 0;; ++attempt) {
            if (::rmdir(path.c_str()) == 0 || errno == ENOENT) break;
            if (errno != EBUSY || attempt >= 400) {
                errors += (errors.empty() ? "" : "; ") + path + ": " + errstr(errno);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 20 ? 1 : 5));
        }
    }
    // Parents this object's create() made (e.g. the session's parent in a hierarchy no other
    // container used yet) go too when nothing else has moved in; a shared one stays (EBUSY).
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) ::rmdir(it->c_str());
    made_.clear();
    return errors;
}

std::vector<Fd> ContainerCgroups::open_join_files(bool include_v2) const {
    std::vector<Fd> fds;
    std::vector<std::string> seen;
    for (const auto &[key, path] : paths_) {
        if (key == "unified" && !include_v2) continue;
        if (std::find(seen.begin(), seen.end(), path) != seen.end()) continue;
        seen.push_back(path);
        // v1 "tasks", not "cgroup.procs": a write of "0" there moves only the writing thread,
        // which the kernel does without the global threadgroup lock, and the writer is
        // single-threaded. "cgroup.procs" takes that lock, whose first taker after a quiet
        // spell waits a whole RCU grace period: ~7 ms of every one-shot `ct run` here.
        Fd fd(::open((path + "/tasks").c_str(), O_WRONLY | O_CLOEXEC));
        const char *file = "tasks";
        if (!fd && errno == ENOENT) {  // cgroup2 has no "tasks"
            file = "cgroup.procs";
            fd.reset(::open((path + "/" + file).c_str(), O_WRONLY | O_CLOEXEC));
        }
        if (!fd) throw_sys("open " + path + "/" + file, errno);
        fds.push_back(std::move(fd));
    }
    return fds;
}

Fd ContainerCgroups::open_v2_dir() const {
    auto it = paths_.find("unified");
    if (it == paths_.end()) return Fd();
    Fd fd(::open(it->second.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw_sys("open cgroup " + it->second, errno);
    return fd;
}

std::string ContainerCgroups::tracking_dir() const {
    for (const char *k : {"unified", "pids", "memory", "freezer", "cpu"})
        if (auto it = paths_.find(k); it != paths_.end()) return it->second;
    return paths_.empty() ? std::string() : paths_.begin()->second;
}

std::vector<long> ContainerCgroups::pids() const {
    std::vector<long> out;
    std::string text;
    auto dir = tracking_dir();
    if (dir.empty() || !read_file(dir + "/cgroup.procs", text)) return out;
    std::istringstream in(text);
    long pid;
    while (in >> pid) out.push_back(pid);
    return out;
}

void ContainerCgroups::kill_all(int sig, bool removing) const {
    if (auto it = paths_.find("unified"); it != paths_.end() && sig == SIGKILL && removing)
        if (write_file(it->second + "/cgroup.kill", "1")) return;
    // Without cgroup.kill a forking process could escape one pass: repeat until a pass finds
    // nobody new (bounded; the pids limit bounds forks too).
    for (int pass = 0; pass < 100; ++pass) {
        auto list = pids();
        if (list.empty()) return;
        for (long p : list) ::kill(static_cast<pid_t>(p), sig);
        if (sig != SIGKILL) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

bool ContainerCgroups::empty() const {
    if (auto it = paths_.find("unified"); it != paths_.end()) {
        std::string ev;
        if (read_file(it->second + "/cgroup.events", ev))
            return ev.find("populated 0") != std::string::npos;
    }
    return pids().empty();
}

}  // namespace ct::linux_native
