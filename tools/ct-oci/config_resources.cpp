// OCI LinuxResources: config.json's linux.resources and update's --resources document. Engines
// write zeros for "not set" (docker: "shares": 0), which stays unset here, as runc reads it.
#include "config.hpp"
#include "ct/error.hpp"
#include "reader.hpp"

namespace ct::oci {
namespace {

const char kNoLimit[] = "libct has no such limit (docs/oci.md lists the supported ones)";

void memory_from(const Node &m, Resources &r) {
    if (auto v = m.int64("limit"); v && *v != 0) r.memory = *v < 0 ? -1 : *v;
    if (auto v = m.int64("swap"); v && *v != 0) r.memory_swap = *v < 0 ? -1 : *v;
    m.refuse_set("reservation", kNoLimit);
    m.refuse_set("kernel", "kernel memory limits are deprecated and not supported");
    m.refuse_set("kernelTCP", "kernel TCP memory limits are not supported");
    m.refuse_set("swappiness", kNoLimit);
    m.refuse_set("disableOOMKiller", "turning the OOM killer off is not supported");
    m.refuse_set("checkBeforeUpdate", kNoLimit);
    // useHierarchy: every hierarchy this runs on is hierarchical; true and false read the same.
}

void cpu_from(const Node &c, Resources &r) {
    if (auto v = c.uint64("shares"); v && *v) r.cpu.shares = *v;
    if (auto v = c.int64("quota"); v && *v) r.cpu.quota_us = *v < 0 ? -1 : *v;
    if (auto v = c.uint64("period"); v && *v) r.cpu.period_us = *v;
    r.cpu.cpus = c.str("cpus");
    r.cpu.mems = c.str("mems");
    c.refuse_set("realtimeRuntime", kNoLimit);
    c.refuse_set("realtimePeriod", kNoLimit);
    c.refuse_set("idle", kNoLimit);
    c.refuse_set("burst", kNoLimit);
}

void block_io_from(const Node &b, Resources &r) {
    if (auto v = b.uint64("weight"); v && *v) r.io_weight = *v;
    b.refuse_set("leafWeight", kNoLimit);
    b.refuse_set("weightDevice", kNoLimit);
    b.refuse_set("throttleReadBpsDevice", kNoLimit);
    b.refuse_set("throttleWriteBpsDevice", kNoLimit);
    b.refuse_set("throttleReadIOPSDevice", kNoLimit);
    b.refuse_set("throttleWriteIOPSDevice", kNoLimit);
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
    n.refuse_set("hugepageLimits", kNoLimit);
    n.refuse_set("network", "network classes and priorities (net_cls, net_prio) are not supported");
    n.refuse_set("rdma", kNoLimit);
    n.refuse_set("unified",
                 "cgroup v2 files by name are not supported (libct sets limits by "
                 "field)");
    return r;
}

}  // namespace ct::oci
