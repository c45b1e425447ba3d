#include "cgroups/update.hpp"
#include "cgroups/limits.hpp"
#include "support.hpp"

#include <unistd.h>

#include <algorithm>

namespace ct::linux_native {
namespace {

template <class T>
void over(std::optional<T> &to, const std::optional<T> &from) {
    if (from) to = from;
}

// Per-device lists merge by device: delta's entry replaces base's; a throttle of 0 removes it.
void merge_devices(std::vector<DeviceLimit> &to, const std::vector<DeviceLimit> &from,
                   bool zero_removes) {
    for (const auto &d : from) {
        auto same = [&](const DeviceLimit &x) { return x.major == d.major && x.minor == d.minor; };
        to.erase(std::remove_if(to.begin(), to.end(), same), to.end());
        if (!(zero_removes && d.value == 0)) to.push_back(d);
    }
}

// For each device `delta` lists: base's entry, or 0 (which removes the device's limit).
std::vector<DeviceLimit> undo_devices(const std::vector<DeviceLimit> &base,
                                      const std::vector<DeviceLimit> &delta) {
    std::vector<DeviceLimit> u;
    for (const auto &d : delta) {
        DeviceLimit back{d.major, d.minor, 0};
        for (const auto &b : base)
            if (b.major == d.major && b.minor == d.minor) back = b;
        u.push_back(back);
    }
    return u;
}

const std::pair<std::vector<DeviceLimit> BlockIoSpec::*, bool> kDeviceLists[] = {
    {&BlockIoSpec::weight_device, false},
    {&BlockIoSpec::read_bps, true},
    {&BlockIoSpec::write_bps, true},
    {&BlockIoSpec::read_iops, true},
    {&BlockIoSpec::write_iops, true}};

// What a file of the container's cgroups holds now ("" if none has it): the value to restore
// where neither base nor a fixed kernel default says.
std::string current_value(const ContainerCgroups &cg, std::initializer_list<const char *> keys,
                          const std::string &file) {
    std::string v;
    for (const char *key : keys)
        if (auto it = cg.paths().find(key);
            it != cg.paths().end() && read_file(it->second + "/" + file, v))
            break;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return v;
}

// The undo of the limits beyond the common ones (see undo_impl).
void undo_more(const ContainerCgroups &cg, const Resources &base, const Resources &delta,
               Resources &u) {
    auto number = [&](const char *key, const char *file) -> std::optional<int64_t> {
        std::string v = current_value(cg, {key}, file);
        try {
            return v.empty() ? std::nullopt : std::optional<int64_t>(std::stoll(v));
        } catch (const std::exception &) {
            return std::nullopt;
        }
    };
    if (delta.memory_reservation) u.memory_reservation = base.memory_reservation.value_or(-1);
    if (delta.memory_swappiness) {
        u.memory_swappiness = base.memory_swappiness;
        if (!u.memory_swappiness)
            if (auto v = number("memory", "memory.swappiness"))
                u.memory_swappiness = static_cast<uint64_t>(*v);
    }
    if (delta.oom_kill_disable) u.oom_kill_disable = base.oom_kill_disable.value_or(false);
    const auto &bc = base.cpu;
    const auto &dc = delta.cpu;
    if (dc.rt_runtime_us) {
        u.cpu.rt_runtime_us = bc.rt_runtime_us;
        if (!u.cpu.rt_runtime_us) u.cpu.rt_runtime_us = number("cpu", "cpu.rt_runtime_us");
    }
    if (dc.rt_period_us) {
        u.cpu.rt_period_us = bc.rt_period_us;
        if (!u.cpu.rt_period_us)
            if (auto v = number("cpu", "cpu.rt_period_us"))
                u.cpu.rt_period_us = static_cast<uint64_t>(*v);
    }
    if (dc.idle) u.cpu.idle = bc.idle.value_or(0);
    if (dc.burst_us) u.cpu.burst_us = bc.burst_us.value_or(0);
    for (const auto &[list, zero_removes] : kDeviceLists)
        u.io.*list = undo_devices(base.io.*list, delta.io.*list);
    for (const auto &h : delta.hugepages) {
        HugepageLimit back{h.page_size, -1};
        for (const auto &b : base.hugepages)
            if (b.page_size == h.page_size) back = b;
        u.hugepages.push_back(back);
    }
    for (const auto &[file, value] : delta.unified) {
        auto it = base.unified.find(file);
        u.unified[file] =
            it != base.unified.end() ? it->second : current_value(cg, {"unified"}, file);
    }
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
    undo_more(cg, base, delta, u);
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
    need(d.memory_reservation.has_value(), "resources.memory_reservation", "memory", "memory.low");
    need(d.memory_swappiness.has_value(), "resources.memory_swappiness", "memory", "memory.low");
    need(d.oom_kill_disable.has_value(), "resources.oom_kill_disable", "memory", "memory.low");
    need(d.cpu.rt_runtime_us || d.cpu.rt_period_us || d.cpu.idle || d.cpu.burst_us, "resources.cpu",
         "cpu", "cpu.max");
    need(has_device_limits(d.io), "resources.io", "blkio", "io.max");
    if (!d.hugepages.empty())
        need(true, "resources.hugepages", "hugetlb",
             ("hugetlb." + d.hugepages.front().page_size + ".max").c_str());
    need(!d.unified.empty(), "resources.unified", "unified", "cgroup.procs");
}

}  // namespace

Resources complete_delta(const Resources &base, Resources delta) {
    if (delta.memory == -1 && !delta.memory_swap && base.memory_swap && *base.memory_swap != -1)
        delta.memory_swap = -1;
    return delta;
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
    over(r.memory_reservation, d.memory_reservation);
    over(r.memory_swappiness, d.memory_swappiness);
    over(r.oom_kill_disable, d.oom_kill_disable);
    over(r.cpu.rt_runtime_us, d.cpu.rt_runtime_us);
    over(r.cpu.rt_period_us, d.cpu.rt_period_us);
    over(r.cpu.idle, d.cpu.idle);
    over(r.cpu.burst_us, d.cpu.burst_us);
    for (const auto &[list, zero_removes] : kDeviceLists)
        merge_devices(r.io.*list, d.io.*list, zero_removes);
    for (const auto &h : d.hugepages) {
        std::erase_if(r.hugepages,
                      [&](const HugepageLimit &x) { return x.page_size == h.page_size; });
        r.hugepages.push_back(h);
    }
    for (const auto &[file, value] : d.unified) r.unified[file] = value;
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
