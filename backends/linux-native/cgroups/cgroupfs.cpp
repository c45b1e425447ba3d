// The cgroupfs managers (manager.hpp): directories made with mkdir, limits written to their
// files. What differs between legacy, unified and hybrid hosts is where a controller lives.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <set>
#include <sstream>

#include "cgroups/limits.hpp"
#include "cgroups/manager.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

enum class Where { none, v1, v2 };

class CgroupfsManager : public CgroupManager {
  public:
    using CgroupManager::CgroupManager;

    ContainerCgroups plan(const std::string &parent, const std::string &name, const Resources &res,
                          const std::vector<std::string> &extra,
                          bool every_hierarchy) const override;
    void create(const ContainerCgroups &cg, const std::string &parent) const override;
    void apply(const ContainerCgroups &cg, const Resources &res) const override;
    void enable_above(const ContainerCgroups &cg) const;

  protected:
    // Where `controller` (v1 name: "blkio", not "io") is used on this host.
    virtual Where place(const std::string &controller) const = 0;
    // The controllers every container gets besides the limits' (pause, CPU time, devices),
    // with the field that needs each, for messages.
    virtual std::vector<std::pair<std::string, const char *>> always() const = 0;
    bool has_v2_tree() const { return !layout_.v2_root.empty(); }
    // Controllers create() enables on a unified host for every container (enable_v2_controllers).
    bool enabled_anyway(const std::string &c) const {
        return layout_.mode == CgroupMode::unified &&
               (c == "memory" || c == "pids" || c == "cpu" || c == "cpuset" || c == "io");
    }
};

ContainerCgroups CgroupfsManager::plan(const std::string &parent, const std::string &name,
                                       const Resources &res, const std::vector<std::string> &extra,
                                       bool every_hierarchy) const {
    const CgroupLayout &l = layout_;
    std::string rel = parent.empty() ? "/" + name : "/" + parent + "/" + name;
    ContainerCgroups::Paths paths, roots;
    std::vector<std::string> order;
    auto add_v1 = [&](const std::string &h) {
        if (paths.count(h)) return;
        std::string path = l.v1.at(h) + rel;
        bool comounted = false;  // e.g. cpu,cpuacct in one hierarchy: one directory
        for (const auto &[k, p] : paths) comounted |= p == path;
        paths[h] = path;
        roots[h] = l.v1.at(h);
        if (!comounted) order.push_back(h);
    };
    bool v2_used = has_v2_tree();
    auto missing = [&](const std::string &ctrl, const char *field) {
        std::string shown = ctrl == "blkio" && l.mode == CgroupMode::unified ? "io" : ctrl;
        return Error(Errc::unsupported,
                     std::string(field) + ": this host has no '" + shown + "' cgroup controller");
    };
    bool want_cpu = has_cpu_limit(res.cpu);
    std::vector<std::string> v2_enable;  // controllers to enable above the container (hybrid)
    // The limits' controllers: memory and pids always (limits and statistics, best effort
    // when the spec sets neither), cpu whenever it is a v1 hierarchy (statistics), cpuset and
    // blkio only when asked for: each v1 directory costs ~0.1 ms of the life cycle.
    struct Want {
        std::string ctrl;
        const char *field;
        bool asked;     // a limit of the spec needs it
        bool optional;  // wanted without a limit: skipped where the host lacks it
    };
    std::vector<Want> wants = {
        {"memory", "resources.memory", res.memory || res.memory_swap || has_memory_more(res), true},
        {"pids", "resources.pids", res.pids.has_value(), true},
        {"cpu", "resources.cpu", want_cpu, !want_cpu},
        {"cpuset", "resources.cpu.cpus", !res.cpu.cpus.empty() || !res.cpu.mems.empty(), false},
        {"blkio", res.io_weight ? "resources.io_weight" : "resources.io",
         res.io_weight || has_device_limits(res.io), false},
        {"hugetlb", "resources.hugepages", !res.hugepages.empty(), false}};
    for (const auto &w : wants) {
        if (!w.asked && !(w.optional && (w.ctrl != "cpu" || place("cpu") == Where::v1))) continue;
        switch (place(w.ctrl)) {
            case Where::v1:
                add_v1(w.ctrl);
                break;
            case Where::v2:
                v2_used = true;
                // Hybrid: the cgroup2 tree enables nothing for us; the limits asked for need
                // their controller in every ancestor's subtree_control (unified hosts enable
                // the usual ones in create()).
                if (w.asked && !enabled_anyway(w.ctrl == "blkio" ? "io" : w.ctrl))
                    v2_enable.push_back(w.ctrl == "blkio" ? "io" : w.ctrl);
                break;
            case Where::none:
                if (w.asked) throw missing(w.ctrl, w.field);
        }
    }
    for (const auto &[ctrl, field] : always()) {
        if (place(ctrl) == Where::v1) add_v1(ctrl);
        (void)field;
    }
    for (const auto &h : extra) {
        std::string v2_name = h == "blkio" ? "io" : h;
        if (l.v1.count(h))
            add_v1(h);
        else if (has_v2_tree() && l.v2_controllers.count(v2_name))
            v2_used = true;
        else if (h.rfind("name=", 0) == 0)
            throw Error(Errc::unsupported, "cgroups: the named cgroup hierarchy '" + h +
                                               "' is not mounted on this host");
        else
            throw missing(h, "cgroups");
    }
    if (every_hierarchy)
        for (const auto &[h, mount] : l.v1) add_v1(h);
    // cgroup-v2 files by name: the cgroup2 directory, with the controller the file belongs to
    // enabled when the tree has it (a file of no controller there is refused by apply()).
    if (!res.unified.empty()) {
        if (!has_v2_tree())
            throw Error(Errc::unsupported, "resources.unified." + res.unified.begin()->first +
                                               ": this host has no cgroup2 hierarchy");
        v2_used = true;
        for (const auto &[file, value] : res.unified) {
            std::string ctrl = file.substr(0, file.find('.'));
            if (l.v2_controllers.count(ctrl) && !enabled_anyway(ctrl) &&
                std::find(v2_enable.begin(), v2_enable.end(), ctrl) == v2_enable.end())
                v2_enable.push_back(ctrl);
        }
    }
    if (v2_used) {
        paths["unified"] = l.v2_root + rel;
        roots["unified"] = l.v2_root;
        order.push_back("unified");
    }
    ContainerCgroups cg(std::move(paths), std::move(roots), std::move(order));
    if (v2_used) cg.set_v2_enable(std::move(v2_enable));
    return cg;
}

void CgroupfsManager::create(const ContainerCgroups &cg, const std::string &parent) const {
    if (layout_.mode == CgroupMode::unified) enable_v2_controllers(layout_, parent);
    cg.create();
    if (cg.v2_enable().empty()) return;
    try {
        enable_above(cg);
    } catch (...) {
        cg.remove();
        throw;
    }
}

// After the directories exist (so that the parents create() made are its to remove), from the
// root down. What is enabled stays enabled: turning a controller off in an ancestor takes it
// from every container below it, other containers' included, and the kernel refuses it while
// any descendant enables it further down; runc leaves them on too.
void CgroupfsManager::enable_above(const ContainerCgroups &cg) const {
    const std::string &dir = cg.paths().at("unified");
    const std::string &root = layout_.v2_root;
    std::vector<std::string> chain = {root};
    for (size_t pos = root.size() + 1; (pos = dir.find('/', pos)) != std::string::npos; ++pos)
        chain.push_back(dir.substr(0, pos));
    for (const auto &d : chain) {
        std::string on;
        read_file(d + "/cgroup.subtree_control", on);
        std::istringstream words(on);
        std::set<std::string> enabled{std::istream_iterator<std::string>(words), {}};
        for (const auto &c : cg.v2_enable()) {
            if (enabled.count(c)) continue;
            if (!write_file(d + "/cgroup.subtree_control", "+" + c)) {
                int e = errno;
                throw_sys("cgroups: enable the " + c + " controller for the container in " + d +
                              "/cgroup.subtree_control" +
                              (e == EBUSY ? " (processes live in that cgroup itself)" : ""),
                          e);
            }
        }
    }
}

// Each limit goes to the container's v1 directory of its controller when it has one, else to
// its cgroup2 directory.
void CgroupfsManager::apply(const ContainerCgroups &cg, const Resources &r) const {
    const auto &p = cg.paths();
    auto dir = [&](const char *key) {
        auto it = p.find(key);
        return it == p.end() ? std::string() : it->second;
    };
    std::string v2 = dir("unified");
    for (const auto &limit : limit_writers()) {
        if (!limit.set(r)) continue;
        std::string v1 = dir(limit.v1_key);
        if (!v1.empty())
            limit.v1(v1, r);
        else if (!v2.empty())
            limit.v2(v2, r);
        else
            throw Error(Errc::unsupported, std::string(limit.field) + ": the container has no '" +
                                               limit.v1_key + "' cgroup");
    }
}

class LegacyManager : public CgroupfsManager {
  public:
    using CgroupfsManager::CgroupfsManager;
    const char *name() const override { return "cgroupfs (v1)"; }

  protected:
    Where place(const std::string &c) const override {
        return layout_.v1.count(c) ? Where::v1 : Where::none;
    }
    // Without a cgroup2 tree: freezer for pause and kill, cpuacct for CPU time, the devices
    // controller for the device list.
    std::vector<std::pair<std::string, const char *>> always() const override {
        return {{"devices", "devices"}, {"freezer", "pause"}, {"cpuacct", "stats"}};
    }
};

class UnifiedManager : public CgroupfsManager {
  public:
    using CgroupfsManager::CgroupfsManager;
    const char *name() const override { return "cgroupfs (v2)"; }

  protected:
    Where place(const std::string &c) const override {
        return layout_.v2_controllers.count(c == "blkio" ? "io" : c) ? Where::v2 : Where::none;
    }
    std::vector<std::pair<std::string, const char *>> always() const override { return {}; }
};

class HybridManager : public CgroupfsManager {
  public:
    using CgroupfsManager::CgroupfsManager;
    const char *name() const override { return "cgroupfs (hybrid)"; }

  protected:
    // v1 where the host mounted the controller there, else the cgroup2 tree's.
    Where place(const std::string &c) const override {
        if (layout_.v1.count(c)) return Where::v1;
        return layout_.v2_controllers.count(c == "blkio" ? "io" : c) ? Where::v2 : Where::none;
    }
    // The cgroup2 directory tracks, freezes, kills and carries the device program: no v1
    // freezer, cpuacct or devices directory on the hot path.
    std::vector<std::pair<std::string, const char *>> always() const override { return {}; }
};

}  // namespace

std::unique_ptr<CgroupManager> CgroupManager::for_host(CgroupLayout layout) {
    switch (layout.mode) {
        case CgroupMode::unified:
            return std::make_unique<UnifiedManager>(std::move(layout));
        case CgroupMode::hybrid:
            return std::make_unique<HybridManager>(std::move(layout));
        case CgroupMode::legacy:
            break;
    }
    return std::make_unique<LegacyManager>(std::move(layout));
}

void enable_v2_controllers(const CgroupLayout &l, const std::string &parent) {
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
