// The OCI process: config.json's "process" and exec's --process document.
#include <algorithm>
#include <cctype>

#include "config.hpp"
#include "ct/error.hpp"
#include "reader.hpp"

namespace ct::oci {
namespace {

bool holds(const std::vector<std::string> &set, const std::string &cap) {
    return std::find(set.begin(), set.end(), cap) != set.end();
}

Capabilities capabilities_from(const Node &c, const Warn &warn) {
    Capabilities caps;
    caps.bounding = c.strings("bounding");
    caps.effective = c.strings("effective");
    caps.permitted = c.strings("permitted");
    caps.inheritable = c.strings("inheritable");
    // The kernel raises an ambient capability only if it is permitted and inheritable; runc
    // has always let the others go (it ignored the EPERM, and warns since 1.2), and engines
    // rely on that, so they are left out here rather than refused by the spec's validator.
    std::string dropped;
    for (const auto &cap : c.strings("ambient")) {
        if (holds(caps.permitted, cap) && holds(caps.inheritable, cap))
            caps.ambient.push_back(cap);
        else
            dropped += (dropped.empty() ? "" : ", ") + cap;
    }
    if (!dropped.empty() && warn)
        warn(c.field("ambient") + ": not raised (not both permitted and inheritable): " + dropped);
    return caps;
}

Rlimit rlimit_from(const Node &r) {
    std::string type = r.str("type");
    std::string lower = type;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.rfind("rlimit_", 0) != 0 || lower.size() == 7)
        r.fail("type", "'" + type + "' is not RLIMIT_<NAME>");
    Rlimit l;
    l.type = lower.substr(7);
    l.soft = r.uint64("soft").value_or(0);
    l.hard = r.uint64("hard").value_or(0);
    return l;
}

}  // namespace

ProcessSpec process_from_config(const json &j, const std::string &origin, const std::string &path,
                                const Warn &warn) {
    Node p(j, origin, path);
    ProcessSpec out;
    out.terminal = p.boolean("terminal");
    if (auto cs = p.object("consoleSize")) {
        ConsoleSize size;
        size.rows = cs->uint32("height").value_or(0);
        size.cols = cs->uint32("width").value_or(0);
        // Engines send 0x0 for "unknown"; only a real size is set on the pty.
        if (out.terminal && (size.rows || size.cols)) out.console_size = size;
    }
    if (auto u = p.object("user")) {
        out.user.uid = u->uint32("uid").value_or(0);
        out.user.gid = u->uint32("gid").value_or(0);
        if (auto m = u->uint32("umask")) out.umask = *m;
        out.user.additional_gids = u->uint32s("additionalGids");
        u->refuse_set("username", "user names are a Windows field; give uid and gid");
    }
    out.args = p.strings("args");
    p.refuse_set("commandLine", "a Windows field; give args");
    out.env = p.strings("env");
    out.cwd = p.str("cwd", "/");
    if (auto c = p.object("capabilities"))
        out.capabilities = capabilities_from(*c, warn);
    else
        out.capabilities = Capabilities{};  // none: the OCI spec's meaning of no capabilities
    for (const auto &r : p.items("rlimits")) out.rlimits.push_back(rlimit_from(r));
    out.no_new_privileges = p.boolean("noNewPrivileges");
    out.apparmor_profile = p.str("apparmorProfile");
    out.selinux_label = p.str("selinuxLabel");
    if (auto o = p.int64("oomScoreAdj")) {
        if (*o < -1000 || *o > 1000) p.fail("oomScoreAdj", "is not in -1000..1000");
        out.oom_score_adj = static_cast<int32_t>(*o);
    }
    p.refuse_set("ioPriority", "I/O priorities are not supported by ct-oci");
    p.refuse_set("scheduler", "scheduling policies are not supported by ct-oci");
    p.refuse_set("execCPUAffinity", "CPU affinities of exec are not supported by ct-oci");
    return out;
}

}  // namespace ct::oci
