#include "cgroups/limits.hpp"
#include "support.hpp"

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

void pids_any(const std::string &d, const Resources &r) {
    write_knobs(d, {{"resources.pids", "pids.max", limit(*r.pids, "max")}});
}

void cpu_v1(const std::string &d, const Resources &r) {
    const auto &c = r.cpu;
    std::vector<Knob> k;
    if (c.shares) k.push_back({"resources.cpu.shares", "cpu.shares", std::to_string(*c.shares)});
    if (c.period_us)
        k.push_back({"resources.cpu.period_us", "cpu.cfs_period_us", std::to_string(*c.period_us)});
    if (c.quota_us)
        k.push_back({"resources.cpu.quota_us", "cpu.cfs_quota_us", limit(*c.quota_us, "-1")});
    write_knobs(d, k);
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
    write_knobs(d, k);
}

void cpuset_any(const std::string &d, const Resources &r) {
    std::vector<Knob> k;
    if (!r.cpu.cpus.empty()) k.push_back({"resources.cpu.cpus", "cpuset.cpus", r.cpu.cpus});
    if (!r.cpu.mems.empty()) k.push_back({"resources.cpu.mems", "cpuset.mems", r.cpu.mems});
    write_knobs(d, k);
}

void io_v1(const std::string &d, const Resources &r) {  // blkio.weight is 10..1000
    write_knobs(d, {{"resources.io_weight", "blkio.weight",
                     std::to_string(10 + (*r.io_weight - 1) * 990 / 9999)}});
}

void io_v2(const std::string &d, const Resources &r) {
    write_knobs(d,
                {{"resources.io_weight", "io.weight", "default " + std::to_string(*r.io_weight)}});
}

}  // namespace

const std::vector<LimitWriter> &limit_writers() {
    static const std::vector<LimitWriter> kWriters = {
        {"resources.memory", "memory", [](const Resources &r) { return r.memory || r.memory_swap; },
         memory_v1, memory_v2},
        {"resources.pids", "pids", [](const Resources &r) { return r.pids.has_value(); }, pids_any,
         pids_any},
        {"resources.cpu", "cpu",
         [](const Resources &r) { return r.cpu.shares || r.cpu.quota_us || r.cpu.period_us; },
         cpu_v1, cpu_v2},
        {"resources.cpu.cpus", "cpuset",
         [](const Resources &r) { return !r.cpu.cpus.empty() || !r.cpu.mems.empty(); }, cpuset_any,
         cpuset_any},
        {"resources.io_weight", "blkio", [](const Resources &r) { return r.io_weight.has_value(); },
         io_v1, io_v2},
    };
    return kWriters;
}

}  // namespace ct::linux_native
