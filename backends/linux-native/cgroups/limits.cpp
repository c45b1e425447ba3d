#include "cgroups/limits.hpp"
#include "ct/internal/validate.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ct::linux_native {
namespace {

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

bool has_file(const std::string &dir, const std::string &file) {
    return ::access((dir + "/" + file).c_str(), F_OK) == 0;
}

// A knob this kernel lacks is the host's limitation, named with the file looked for.
void require(const std::string &dir, const std::string &file, const std::string &field,
             const std::string &what) {
    if (!has_file(dir, file))
        throw Error(Errc::unsupported,
                    field + ": " + what + " (" + dir + "/" + file + " is missing on this host)");
}

std::string limit(int64_t v, const char *unlimited) {
    return v < 0 ? std::string(unlimited) : std::to_string(v);
}

void memory_v1(const std::string &d, const Resources &r) {
    std::vector<Knob> k;
    if (r.memory)
        k.push_back({"resources.memory", "memory.limit_in_bytes", limit(*r.memory, "-1")});
    if (r.memory_swap) {
        if (::access((d + "/memory.memsw.limit_in_bytes").c_str(), F_OK) != 0)
            throw Error(Errc::unsupported,
                        "resources.memory_swap: swap accounting is off on this host (" + d +
                            "/memory.memsw.limit_in_bytes is missing)");
        k.push_back(
            {"resources.memory_swap", "memory.memsw.limit_in_bytes", limit(*r.memory_swap, "-1")});
    }
    write_knobs(d, k);
}

void memory_v2(const std::string &d, const Resources &r) {
    std::vector<Knob> k;
    if (r.memory) k.push_back({"resources.memory", "memory.max", limit(*r.memory, "max")});
    if (r.memory_swap) {
        // v2 limits swap alone; the spec's figure counts memory too.
        int64_t swap =
            *r.memory_swap < 0 || !r.memory || *r.memory < 0 ? -1 : *r.memory_swap - *r.memory;
        k.push_back({"resources.memory_swap", "memory.swap.max", limit(swap, "max")});
    }
    write_knobs(d, k);
}

// The soft limit, swappiness and the OOM killer: v1 has all three, v2 only the soft limit.
void memory_more_v1(const std::string &d, const Resources &r) {
    std::vector<Knob> k;
    if (r.memory_reservation)
        k.push_back({"resources.memory_reservation", "memory.soft_limit_in_bytes",
                     limit(*r.memory_reservation, "-1")});
    if (r.memory_swappiness) {
        require(d, "memory.swappiness", "resources.memory_swappiness",
                "the memory controller has no swappiness");
        k.push_back({"resources.memory_swappiness", "memory.swappiness",
                     std::to_string(*r.memory_swappiness)});
    }
    if (r.oom_kill_disable)
        k.push_back(
            {"resources.oom_kill_disable", "memory.oom_control", *r.oom_kill_disable ? "1" : "0"});
    write_knobs(d, k);
}

void memory_more_v2(const std::string &d, const Resources &r) {
    if (r.memory_swappiness)
        throw Error(Errc::unsupported,
                    "resources.memory_swappiness: the memory controller is cgroup v2's here, "
                    "which has no per-cgroup swappiness");
    // Off is what v2 always is: only turning the OOM killer off is refused.
    if (r.oom_kill_disable && *r.oom_kill_disable)
        throw Error(Errc::unsupported,
                    "resources.oom_kill_disable: the memory controller is cgroup v2's here, "
                    "which cannot turn the OOM killer off");
    if (r.memory_reservation)  // memory.low: a best-effort protection, as the soft limit is
        write_knobs(d, {{"resources.memory_reservation", "memory.low",
                         *r.memory_reservation < 0 ? "0" : std::to_string(*r.memory_reservation)}});
}

void pids_any(const std::string &d, const Resources &r) {
    write_knobs(d, {{"resources.pids", "pids.max", limit(*r.pids, "max")}});
}

// The realtime budget. The kernel takes a runtime only within what the parent grants its
// children (cpu.rt_runtime_us of the parent, 0 below the root unless an administrator gave
// some): on a refusal the message says what the parent has.
void rt_v1(const std::string &d, const CpuSpec &c) {
    const char *field =
        c.rt_runtime_us ? "resources.cpu.rt_runtime_us" : "resources.cpu.rt_period_us";
    require(d, "cpu.rt_runtime_us", field,
            "the kernel has no realtime group scheduling (CONFIG_RT_GROUP_SCHED)");
    std::vector<Knob> k;
    if (c.rt_period_us)
        k.push_back(
            {"resources.cpu.rt_period_us", "cpu.rt_period_us", std::to_string(*c.rt_period_us)});
    if (c.rt_runtime_us)
        k.push_back(
            {"resources.cpu.rt_runtime_us", "cpu.rt_runtime_us", limit(*c.rt_runtime_us, "-1")});
    try {
        write_knobs(d, k);
    } catch (const Error &e) {
        // A shorter period below the current runtime: the runtime has to go down first.
        if (k.size() == 2 && e.code() == Errc::invalid_spec) {
            std::swap(k[0], k[1]);
            try {
                write_knobs(d, k);
                return;
            } catch (const Error &) {
            }
        }
        std::string parent = d.substr(0, d.rfind('/')), budget, period;
        if (e.code() != Errc::invalid_spec || !read_file(parent + "/cpu.rt_runtime_us", budget) ||
            !read_file(parent + "/cpu.rt_period_us", period))
            throw;
        while (!budget.empty() && budget.back() == '\n') budget.pop_back();
        while (!period.empty() && period.back() == '\n') period.pop_back();
        throw Error(Errc::invalid_spec,
                    std::string(e.what()) + " (the parent cgroup " + parent + " grants " + budget +
                        " us of realtime per " + period +
                        " us to its children, already given ones included)",
                    e.sys_errno());
    }
}

void cpu_v1(const std::string &d, const Resources &r) {
    const auto &c = r.cpu;
    std::vector<Knob> k;
    if (c.shares) k.push_back({"resources.cpu.shares", "cpu.shares", std::to_string(*c.shares)});
    if (c.period_us)
        k.push_back({"resources.cpu.period_us", "cpu.cfs_period_us", std::to_string(*c.period_us)});
    if (c.quota_us)
        k.push_back({"resources.cpu.quota_us", "cpu.cfs_quota_us", limit(*c.quota_us, "-1")});
    if (c.idle) {
        require(d, "cpu.idle", "resources.cpu.idle", "the cpu controller has no idle groups");
        k.push_back({"resources.cpu.idle", "cpu.idle", std::to_string(*c.idle)});
    }
    if (c.burst_us) {
        require(d, "cpu.cfs_burst_us", "resources.cpu.burst_us", "the cpu controller has no burst");
        k.push_back({"resources.cpu.burst_us", "cpu.cfs_burst_us", std::to_string(*c.burst_us)});
    }
    write_knobs(d, k);
    if (c.rt_runtime_us || c.rt_period_us) rt_v1(d, c);
}

void cpu_v2(const std::string &d, const Resources &r) {
    const auto &c = r.cpu;
    std::vector<Knob> k;
    if (c.shares)  // the usual v1 -> v2 conversion (2..262144 -> 1..10000)
        k.push_back({"resources.cpu.shares", "cpu.weight",
                     std::to_string(1 + ((*c.shares - 2) * 9999) / 262142)});
    if (c.quota_us || c.period_us)
        k.push_back({"resources.cpu.quota_us", "cpu.max",
                     (c.quota_us ? limit(*c.quota_us, "max") : std::string("max")) + " " +
                         std::to_string(c.period_us ? *c.period_us : 100000)});
    if (c.rt_runtime_us || c.rt_period_us)
        throw Error(Errc::unsupported,
                    std::string(c.rt_runtime_us ? "resources.cpu.rt_runtime_us"
                                                : "resources.cpu.rt_period_us") +
                        ": the cpu controller is cgroup v2's here, which has no realtime budget");
    if (c.idle) {
        require(d, "cpu.idle", "resources.cpu.idle", "the cpu controller has no idle groups");
        k.push_back({"resources.cpu.idle", "cpu.idle", std::to_string(*c.idle)});
    }
    if (c.burst_us) {
        require(d, "cpu.max.burst", "resources.cpu.burst_us", "the cpu controller has no burst");
        k.push_back({"resources.cpu.burst_us", "cpu.max.burst", std::to_string(*c.burst_us)});
    }
    write_knobs(d, k);
}

void cpuset_any(const std::string &d, const Resources &r) {
    std::vector<Knob> k;
    if (!r.cpu.cpus.empty()) k.push_back({"resources.cpu.cpus", "cpuset.cpus", r.cpu.cpus});
    if (!r.cpu.mems.empty()) k.push_back({"resources.cpu.mems", "cpuset.mems", r.cpu.mems});
    write_knobs(d, k);
}

void io_v1(const std::string &d, const Resources &r) {
    write_knobs(
        d, {{"resources.io_weight", "blkio.weight", std::to_string(blkio_weight(*r.io_weight))}});
}

void io_v2(const std::string &d, const Resources &r) {
    write_knobs(d,
                {{"resources.io_weight", "io.weight", "default " + std::to_string(*r.io_weight)}});
}

std::string device(const DeviceLimit &l) {
    return std::to_string(l.major) + ":" + std::to_string(l.minor);
}

std::string item(const char *list, size_t i) {
    return std::string("resources.io.") + list + "[" + std::to_string(i) + "]";
}

// Per-device limits. A device the kernel does not know is refused by it (ENODEV), named.
struct Throttle {
    const char *list;
    std::vector<DeviceLimit> BlockIoSpec::*member;
    const char *v1_file;
    const char *v2_key;
};
const Throttle kThrottles[] = {
    {"read_bps", &BlockIoSpec::read_bps, "blkio.throttle.read_bps_device", "rbps"},
    {"write_bps", &BlockIoSpec::write_bps, "blkio.throttle.write_bps_device", "wbps"},
    {"read_iops", &BlockIoSpec::read_iops, "blkio.throttle.read_iops_device", "riops"},
    {"write_iops", &BlockIoSpec::write_iops, "blkio.throttle.write_iops_device", "wiops"},
};

void write_device_knobs(const std::string &d, std::vector<Knob> k,
                        const std::vector<std::string> &fields) {
    for (size_t i = 0; i < k.size(); ++i) {
        std::string path = d + "/" + k[i].file;
        if (write_file(path, k[i].value)) continue;
        int e = errno;
        if (e == ENODEV || e == EINVAL || e == ERANGE || e == ENOENT)
            throw Error(e == ENOENT ? Errc::unsupported : Errc::invalid_spec,
                        fields[i] + ": the kernel rejected '" + k[i].value + "' for " + path +
                            ": " + errstr(e) + (e == ENODEV ? " (no such block device)" : ""),
                        e);
        throw_sys("apply " + fields[i] + " (" + path + ")", e);
    }
}

void io_devices_v1(const std::string &d, const Resources &r) {
    std::vector<Knob> k;
    std::vector<std::string> fields;
    if (!r.io.weight_device.empty()) {
        // Per-device weights are the BFQ scheduler's (the old CFQ file went with CFQ).
        const char *file = has_file(d, "blkio.bfq.weight_device") ? "blkio.bfq.weight_device"
                                                                  : "blkio.weight_device";
        require(d, file, "resources.io.weight_device",
                "the blkio controller has no per-device weights (no device uses the BFQ "
                "scheduler)");
        for (size_t i = 0; i < r.io.weight_device.size(); ++i) {
            const auto &w = r.io.weight_device[i];
            // 0 removes the device's weight (what update's undo writes).
            uint64_t v1 = w.value == 0 ? 0 : blkio_weight(w.value);
            k.push_back({"", file, device(w) + " " + std::to_string(v1)});
            fields.push_back(item("weight_device", i));
        }
    }
    for (const auto &t : kThrottles)
        for (size_t i = 0; i < (r.io.*t.member).size(); ++i) {
            const auto &l = (r.io.*t.member)[i];
            require(d, t.v1_file, item(t.list, i), "the blkio controller has no throttling");
            k.push_back({"", t.v1_file, device(l) + " " + std::to_string(l.value)});
            fields.push_back(item(t.list, i));
        }
    write_device_knobs(d, std::move(k), fields);
}

void io_devices_v2(const std::string &d, const Resources &r) {
    std::vector<Knob> k;
    std::vector<std::string> fields;
    for (size_t i = 0; i < r.io.weight_device.size(); ++i) {
        const auto &w = r.io.weight_device[i];
        k.push_back({"", "io.weight",
                     device(w) + " " + (w.value == 0 ? "default" : std::to_string(w.value))});
        fields.push_back(item("weight_device", i));
    }
    for (const auto &t : kThrottles)
        for (size_t i = 0; i < (r.io.*t.member).size(); ++i) {
            const auto &l = (r.io.*t.member)[i];
            k.push_back({"", "io.max",
                         device(l) + " " + t.v2_key + "=" +
                             (l.value == 0 ? "max" : std::to_string(l.value))});
            fields.push_back(item(t.list, i));
        }
    write_device_knobs(d, std::move(k), fields);
}

// hugetlb.<size>.limit_in_bytes (v1) or .max (v2): a size the host lacks has no file.
void hugetlb_any(const std::string &d, const Resources &r, bool v2) {
    std::vector<Knob> k;
    for (size_t i = 0; i < r.hugepages.size(); ++i) {
        const auto &h = r.hugepages[i];
        std::string file = "hugetlb." + h.page_size + (v2 ? ".max" : ".limit_in_bytes");
        std::string field = "resources.hugepages[" + std::to_string(i) + "]";
        require(d, file, field, "this host has no " + h.page_size + " huge pages");
        k.push_back({"resources.hugepages", file, limit(h.limit, v2 ? "max" : "-1")});
    }
    write_knobs(d, k);
}

// cgroup-v2 files by name, in the container's own directory only: the name is checked again
// (a spec that skipped validation must not reach a core file), opened beneath the directory
// without following anything and without creating, and written as given.
void unified_files(const std::string &d, const Resources &r) {
    Fd dir(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw_sys("open cgroup " + d, errno);
    for (const auto &[name, value] : r.unified) {
        std::string field = "resources.unified." + name;
        if (auto why = unified_file_refusal(name); !why.empty())
            throw Error(Errc::invalid_spec, field + ": " + why);
        Fd f(::openat(dir.get(), name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!f) {
            int e = errno;
            if (e == ENOENT) {
                std::string ctrls;
                read_file(d + "/cgroup.controllers", ctrls);
                while (!ctrls.empty() && ctrls.back() == '\n') ctrls.pop_back();
                throw Error(Errc::unsupported,
                            field + ": the container's cgroup2 directory " + d +
                                " has no such file (its controllers on this host: " +
                                (ctrls.empty() ? "none" : ctrls) + ")");
            }
            throw_sys("apply " + field + " (" + d + "/" + name + ")", e);
        }
        if (::write(f.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
            int e = errno;
            if (e == EINVAL || e == ERANGE || e == ENODEV || e == EOPNOTSUPP)
                throw Error(Errc::invalid_spec,
                            field + ": the kernel rejected '" + value + "' for " + d + "/" + name +
                                ": " + errstr(e),
                            e);
            throw_sys("apply " + field + " (" + d + "/" + name + ")", e);
        }
    }
}

}  // namespace

uint64_t blkio_weight(uint64_t io_weight) {
    return 10 + ((io_weight - 1) * 990 + 9998) / 9999;  // rounded up: runc's rounds down
}

bool has_memory_more(const Resources &r) {
    return r.memory_reservation || r.memory_swappiness || r.oom_kill_disable;
}

bool has_cpu_limit(const CpuSpec &c) {
    return c.shares || c.quota_us || c.period_us || c.rt_runtime_us || c.rt_period_us || c.idle ||
           c.burst_us;
}

bool has_device_limits(const BlockIoSpec &io) {
    return !io.weight_device.empty() || !io.read_bps.empty() || !io.write_bps.empty() ||
           !io.read_iops.empty() || !io.write_iops.empty();
}

const std::vector<LimitWriter> &limit_writers() {
    static const std::vector<LimitWriter> kWriters = {
        {"resources.memory", "memory", [](const Resources &r) { return r.memory || r.memory_swap; },
         memory_v1, memory_v2},
        {"resources.memory_reservation", "memory", has_memory_more, memory_more_v1, memory_more_v2},
        {"resources.pids", "pids", [](const Resources &r) { return r.pids.has_value(); }, pids_any,
         pids_any},
        {"resources.cpu", "cpu", [](const Resources &r) { return has_cpu_limit(r.cpu); }, cpu_v1,
         cpu_v2},
        {"resources.cpu.cpus", "cpuset",
         [](const Resources &r) { return !r.cpu.cpus.empty() || !r.cpu.mems.empty(); }, cpuset_any,
         cpuset_any},
        {"resources.io_weight", "blkio", [](const Resources &r) { return r.io_weight.has_value(); },
         io_v1, io_v2},
        {"resources.io", "blkio", [](const Resources &r) { return has_device_limits(r.io); },
         io_devices_v1, io_devices_v2},
        {"resources.hugepages", "hugetlb", [](const Resources &r) { return !r.hugepages.empty(); },
         [](const std::string &d, const Resources &r) { hugetlb_any(d, r, false); },
         [](const std::string &d, const Resources &r) { hugetlb_any(d, r, true); }},
        // Last: a file named here overrides what a field above wrote. Only the cgroup2
        // directory has them ("unified" is its key among the container's directories).
        {"resources.unified", "unified", [](const Resources &r) { return !r.unified.empty(); },
         unified_files, unified_files},
    };
    return kWriters;
}

}  // namespace ct::linux_native
