// OCI LinuxResources: config.json's linux.resources and update's --resources document. Engines
// write zeros for "not set" (docker: "shares": 0), which stays unset here, as runc reads it.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "config.hpp"
#include "ct/error.hpp"
#include "reader.hpp"

namespace ct::oci {
namespace {

// Whether a cgroup hierarchy of this host has one of `names` (v1 mount options, or the
// cgroup2 tree's cgroup.controllers), for the refusal of a limit libct does not set.
bool host_has_controller(const std::vector<std::string> &names) {
    std::ifstream mi("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mi, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream rest(line.substr(dash + 3));
        std::string fstype, source, opts;
        rest >> fstype >> source >> opts;
        std::string text;
        if (fstype == "cgroup") {
            text = "," + opts + ",";
        } else if (fstype == "cgroup2") {
            std::istringstream f(line);
            std::string mnt;
            for (int i = 0; i < 5; ++i) f >> mnt;
            std::ifstream c(mnt + "/cgroup.controllers");
            std::getline(c, text);
            for (auto &ch : text)
                if (ch == ' ') ch = ',';
            text = "," + text + ",";
        }
        for (const auto &n : names)
            if (text.find("," + n + ",") != std::string::npos) return true;
    }
    return false;
}

std::string controller_refusal(const std::vector<std::string> &names, const std::string &what) {
    std::string list;
    for (const auto &n : names) list += (list.empty() ? "" : " or ") + n;
    if (!host_has_controller(names))
        return what + " need the " + list +
               " cgroup controller, which this host has not mounted (/proc/self/mountinfo)";
    return what + " (" + list + ") are not supported by libct";
}

// Leaf weights were CFQ's, which Linux 5.0 removed: no kernel this runs on has the file.
std::string leaf_weight_refusal() {
    if (::access("/sys/fs/cgroup/blkio/blkio.leaf_weight", F_OK) != 0)
        return "this host's blkio controller has no leaf weights "
               "(/sys/fs/cgroup/blkio/blkio.leaf_weight is missing: the CFQ scheduler is gone)";
    return "leaf weights are not supported by libct";
}

const char kNoLimit[] = "libct has no such limit (docs/oci.md lists the supported ones)";

void memory_from(const Node &m, Resources &r) {
    if (auto v = m.int64("limit"); v && *v != 0) r.memory = *v < 0 ? -1 : *v;
    if (auto v = m.int64("swap"); v && *v != 0) r.memory_swap = *v < 0 ? -1 : *v;
    if (auto v = m.int64("reservation"); v && *v != 0) r.memory_reservation = *v < 0 ? -1 : *v;
    // 0 is a swappiness (Docker's --memory-swappiness 0); -1 is runc's "not set".
    if (auto v = m.int64("swappiness"); v && *v != -1) {
        if (*v < 0 || *v > 100) m.fail("swappiness", std::to_string(*v) + " is outside 0..100");
        r.memory_swappiness = static_cast<uint64_t>(*v);
    }
    if (m.boolean("disableOOMKiller")) r.oom_kill_disable = true;
    m.refuse_set("kernel", "kernel memory limits are deprecated and not supported");
    m.refuse_set("kernelTCP", "kernel TCP memory limits are deprecated and not supported");
    m.refuse_set("checkBeforeUpdate", kNoLimit);
    // useHierarchy: every hierarchy this runs on is hierarchical; true and false read the same.
}

void cpu_from(const Node &c, Resources &r) {
    if (auto v = c.uint64("shares"); v && *v) r.cpu.shares = *v;
    if (auto v = c.int64("quota"); v && *v) r.cpu.quota_us = *v < 0 ? -1 : *v;
    if (auto v = c.uint64("period"); v && *v) r.cpu.period_us = *v;
    r.cpu.cpus = c.str("cpus");
    r.cpu.mems = c.str("mems");
    // As runc: a zero realtime figure is "not set"; idle and burst are set when present.
    if (auto v = c.int64("realtimeRuntime"); v && *v) r.cpu.rt_runtime_us = *v < 0 ? -1 : *v;
    if (auto v = c.uint64("realtimePeriod"); v && *v) r.cpu.rt_period_us = *v;
    if (auto v = c.int64("idle")) r.cpu.idle = *v;
    if (auto v = c.uint64("burst")) r.cpu.burst_us = *v;
}

// {major, minor, <value key>} -> a per-device limit.
DeviceLimit device_limit(const Node &d, const char *value_key) {
    auto major = d.uint32("major"), minor = d.uint32("minor");
    if (!major) d.fail("major", "a device needs its major and minor numbers");
    if (!minor) d.fail("minor", "a device needs its major and minor numbers");
    return {*major, *minor, d.uint64(value_key).value_or(0)};
}

std::vector<DeviceLimit> device_limits(const Node &b, const char *list, const char *value_key) {
    std::vector<DeviceLimit> out;
    for (const auto &d : b.items(list)) out.push_back(device_limit(d, value_key));
    return out;
}

// A blkio weight of the document, as the spec's io weight (0: not set).
uint64_t io_weight_at(const Node &n, const char *key) {
    uint64_t w = n.uint64(key).value_or(0);
    auto v = io_weight_of_blkio(w);
    if (!v) n.fail(key, std::to_string(w) + " is not a blkio weight (10..1000)");
    return *v;
}

void block_io_from(const Node &b, Resources &r) {
    if (uint64_t v = io_weight_at(b, "weight")) r.io_weight = v;
    if (b.has("leafWeight")) b.refuse_set("leafWeight", leaf_weight_refusal());
    for (const auto &d : b.items("weightDevice")) {
        if (d.has("leafWeight")) d.refuse_set("leafWeight", leaf_weight_refusal());
        if (uint64_t v = io_weight_at(d, "weight")) {
            DeviceLimit l = device_limit(d, "weight");
            l.value = v;
            r.io.weight_device.push_back(l);
        }
    }
    r.io.read_bps = device_limits(b, "throttleReadBpsDevice", "rate");
    r.io.write_bps = device_limits(b, "throttleWriteBpsDevice", "rate");
    r.io.read_iops = device_limits(b, "throttleReadIOPSDevice", "rate");
    r.io.write_iops = device_limits(b, "throttleWriteIOPSDevice", "rate");
}

std::vector<HugepageLimit> hugepages_from(const Node &n) {
    std::vector<HugepageLimit> out;
    for (const auto &h : n.items("hugepageLimits")) {
        std::string size = h.str("pageSize");
        if (size.empty()) h.fail("pageSize", "a huge page limit needs its page size (2MB, 1GB)");
        auto limit = h.uint64("limit").value_or(0);
        // The kernel's "no limit" reads back as the largest page-aligned figure; both mean none.
        out.push_back(
            {size, limit > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(limit)});
    }
    return out;
}

DeviceRule rule_from(const Node &d) {
    DeviceRule rule;
    rule.allow = d.boolean("allow");
    rule.type = d.str("type", "a");
    if (auto v = d.int64("major"); v && *v >= 0) rule.major = *v;
    if (auto v = d.int64("minor"); v && *v >= 0) rule.minor = *v;
    rule.access = d.str("access", "rwm");
    return rule;
}

}  // namespace

std::optional<uint64_t> io_weight_of_blkio(uint64_t weight) {
    if (weight == 0) return 0;
    if (weight < 10 || weight > 1000) return std::nullopt;
    return 1 + (weight - 10) * 9999 / 990;
}

Resources resources_from_config(const json &j, const std::string &origin, const std::string &path) {
    Node n(j, origin, path);
    Resources r;
    auto rules = n.items("devices");
    for (size_t i = 0; i < rules.size(); ++i) {
        DeviceRule rule = rule_from(rules[i]);
        // Engines start the list with "deny everything", which libct's list starts with too;
        // repeated after libct's defaults it would deny /dev/null (runc appends its defaults
        // after the bundle's rules instead).
        if (i == 0 && !rule.allow && rule.type == "a" && !rule.major && !rule.minor &&
            rule.access == "rwm")
            continue;
        r.devices.push_back(rule);
    }
    if (auto m = n.object("memory")) memory_from(*m, r);
    if (auto c = n.object("cpu")) cpu_from(*c, r);
    if (auto p = n.object("pids")) {
        if (auto v = p->int64("limit"); v && *v != 0) r.pids = *v < 0 ? -1 : *v;
    }
    if (auto b = n.object("blockIO")) block_io_from(*b, r);
    r.hugepages = hugepages_from(n);
    n.refuse_set("network", controller_refusal({"net_cls", "net_prio"},
                                               "network classes and "
                                               "priorities"));
    n.refuse_set("rdma", controller_refusal({"rdma"}, "RDMA limits"));
    for (const auto &[file, value] : n.string_map("unified")) r.unified[file] = value;
    return r;
}

}  // namespace ct::oci
