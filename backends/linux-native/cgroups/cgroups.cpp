#include "cgroups/cgroups.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <sstream>
#include <thread>

#include "sys.hpp"

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
        } else if (errno != EEXIST || cur == path) {
            throw_sys("create cgroup " + cur, errno,
                      errno == EEXIST ? Errc::exists : Errc::backend);
        }
    }
}

struct Knob {
    const char *field;  // spec field, for messages
    std::string file;
    std::string value;
};

void write_knobs(const std::string &dir, const std::vector<Knob> &knobs) {
    for (const auto &k : knobs) {
        std::string path = dir + "/" + k.file;
        if (!write_file(path, k.value)) {
            int e = errno;
            if (e == EINVAL || e == ERANGE)
                throw Error(Errc::invalid_spec,
                            std::string(k.field) + ": the kernel rejected '" + k.value + "' for " +
                                path + ": " + errstr(e),
                            e);
            throw_sys(std::string("apply ") + k.field + " (" + path + ")", e);
        }
    }
}

std::string limit(int64_t v, const char *unlimited) {
    return v < 0 ? std::string(unlimited) : std::to_string(v);
}

}  // namespace

ContainerCgroups::ContainerCgroups(const CgroupLayout &l, const std::string &parent,
                                   const std::string &name, const Resources &res,
                                   const std::vector<std::string> &extra, bool every_hierarchy) {
    auto rel = parent.empty() ? "/" + name : "/" + parent + "/" + name;
    auto need = [&](const std::string &ctrl, const char *field) {
        auto w = l.where(ctrl);
        if (w.empty())
            throw Error(Errc::unsupported,
                        std::string(field) + ": this host has no '" + ctrl + "' cgroup controller");
        return w;
    };
    auto add_v1 = [&](const std::string &ctrl) {
        if (paths_.count(ctrl)) return;
        std::string path = l.v1.at(ctrl) + rel;
        bool comounted = false;  // e.g. cpu,cpuacct in one hierarchy: one directory
        for (const auto &[k, p] : paths_) comounted |= p == path;
        paths_[ctrl] = path;
        roots_[ctrl] = l.v1.at(ctrl);
        if (!comounted) order_.push_back(ctrl);
    };
    bool want_cpuset = !res.cpu.cpus.empty() || !res.cpu.mems.empty();
    bool want_cpu = res.cpu.shares || res.cpu.quota_us || res.cpu.period_us;
    // Controllers every container gets (limits, stats, pause), plus the on-demand ones.
    std::vector<std::pair<std::string, const char *>> ctrls = {{"memory", "resources.memory"},
                                                               {"pids", "resources.pids"}};
    if (want_cpu || l.where("cpu") == "v1") ctrls.push_back({"cpu", "resources.cpu"});
    if (want_cpuset) ctrls.push_back({"cpuset", "resources.cpu.cpus"});
    // blkio only for a weight: each v1 directory costs ~0.25 ms of create+destroy on the hot
    // path, and io stats do not need it (v1 blkio only counts throttled devices; stats.cpp
    // falls back to the processes' own counters). update() refuses a weight without it.
    if (res.io_weight) ctrls.push_back({"blkio", "resources.io_weight"});
    bool has_v2_tree = !l.v2_root.empty();
    // The device allow-list (devices.cpp): an eBPF program on the container's cgroup2
    // directory wherever there is a cgroup2 tree — v2 and hybrid hosts alike: the kernel
    // checks it whatever the v1 devices controller says, and it saves a v1 directory on the
    // hot path. The v1 controller only on pure v1 hosts.
    if (l.v1.count("devices") && !has_v2_tree) ctrls.push_back({"devices", "devices"});
    if (!has_v2_tree) {
        // Pure v1: freezer for pause/kill, cpuacct for CPU usage.
        ctrls.push_back({"freezer", "pause"});
        ctrls.push_back({"cpuacct", "stats"});
    }
    bool v2_used = has_v2_tree;
    for (const auto &[ctrl, field] : ctrls) {
        std::string ctrl_v2 = ctrl == "blkio" ? "io" : ctrl;
        if (l.v1.count(ctrl)) {
            add_v1(ctrl);
        } else if (has_v2_tree && l.v2_controllers.count(ctrl_v2)) {
            v2_used = true;
        } else if (ctrl == "memory" || ctrl == "pids" || ctrl == "freezer" || ctrl == "blkio" ||
                   ctrl == "cpuacct" || (ctrl == "cpu" && !want_cpu)) {
            // Default controllers are best effort: a host without one still runs containers,
            // as long as the spec does not ask for its limit.
            bool asked = (ctrl == "memory" && (res.memory || res.memory_swap)) ||
                         (ctrl == "pids" && res.pids) || (ctrl == "blkio" && res.io_weight);
            if (asked) need(ctrl, field);
        } else {
            need(ctrl_v2, field);
        }
    }
    for (const auto &h : extra) {
        std::string v2_name = h == "blkio" ? "io" : h;
        if (l.v1.count(h))
            add_v1(h);
        else if (has_v2_tree && l.v2_controllers.count(v2_name))
            v2_used = true;
        else if (h.rfind("name=", 0) == 0)
            throw Error(Errc::unsupported, "cgroups: the named cgroup hierarchy '" + h +
                                               "' is not mounted on this host");
        else
            need(h, "cgroups");
    }
    if (every_hierarchy)
        for (const auto &[h, mount] : l.v1) add_v1(h);
    if (v2_used) {
        paths_["unified"] = l.v2_root + rel;
        roots_["unified"] = l.v2_root;
        order_.push_back("unified");
    }
}

void ContainerCgroups::create() {
    std::vector<std::string> made;
    try {
        for (const auto &key : order_) {
            make_dirs(paths_.at(key), roots_.at(key), key == "cpuset", made);
        }
    } catch (...) {
        for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
        throw;
    }
}

void ContainerCgroups::apply(const Resources &r) const {
    auto dir = [&](const char *key) -> std::string {
        auto it = paths_.find(key);
        return it == paths_.end() ? std::string() : it->second;
    };
    std::string v2 = dir("unified");
    auto on_v2 = [&](const char *key) { return dir(key).empty() && !v2.empty(); };

    // memory
    if (r.memory || r.memory_swap) {
        if (on_v2("memory")) {
            std::vector<Knob> k;
            if (r.memory) k.push_back({"resources.memory", "memory.max", limit(*r.memory, "max")});
            if (r.memory_swap) {
                int64_t swap = *r.memory_swap < 0 || !r.memory || *r.memory < 0
                                   ? -1
                                   : *r.memory_swap - *r.memory;
                k.push_back({"resources.memory_swap", "memory.swap.max", limit(swap, "max")});
            }
            write_knobs(v2, k);
        } else {
            std::string d = dir("memory");
            std::vector<Knob> k;
            if (r.memory)
                k.push_back({"resources.memory", "memory.limit_in_bytes", limit(*r.memory, "-1")});
            if (r.memory_swap) {
                if (access((d + "/memory.memsw.limit_in_bytes").c_str(), F_OK) != 0)
                    throw Error(Errc::unsupported,
                                "resources.memory_swap: swap accounting is off on this host (" + d +
                                    "/memory.memsw.limit_in_bytes is missing)");
                k.push_back({"resources.memory_swap", "memory.memsw.limit_in_bytes",
                             limit(*r.memory_swap, "-1")});
            }
            write_knobs(d, k);
        }
    }
    if (r.pids)
        write_knobs(on_v2("pids") ? v2 : dir("pids"),
                    {{"resources.pids", "pids.max", limit(*r.pids, "max")}});
    // cpu
    const auto &c = r.cpu;
    if (c.shares || c.quota_us || c.period_us) {
        if (on_v2("cpu")) {
            std::vector<Knob> k;
            if (c.shares)  // the usual v1 -> v2 conversion (2..262144 -> 1..10000)
                k.push_back({"resources.cpu.shares", "cpu.weight",
                             std::to_string(1 + ((*c.shares - 2) * 9999) / 262142)});
            if (c.quota_us || c.period_us)
                k.push_back({"resources.cpu.quota_us", "cpu.max",
                             (c.quota_us ? limit(*c.quota_us, "max") : std::string("max")) + " " +
                                 std::to_string(c.period_us ? *c.period_us : 100000)});
            write_knobs(v2, k);
        } else {
            std::vector<Knob> k;
            if (c.shares)
                k.push_back({"resources.cpu.shares", "cpu.shares", std::to_string(*c.shares)});
            if (c.period_us)
                k.push_back(
                    {"resources.cpu.period_us", "cpu.cfs_period_us", std::to_string(*c.period_us)});
            if (c.quota_us)
                k.push_back(
                    {"resources.cpu.quota_us", "cpu.cfs_quota_us", limit(*c.quota_us, "-1")});
            write_knobs(dir("cpu"), k);
        }
    }
    if (!c.cpus.empty() || !c.mems.empty()) {
        std::string d = on_v2("cpuset") ? v2 : dir("cpuset");
        std::vector<Knob> k;
        if (!c.cpus.empty()) k.push_back({"resources.cpu.cpus", "cpuset.cpus", c.cpus});
        if (!c.mems.empty()) k.push_back({"resources.cpu.mems", "cpuset.mems", c.mems});
        write_knobs(d, k);
    }
    if (r.io_weight) {
        if (on_v2("blkio"))
            write_knobs(v2, {{"resources.io_weight", "io.weight",
                              "default " + std::to_string(*r.io_weight)}});
        else  // blkio.weight is 10..1000
            write_knobs(dir("blkio"), {{"resources.io_weight", "blkio.weight",
                                        std::to_string(10 + (*r.io_weight - 1) * 990 / 9999)}});
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

void ContainerCgroups::kill_all(int sig) const {
    if (auto it = paths_.find("unified"); it != paths_.end() && sig == SIGKILL)
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

namespace ct::linux_native {

void prepare_v2_parent(const CgroupLayout &l, const std::string &parent) {
    if (l.mode != CgroupMode::unified) return;
    // Controllers must be enabled in every ancestor's subtree_control for the container's
    // directory to have them. Best effort per controller: a missing one only matters when a
    // spec asks for its limit, and apply() reports that precisely.
    std::string dir = l.v2_root;
    std::vector<std::string> chain = {dir};
    std::istringstream rest(parent);
    std::string comp;
    while (std::getline(rest, comp, '/')) {
        if (comp.empty()) continue;
        dir += "/" + comp;
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
            throw_sys("create cgroup " + dir, errno);
        chain.push_back(dir);
    }
    for (const auto &d : chain)
        for (const char *c : {"+memory", "+pids", "+cpu", "+cpuset", "+io"})
            if (l.v2_controllers.count(c + 1)) write_file(d + "/cgroup.subtree_control", c);
}

}  // namespace ct::linux_native
