#include "session/stats.hpp"
#include "support.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <sstream>

namespace ct::linux_native {
namespace {

std::string dir_of(const ContainerCgroups::Paths &p, const char *key) {
    auto it = p.find(key);
    return it == p.end() ? std::string() : it->second;
}

bool read_u64(const std::string &path, uint64_t &out) {
    std::string text;
    if (!read_file(path, text)) return false;
    std::istringstream in(text);
    return static_cast<bool>(in >> out);
}

// A limit file: a number, or "max" (v2) / a huge page-aligned number (v1) for none.
int64_t read_limit(const std::string &path) {
    std::string text;
    if (!read_file(path, text) || text.rfind("max", 0) == 0) return -1;
    uint64_t v = std::strtoull(text.c_str(), nullptr, 10);
    return v >= (uint64_t{1} << 62) ? -1 : static_cast<int64_t>(v);
}

// "key value" lines (cpu.stat, memory.events, cpuacct.stat, memory.oom_control, /proc/N/io).
uint64_t field(const std::string &text, const std::string &key) {
    std::istringstream in(text);
    std::string k;
    uint64_t v;
    while (in >> k) {
        if (!k.empty() && k.back() == ':') k.pop_back();
        if (!(in >> v)) {
            in.clear();
            continue;
        }
        if (k == key) return v;
    }
    return 0;
}

void cpu_stats(const ContainerCgroups::Paths &p, Stats::Cpu &c) {
    std::string text;
    // cpu.stat is a core file of every cgroup2 directory: there on v2 and hybrid hosts alike.
    if (auto v2 = dir_of(p, "unified"); !v2.empty() && read_file(v2 + "/cpu.stat", text)) {
        c.usage_ns = field(text, "usage_usec") * 1000;
        c.user_ns = field(text, "user_usec") * 1000;
        c.system_ns = field(text, "system_usec") * 1000;
        return;
    }
    auto acct = dir_of(p, "cpuacct");
    if (acct.empty()) return;
    read_u64(acct + "/cpuacct.usage", c.usage_ns);
    if (read_file(acct + "/cpuacct.stat", text)) {
        uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
        c.user_ns = field(text, "user") * ns_per_tick;
        c.system_ns = field(text, "system") * ns_per_tick;
    }
}

void memory_stats(const ContainerCgroups::Paths &p, Stats::Memory &m) {
    std::string text;
    if (auto v1 = dir_of(p, "memory"); !v1.empty()) {
        read_u64(v1 + "/memory.usage_in_bytes", m.usage);
        read_u64(v1 + "/memory.max_usage_in_bytes", m.max_usage);
        read_u64(v1 + "/memory.failcnt", m.failcnt);
        m.limit = read_limit(v1 + "/memory.limit_in_bytes");
        if (read_file(v1 + "/memory.oom_control", text)) m.oom_kills = field(text, "oom_kill");
        return;
    }
    auto v2 = dir_of(p, "unified");
    if (v2.empty() || !read_u64(v2 + "/memory.current", m.usage)) return;
    read_u64(v2 + "/memory.peak", m.max_usage);  // 5.19+
    m.limit = read_limit(v2 + "/memory.max");
    if (read_file(v2 + "/memory.events", text)) {
        m.failcnt = field(text, "max");  // times usage hit the limit
        m.oom_kills = field(text, "oom_kill");
    }
}

void pids_stats(const ContainerCgroups::Paths &p, Stats::Pids &s) {
    auto d = dir_of(p, "pids");
    if (d.empty()) d = dir_of(p, "unified");
    if (d.empty() || !read_u64(d + "/pids.current", s.current)) return;
    s.limit = read_limit(d + "/pids.max");
}

void io_stats(const ContainerCgroups &cg, const std::vector<long> &pids, Stats::Io &io) {
    const auto &p = cg.paths();
    std::string text;
    if (auto v1 = dir_of(p, "blkio"); !v1.empty()) {
        // "MAJ:MIN Read N" lines per device, then "Total N".
        if (read_file(v1 + "/blkio.throttle.io_service_bytes_recursive", text)) {
            std::istringstream in(text);
            std::string line;
            while (std::getline(in, line)) {
                std::istringstream ls(line);
                std::string dev, op;
                uint64_t v = 0;
                if (!(ls >> dev >> op >> v)) continue;
                if (op == "Read") io.read_bytes += v;
                if (op == "Write") io.write_bytes += v;
            }
        }
    } else if (auto v2 = dir_of(p, "unified"); !v2.empty() && read_file(v2 + "/io.stat", text)) {
        // "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device.
        std::istringstream in(text);
        std::string tok;
        while (in >> tok) {
            if (tok.rfind("rbytes=", 0) == 0)
                io.read_bytes += std::strtoull(tok.c_str() + 7, nullptr, 10);
            if (tok.rfind("wbytes=", 0) == 0)
                io.write_bytes += std::strtoull(tok.c_str() + 7, nullptr, 10);
        }
        return;
    }
    if (io.read_bytes || io.write_bytes) return;
    // v1 blkio only counts on devices that have a throttle rule. Else: the storage I/O of the
    // container's processes, which includes that of the children they reaped.
    for (long pid : pids)
        if (read_file("/proc/" + std::to_string(pid) + "/io", text)) {
            io.read_bytes += field(text, "read_bytes");
            io.write_bytes += field(text, "write_bytes");
        }
}

void net_stats(long init, std::map<std::string, Stats::Net> &out) {
    // /proc/<pid>/net is the network namespace of that process: the container's.
    std::string text;
    if (!read_file("/proc/" + std::to_string(init) + "/net/dev", text)) return;
    std::istringstream in(text);
    std::string line;
    for (int i = 0; std::getline(in, line); ++i) {
        auto colon = line.find(':');
        if (i < 2 || colon == std::string::npos) continue;  // two header lines
        std::string name = line.substr(0, colon);
        name.erase(0, name.find_first_not_of(' '));
        std::istringstream ls(line.substr(colon + 1));
        uint64_t v[16] = {};
        for (auto &x : v) ls >> x;
        // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes packets ...
        out[name] = {v[0], v[8], v[1], v[9]};
    }
}

std::vector<std::string> nspids(long pid) {
    std::vector<std::string> out;
    std::string text;
    if (!read_file("/proc/" + std::to_string(pid) + "/status", text)) return out;
    auto at = text.find("\nNSpid:");
    if (at == std::string::npos) return out;
    std::istringstream in(text.substr(at + 7, text.find('\n', at + 1) - at - 7));
    std::string v;
    while (in >> v) out.push_back(v);
    return out;
}

std::string command_of(long pid) {
    std::string text;
    std::string base = "/proc/" + std::to_string(pid);
    if (read_file(base + "/cmdline", text) && !text.empty()) {
        while (!text.empty() && text.back() == '\0') text.pop_back();
        std::replace(text.begin(), text.end(), '\0', ' ');
        return text;
    }
    if (read_file(base + "/comm", text)) {
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return "[" + text + "]";
    }
    return "";
}

}  // namespace

std::vector<long> container_pids(const ContainerCgroups &cg, long init, bool own_pidns) {
    if (!cg.paths().empty()) return cg.pids();
    std::vector<long> out;
    if (init <= 0) return out;
    if (!own_pidns) return {init};
    // Without a cgroup to ask, a pid namespace still encloses the container's processes.
    char buf[64];
    ssize_t n = ::readlink(("/proc/" + std::to_string(init) + "/ns/pid").c_str(), buf, sizeof buf);
    if (n <= 0) return out;
    std::string ns(buf, static_cast<size_t>(n));
    if (DIR *d = ::opendir("/proc")) {
        while (auto *e = ::readdir(d)) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            std::string link = std::string("/proc/") + e->d_name + "/ns/pid";
            n = ::readlink(link.c_str(), buf, sizeof buf);
            if (n > 0 && ns == std::string(buf, static_cast<size_t>(n)))
                out.push_back(std::strtol(e->d_name, nullptr, 10));
        }
        ::closedir(d);
    }
    return out;
}

Stats collect_stats(const ContainerCgroups &cg, long init, bool own_pidns, bool own_netns) {
    Stats s;
    auto pids = container_pids(cg, init, own_pidns);
    cpu_stats(cg.paths(), s.cpu);
    memory_stats(cg.paths(), s.memory);
    pids_stats(cg.paths(), s.pids);
    if (s.pids.current == 0) s.pids.current = pids.size();  // no pids controller
    io_stats(cg, pids, s.io);
    if (own_netns) net_stats(init, s.network);
    return s;
}

std::vector<ProcessInfo> list_processes(const ContainerCgroups &cg, long init, bool own_pidns) {
    // The container's pid namespace is init's innermost one: its level in every NSpid line.
    size_t level = 0;
    if (own_pidns) {
        auto init_ns = nspids(init);
        level = init_ns.empty() ? SIZE_MAX : init_ns.size() - 1;  // no init: unknown (0)
    }
    auto pids = container_pids(cg, init, own_pidns);
    std::sort(pids.begin(), pids.end());
    std::vector<ProcessInfo> out;
    for (long pid : pids) {
        ProcessInfo p;
        p.pid = pid;
        auto ns = nspids(pid);
        if (ns.empty()) continue;  // exited meanwhile
        p.ns_pid = ns.size() > level ? std::strtoll(ns[level].c_str(), nullptr, 10) : 0;
        p.command = command_of(pid);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace ct::linux_native
