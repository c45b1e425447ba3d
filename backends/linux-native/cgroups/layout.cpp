#include "cgroups/layout.hpp"
#include "support.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <sstream>
#include <vector>

namespace ct::linux_native {
namespace {

// mountinfo escapes spaces and friends as \040 etc.
std::string unescape(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            int v = 0;
            bool ok = true;
            for (int k = 1; k <= 3; ++k) {
                char c = s[i + k];
                if (c < '0' || c > '7') ok = false;
                v = v * 8 + (c - '0');
            }
            if (ok) {
                out += static_cast<char>(v);
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

CgroupLayout CgroupLayout::detect(const std::string &mountinfo_path) {
    CgroupLayout l;
    std::string text;
    if (!read_file(mountinfo_path, text)) throw_sys("read " + mountinfo_path, errno);
    std::istringstream in(text);
    std::string line;
    static const std::set<std::string> kKnown = {
        "memory",  "cpu",     "cpuacct", "pids",     "freezer",    "cpuset", "blkio",
        "devices", "hugetlb", "net_cls", "net_prio", "perf_event", "rdma",   "misc"};
    while (std::getline(in, line)) {
        // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
        std::istringstream ls(line);
        std::vector<std::string> f;
        std::string tok;
        while (ls >> tok) f.push_back(tok);
        size_t dash = 0;
        while (dash < f.size() && f[dash] != "-") ++dash;
        if (f.size() < 5 || dash + 1 >= f.size()) continue;
        const std::string &fstype = f[dash + 1];
        std::string mnt = unescape(f[4]);
        if (f[3] != "/") continue;  // a bind of a sub-cgroup: not a hierarchy root
        if (fstype == "cgroup2") {
            if (l.v2_root.empty()) l.v2_root = mnt;
        } else if (fstype == "cgroup" && dash + 3 < f.size()) {
            std::istringstream so(f[dash + 3]);
            std::string opt;
            while (std::getline(so, opt, ','))
                // Controllers, and named hierarchies ("name=systemd") under their option.
                if ((kKnown.count(opt) || opt.rfind("name=", 0) == 0) && !l.v1.count(opt))
                    l.v1[opt] = mnt;
        }
    }
    if (!l.v2_root.empty()) {
        std::string ctrls;
        if (read_file(l.v2_root + "/cgroup.controllers", ctrls)) {
            std::istringstream cs(ctrls);
            std::string c;
            while (cs >> c) l.v2_controllers.insert(c);
        }
    }
    if (l.v1.empty())
        l.mode = l.v2_root.empty() ? CgroupMode::legacy : CgroupMode::unified;
    else
        l.mode = l.v2_root.empty() ? CgroupMode::legacy : CgroupMode::hybrid;
    return l;
}

std::string CgroupLayout::where(const std::string &controller) const {
    if (v1.count(controller)) return "v1";
    if (v2_controllers.count(controller)) return "v2";
    // cpuacct's job (usage) is done by cpu.stat on v2, which exists without any controller.
    if (controller == "cpuacct" && !v2_root.empty()) return "v2";
    return "";
}

const char *CgroupLayout::mode_name() const {
    switch (mode) {
        case CgroupMode::legacy:
            return "v1";
        case CgroupMode::hybrid:
            return "hybrid";
        case CgroupMode::unified:
            return "v2";
    }
    return "?";
}

void mount_named_hierarchy(const std::string &name) {
    std::string x = name.substr(5);
    std::string dir = "/sys/fs/cgroup/." + x;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        throw_sys("cgroups: " + name + " is mounted nowhere on this host, and making " + dir +
                      " to mount it failed",
                  errno);
    std::string opts = "none," + name;
    if (::mount("cgroup", dir.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts.c_str()) !=
        0) {
        int e = errno;
        ::rmdir(dir.c_str());
        throw_sys("cgroups: mount the named hierarchy " + name + " at " + dir, e);
    }
}

}  // namespace ct::linux_native
