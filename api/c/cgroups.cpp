// Cgroup controllers: libct_controller_add / _configure / _read. Parameters the spec has a
// field for (memory and CPU limits, cpusets, the device list) become that field, so they
// work on every backend and cgroup version; any other parameter is a file of the container's
// cgroup directory (cgroup v1 names), written and read directly on this machine.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>

#include "internal.hpp"

namespace ct::capi {

const char *controller_name(int c) {
    static const char *const kNames[] = {"blkio",   "cpu",     "cpuacct", "cpuset", "devices",
                                         "freezer", "hugetlb", "memory",  "net_cls"};
    return c >= 0 && c < CT_NR_CONTROLLERS ? kNames[c] : nullptr;
}

// A backend error as the C API reports it: the codes programs test for.
[[noreturn]] void cgroup_failure(const ct::Error &e, int code) {
    if (e.code() == ct::Errc::unsupported) throw Failure(-LCTERR_OPNOTSUPP, e.what());
    if (e.code() == ct::Errc::invalid_argument && !e.sys_errno())
        throw Failure(-LCTERR_INVARG, e.what());
    throw Failure(code, e.what());
}

void write_cgroup_file(ct::Container &c, int controller, const std::string &param,
                       const std::string &value) {
    try {
        c.write_cgroup(controller_name(controller), param, value);
    } catch (const ct::Error &e) {
        cgroup_failure(e, -LCTERR_CGCONFIG);
    }
}

namespace {

uint64_t number(const std::string &param, const std::string &v) {
    uint64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    while (p != v.data() + v.size() && (*p == '\n' || *p == ' ')) ++p;
    if (ec != std::errc() || p != v.data() + v.size())
        throw Failure(-LCTERR_INVARG, param + ": '" + v + "' is not a number");
    return out;
}

int64_t limit(const std::string &param, std::string v) {
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    if (v == "-1") return -1;
    try {
        return ct::parse_size(v, param);
    } catch (const ct::Error &e) {
        throw Failure(-LCTERR_INVARG, e.what());
    }
}

// "a", "c 1:3 rwm", "b *:* m" (the devices.allow / devices.deny syntax).
ct::DeviceRule device_rule(const std::string &param, const std::string &v, bool allow) {
    ct::DeviceRule r;
    r.allow = allow;
    auto bad = [&] {
        return Failure(-LCTERR_INVARG, param + ": '" + v + "' is not a device rule");
    };
    std::string type, nums, access;
    std::istringstream in(v);
    in >> type >> nums >> access;
    if (type != "a" && type != "c" && type != "b") throw bad();
    r.type = type;
    if (!nums.empty()) {
        auto colon = nums.find(':');
        if (colon == std::string::npos) throw bad();
        auto part = [&](const std::string &s) -> std::optional<int64_t> {
            if (s == "*") return std::nullopt;
            return static_cast<int64_t>(number(param, s));
        };
        r.major = part(nums.substr(0, colon));
        r.minor = part(nums.substr(colon + 1));
    }
    if (!access.empty()) r.access = access;
    return r;
}

// Maps a parameter onto the spec's resources; false when the spec has no field for it.
bool map_param(ct::Resources &r, int c, const std::string &p, const std::string &v) {
    switch (c) {
        case CTL_MEMORY:
            if (p == "memory.limit_in_bytes")
                r.memory = limit(p, v);
            else if (p == "memory.memsw.limit_in_bytes")
                r.memory_swap = limit(p, v);
            else
                return false;
            return true;
        case CTL_CPU:
            if (p == "cpu.shares")
                r.cpu.shares = number(p, v);
            else if (p == "cpu.cfs_period_us")
                r.cpu.period_us = number(p, v);
            else if (p == "cpu.cfs_quota_us")
                r.cpu.quota_us = limit(p, v) < 0 ? -1 : limit(p, v);
            else
                return false;
            return true;
        case CTL_CPUSET: {
            std::string t = v;
            while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
            if (p == "cpuset.cpus")
                r.cpu.cpus = t;
            else if (p == "cpuset.mems")
                r.cpu.mems = t;
            else
                return false;
            return true;
        }
        case CTL_DEVICES:
            if (p == "devices.allow" || p == "devices.deny")
                r.devices.push_back(device_rule(p, v, p == "devices.allow"));
            else
                return false;
            return true;
    }
    return false;
}

void check_controller(int c) {
    if (!controller_name(c))
        throw Failure(-LCTERR_INVARG, "unknown cgroup controller " + std::to_string(c));
}

}  // namespace
}  // namespace ct::capi

using namespace ct::capi;

extern "C" {

int libct_controller_add(ct_handler_t ct, enum ct_controller ctype) {
    return guard([&] {
        auto l = lock(ct);
        check_controller(ctype);
        ct->require_stopped();
        ct->controllers.insert(ctype);
        return 0;
    });
}

int libct_controller_configure(ct_handler_t ct, enum ct_controller ctype, const char *param,
                               const char *value) {
    return guard([&] {
        auto l = lock(ct);
        check_controller(ctype);
        std::string p = need_str(param, "cgroup parameter");
        std::string v = need_str(value, "cgroup value");
        if (!ct->controllers.count(ctype))
            throw Failure(-LCTERR_NOTFOUND, "container '" + ct->name + "' has no " +
                                                controller_name(ctype) +
                                                " controller (libct_controller_add)");
        auto st = ct->backend_state();
        bool live = st == ct::State::running || st == ct::State::paused;
        ct::Resources r;
        if (map_param(r, ctype, p, v)) {
            if (live) {
                try {
                    ct->ct->update(r);
                } catch (const ct::Error &e) {
                    if (e.code() == ct::Errc::unsupported) throw;
                    throw Failure(-LCTERR_CGCONFIG, e.what());
                }
            }
            // Kept for the next spawn too (the fields set in r replace the recorded ones).
            map_param(ct->spec.resources, ctype, p, v);
            return 0;
        }
        if (live) {
            write_cgroup_file(*ct->ct, ctype, p, v);
            return 0;
        }
        for (auto &k : ct->knobs)
            if (k.controller == ctype && k.param == p) {
                k.value = v;
                return 0;
            }
        ct->knobs.push_back({ctype, p, v});
        return 0;
    });
}

int libct_controller_read(ct_handler_t ct, enum ct_controller ctype, const char *param, void *buf,
                          size_t len) {
    return guard([&] {
        auto l = lock(ct);
        check_controller(ctype);
        std::string p = need_str(param, "cgroup parameter");
        if (!buf && len) throw Failure(-LCTERR_INVARG, "libct_controller_read: buffer is NULL");
        if (!ct->ct)
            throw Failure(-LCTERR_BADCTSTATE, "container '" + ct->name + "' has not been spawned");
        std::string data;
        try {
            data = ct->ct->read_cgroup(controller_name(ctype), p);
        } catch (const ct::Error &e) {
            // A file that cannot be read: its errno, as open(2) and read(2) gave it.
            if (e.sys_errno() && e.code() != ct::Errc::unsupported) return -e.sys_errno();
            cgroup_failure(e, -LCTERR_CGCONFIG);
        }
        size_t n = std::min(len, data.size());
        if (n) std::memcpy(buf, data.data(), n);
        return static_cast<int>(n);
    });
}

}  // extern "C"
