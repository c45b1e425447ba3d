#include "cgroups/update.hpp"
#include "support.hpp"

#include <unistd.h>

namespace ct::linux_native {
namespace {

template <class T>
void over(std::optional<T> &to, const std::optional<T> &from) {
    if (from) to = from;
}

// The value to write back for each field `delta` sets: base's, or the kernel's default.
Resources undo_impl(const ContainerCgroups &cg, const Resources &base, const Resources &delta) {
    Resources u;
    auto back = [](auto &to, const auto &set, const auto &was, auto dflt) {
        if (set) to = was ? *was : dflt;
    };
    back(u.memory, delta.memory, base.memory, int64_t{-1});
    back(u.memory_swap, delta.memory_swap, base.memory_swap, int64_t{-1});
    if (u.memory_swap && !u.memory) u.memory = base.memory;  // v2 derives swap from memory
    back(u.pids, delta.pids, base.pids, int64_t{-1});
    back(u.cpu.shares, delta.cpu.shares, base.cpu.shares, uint64_t{1024});
    back(u.cpu.quota_us, delta.cpu.quota_us, base.cpu.quota_us, int64_t{-1});
    back(u.cpu.period_us, delta.cpu.period_us, base.cpu.period_us, uint64_t{100000});
    if (delta.io_weight && base.io_weight) u.io_weight = base.io_weight;
    // cpuset: what the directory holds now (set at create, or seeded from the parent).
    auto current = [&](const char *file) {
        std::string v;
        for (const char *key : {"cpuset", "unified"})
            if (auto it = cg.paths().find(key);
                it != cg.paths().end() && read_file(it->second + "/" + file, v))
                break;
        while (!v.empty() && v.back() == '\n') v.pop_back();
        return v;
    };
    if (!delta.cpu.cpus.empty())
        u.cpu.cpus = base.cpu.cpus.empty() ? current("cpuset.cpus") : base.cpu.cpus;
    if (!delta.cpu.mems.empty())
        u.cpu.mems = base.cpu.mems.empty() ? current("cpuset.mems") : base.cpu.mems;
    return u;
}

// A limit the container's cgroups cannot take (its controller was not set up at create).
void check_controllers(const ContainerCgroups &cg, const Resources &d) {
    auto has = [&](const char *v1_key, const char *v2_file) {
        const auto &p = cg.paths();
        if (p.count(v1_key)) return true;
        auto it = p.find("unified");
        return it != p.end() && ::access((it->second + "/" + v2_file).c_str(), F_OK) == 0;
    };
    auto need = [&](bool set, const char *field, const char *v1_key, const char *v2_file) {
        if (set && !has(v1_key, v2_file))
            throw Error(Errc::unsupported, std::string(field) + ": the container has no '" +
                                               v1_key +
                                               "' cgroup (the host lacks the controller, "
                                               "or the container was created without this limit)");
    };
    need(d.memory.has_value(), "resources.memory", "memory", "memory.max");
    need(d.memory_swap.has_value(), "resources.memory_swap", "memory", "memory.swap.max");
    need(d.pids.has_value(), "resources.pids", "pids", "pids.max");
    need(d.cpu.shares.has_value(), "resources.cpu.shares", "cpu", "cpu.weight");
    need(d.cpu.quota_us || d.cpu.period_us, "resources.cpu.quota_us", "cpu", "cpu.max");
    need(!d.cpu.cpus.empty() || !d.cpu.mems.empty(), "resources.cpu.cpus", "cpuset", "cpuset.cpus");
    need(d.io_weight.has_value(), "resources.io_weight", "blkio", "io.weight");
}

}  // namespace

Resources undo_resources(const ContainerCgroups &cg, const Resources &base,
                         const Resources &delta) {
    return undo_impl(cg, base, delta);
}

Resources merge_resources(const Resources &base, const Resources &d) {
    Resources r = base;
    over(r.memory, d.memory);
    over(r.memory_swap, d.memory_swap);
    over(r.pids, d.pids);
    over(r.cpu.shares, d.cpu.shares);
    over(r.cpu.quota_us, d.cpu.quota_us);
    over(r.cpu.period_us, d.cpu.period_us);
    if (!d.cpu.cpus.empty()) r.cpu.cpus = d.cpu.cpus;
    if (!d.cpu.mems.empty()) r.cpu.mems = d.cpu.mems;
    over(r.io_weight, d.io_weight);
    return r;
}

void update_cgroups(const CgroupManager &m, const ContainerCgroups &cg, const Resources &base,
                    const Resources &delta) {
    check_controllers(cg, delta);
    Resources d = delta;
    // cgroup v2 derives memory.swap.max from the memory limit: give it the one in effect.
    if (d.memory_swap && !d.memory) d.memory = base.memory;
    Resources undo = undo_impl(cg, base, d);
    try {
        try {
            m.apply(cg, d);
        } catch (const Error &e) {
            // v1 wants memsw >= memory after every write: raising both means memsw first.
            if (!(d.memory && d.memory_swap && cg.paths().count("memory") &&
                  e.sys_errno() == EINVAL))
                throw;
            Resources swap, rest = d;
            swap.memory_swap = d.memory_swap;
            rest.memory_swap.reset();
            m.apply(cg, swap);
            m.apply(cg, rest);
        }
    } catch (const Error &e) {
        std::string undone = "nothing was changed";
        try {
            m.apply(cg, undo);
        } catch (const std::exception &u) {
            undone = std::string("restoring the previous limits failed too: ") + u.what();
        }
        std::string msg = e.what();
        if (e.sys_errno() == EBUSY && d.memory)
            msg += " (the container uses more memory than that)";
        Errc code = e.sys_errno() == EBUSY ? Errc::bad_state : e.code();
        throw Error(code, msg + "; " + undone, e.sys_errno());
    }
}

}  // namespace ct::linux_native
