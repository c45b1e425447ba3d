#include "security/confine.hpp"

#include <algorithm>

#include "ct/error.hpp"
#include "security/caps.hpp"
#include "security/exec_stub.hpp"
#include "security/lsm.hpp"
#include "security/tty_guard.hpp"

namespace ct::linux_native {
namespace {

bool new_mountns(const Spec &s) {
    for (const auto &n : s.effective_namespaces())
        if (n.type == Namespace::mount) return n.path.empty();
    return false;
}

// A procfs or sysfs the spec mounts somewhere else than /proc or /sys is the same kernel
// interface: unconfined, a second procfs would give a writable /proc/sys (core_pattern runs a
// program as the host's root) and an unmasked /proc/kcore. The paths under /proc and /sys
// apply below each such mount too.
std::vector<std::string> with_other_mounts(const Spec &s, std::vector<std::string> paths) {
    std::vector<std::string> more;
    for (const auto &m : s.mounts) {
        const char *home = m.type == "proc" ? "/proc" : m.type == "sysfs" ? "/sys" : nullptr;
        std::string target = m.target;
        while (target.size() > 1 && target.back() == '/') target.pop_back();
        if (!home || target == home) continue;
        std::string prefix = std::string(home) + "/";
        for (const auto &p : paths)
            if (p.rfind(prefix, 0) == 0) more.push_back(target + p.substr(prefix.size() - 1));
    }
    paths.insert(paths.end(), more.begin(), more.end());
    return paths;
}

}  // namespace

std::vector<std::string> effective_masked_paths(const Spec &s) {
    return with_other_mounts(s, s.effective_masked_paths());
}

std::vector<std::string> effective_readonly_paths(const Spec &s) {
    return with_other_mounts(s, s.effective_readonly_paths());
}

void plan_confinement(LaunchPlan &p, const Spec &s, const ProcessSpec &proc, SeccompCache &cache,
                      bool init) {
    Capabilities caps = container_capabilities(s, proc, "process.capabilities");
    if (!init) {
        // The container's ceiling: what its init may hold. Above it, a process could do what
        // the container was not made for (mount a cgroup tree its layout does not hide).
        Capabilities ceiling = container_capabilities(s, s.process, "process.capabilities");
        for (const auto &c : caps.bounding)
            if (std::find(ceiling.bounding.begin(), ceiling.bounding.end(), c) ==
                ceiling.bounding.end())
                throw Error(Errc::permission, "process.capabilities: " + c +
                                                  " is not in the bounding set of "
                                                  "container '" +
                                                  s.name +
                                                  "'; a process in it can only have what the "
                                                  "container has (create it with that capability)");
    }
    p.seccomp = cache.for_process(s, caps);
    if (!proc.new_session) p.seccomp_guard = cache.get(terminal_injection_guard());
    LsmExec lsm = plan_lsm(proc, "process");
    p.lsm_attr = lsm.attr;
    p.lsm_value = lsm.value;
    if (!proc.args.empty()) p.exec_stub = open_exec_stub();
    p.nondumpable = true;
    if (init && new_mountns(s)) {
        p.masked_paths = effective_masked_paths(s);
        p.readonly_paths = effective_readonly_paths(s);
    }
}

void check_confinement(const Spec &s, SeccompCache &cache) {
    plan_lsm(s.process, "process");
    cache.for_process(s, container_capabilities(s, s.process, "process.capabilities"));
}

bool may_mount_cgroups(const Spec &s) {
    if (s.has_namespace(Namespace::user)) return true;
    if (s.seccomp) return true;  // unconfined, or a profile of the user's
    auto b = container_capabilities(s, s.process, "process.capabilities").bounding;
    return std::find(b.begin(), b.end(), "CAP_SYS_ADMIN") != b.end();
}

}  // namespace ct::linux_native

namespace ct::linux_native {
namespace {

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &x : v) out += (out.empty() ? "" : ",") + x;
    return out.empty() ? "-" : out;
}

}  // namespace

std::map<std::string, std::string> confinement_details(const Spec &s) {
    std::map<std::string, std::string> d;
    const auto &p = s.process;
    try {
        Capabilities c = container_capabilities(s, p, "process.capabilities");
        if (c.effective == c.bounding && c.permitted == c.bounding && c.inheritable.empty() &&
            c.ambient.empty()) {
            d["security.capabilities"] = join(c.bounding);
        } else {
            d["security.capabilities.bounding"] = join(c.bounding);
            d["security.capabilities.effective"] = join(c.effective);
            d["security.capabilities.permitted"] = join(c.permitted);
            d["security.capabilities.inheritable"] = join(c.inheritable);
            d["security.capabilities.ambient"] = join(c.ambient);
        }
    } catch (const Error &e) {
        d["security.capabilities"] = e.what();
    }
    d["security.seccomp"] = !s.seccomp ? "default"
                            : s.seccomp->unconfined
                                ? "unconfined"
                                : "profile (" + std::to_string(s.seccomp->syscalls.size()) +
                                      " rules, default " + s.seccomp->default_action + ")";
    if (new_mountns(s)) {
        d["security.masked_paths"] = join(effective_masked_paths(s));
        d["security.readonly_paths"] = join(effective_readonly_paths(s));
    } else {
        d["security.masked_paths"] = "- (no mount namespace of its own: the host's mounts)";
    }
    if (!p.new_session)
        d["security.terminal_injection"] = "refused (TIOCSTI, TIOCLINUX: in the caller's session)";
    d["security.no_new_privileges"] = p.no_new_privileges ? "yes" : "no";
    d["security.session_keyring"] = s.inherit_keyring ? "the caller's" : "a new one per process";
    if (!p.apparmor_profile.empty()) d["security.apparmor_profile"] = p.apparmor_profile;
    if (!p.selinux_label.empty()) d["security.selinux_label"] = p.selinux_label;
    d["security.cgroups"] = may_mount_cgroups(s) ? "own directory in every hierarchy"
                                                 : "own directory in the hierarchies it uses; "
                                                   "cannot mount others";
    return d;
}

}  // namespace ct::linux_native
