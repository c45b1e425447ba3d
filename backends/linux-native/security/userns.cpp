#include "security/userns.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "security/subid.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

std::string text_of(const std::vector<IdMap> &m) {
    std::string t;
    for (const auto &e : m)
        t += std::to_string(e.container_id) + " " + std::to_string(e.host_id) + " " +
             std::to_string(e.size) + "\n";
    return t;
}

std::string ranges_text(const std::vector<SubidRange> &r) {
    if (r.empty()) return "none";
    std::string t;
    for (const auto &e : r)
        t += (t.empty() ? "" : ", ") + std::to_string(e.start) + "-" +
             std::to_string(uint64_t{e.start} + e.count - 1);
    return t;
}

void write_proc(pid_t pid, const char *file, const std::string &text, const char *field) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    // One write: the kernel takes a map only whole, and only once.
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        int e = errno;
        std::string shown = text;
        for (auto &c : shown)
            if (c == '\n') c = ';';
        throw_sys(std::string(field) + ": write '" + shown + "' to " + path, e,
                  e == EINVAL ? Errc::invalid_spec : Errc::backend);
    }
}

// The setuid helper, only where the system installs it: a copy elsewhere (on $PATH) would not
// be setuid, so searching there could only fail later and less clearly.
std::string find_helper(const char *name) {
    for (const char *dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"}) {
        std::string p = std::string(dir) + name;
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    return "";
}

// Runs newuidmap/newgidmap PID (CONTAINER HOST SIZE)...; its stderr becomes the error.
void run_helper(const char *helper, pid_t pid, const std::vector<IdMap> &m, const char *field) {
    std::string path = find_helper(helper);
    if (path.empty())
        throw Error(Errc::unsupported, std::string(field) + ": " + helper +
                                           " not found in /usr/bin, /bin, /usr/sbin or /sbin: an "
                                           "unprivileged caller maps its subordinate ids through "
                                           "it (Debian package uidmap)");
    std::vector<std::string> words{helper, std::to_string(pid)};
    std::string shown = std::string(helper) + " " + std::to_string(pid);
    for (const auto &e : m)
        for (uint32_t v : {e.container_id, e.host_id, e.size}) {
            words.push_back(std::to_string(v));
            shown += " " + words.back();
        }
    std::vector<char *> argv;
    for (auto &w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    char *envp[] = {nullptr};

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0)
        throw_sys(std::string(field) + ": pipe for " + helper, errno);
    Fd rd(pipefd[0]), wr(pipefd[1]);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), 2);
    // Nothing of ours reaches a setuid program: not the launch's pipes, not the state lock.
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    // The launcher may block signals around the clone; the helper gets a clean mask.
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    pid_t child = -1;
    int rc = ::posix_spawn(&child, path.c_str(), &fa, &at, argv.data(), envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    wr.reset();
    if (rc != 0) throw_sys(std::string(field) + ": run " + shown, rc);
    std::string said;
    char buf[512];
    for (ssize_t n; (n = ::read(rd.get(), buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (said.size() < 4096) said.append(buf, static_cast<size_t>(n));
    }
    int st = 0;
    while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return;
    while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
    for (auto &c : said)
        if (c == '\n') c = ' ';
    throw Error(Errc::permission, std::string(field) + ": " + shown + " failed (" +
                                      (WIFEXITED(st) ? "exit " + std::to_string(WEXITSTATUS(st))
                                                     : "signal " + std::to_string(WTERMSIG(st))) +
                                      ")" + (said.empty() ? "" : ": " + said));
}

}  // namespace

bool caller_has_cap(int cap) {
    struct __user_cap_header_struct h {};
    h.version = _LINUX_CAPABILITY_VERSION_3;
    struct __user_cap_data_struct d[2]{};
    if (::syscall(SYS_capget, &h, d) != 0) return false;
    return d[cap / 32].effective & (1U << (cap % 32));
}

bool host_root() {
    if (::geteuid() != 0) return false;
    // The initial namespace maps the whole range onto itself: "0 0 4294967295".
    static const bool initial = [] {
        std::ifstream in("/proc/self/uid_map");
        unsigned long long inside = 1, outside = 1, count = 0;
        in >> inside >> outside >> count;
        return inside == 0 && outside == 0 && count == 4294967295ULL;
    }();
    return initial;
}

bool own_namespace_maps_gid(uint32_t gid) {
    std::ifstream in("/proc/self/gid_map");
    unsigned long long inside = 0, outside = 0, count = 0;
    while (in >> inside >> outside >> count)
        if (gid >= inside && gid - inside < count) return true;
    return false;
}

bool own_namespace_denies_setgroups() {
    std::ifstream in("/proc/self/setgroups");
    std::string word;
    return in >> word && word == "deny";
}

UserNamespace::Side UserNamespace::plan_side(const std::vector<IdMap> &m, bool privileged,
                                             uint32_t own, const char *field, const char *cap,
                                             const char *what, const char *subid_file,
                                             const char *helper) {
    Side s;
    s.map = m;
    if (privileged) return s;
    if (m.size() == 1 && m[0].size == 1 && m[0].host_id == own) return s;
    // Checked here, against the administrator's file, before the setuid helper is asked: the
    // helper checks again, but a spec never reaches it with ids that are not the caller's.
    auto sub = read_subids(subid_file, ::geteuid());
    std::string outside;
    for (const auto &e : m) {
        bool ok = (e.size == 1 && e.host_id == own) || within(sub, e.host_id, e.size);
        if (!ok)
            outside += (outside.empty() ? "" : ", ") + std::to_string(e.host_id) +
                       (e.size > 1 ? "-" + std::to_string(uint64_t{e.host_id} + e.size - 1) : "");
    }
    if (outside.empty()) {
        s.way = Way::helper;
        return s;
    }
    s.way = Way::refused;
    s.refusal = std::string(field) + ": host " + what + " " + outside +
                " cannot be mapped by an unprivileged caller: without " + cap +
                " it may map only its own " + what + " " + std::to_string(own) +
                " (size 1) and its subordinate ranges in " + subid_file + " (" + ranges_text(sub) +
                ", mapped through " + helper + ")";
    return s;
}

UserNamespace::UserNamespace(const Spec &s) {
    for (const auto &n : s.effective_namespaces())
        if (n.type == Namespace::user && n.path.empty()) active_ = true;
    if (!active_) return;
    uid_ = plan_side(s.uid_map, caller_has_cap(CAP_SETUID), static_cast<uint32_t>(::geteuid()),
                     "uid_map", "CAP_SETUID", "uid", "/etc/subuid", "newuidmap");
    bool setgid = caller_has_cap(CAP_SETGID);
    gid_ = plan_side(s.gid_map, setgid, static_cast<uint32_t>(::getegid()), "gid_map", "CAP_SETGID",
                     "gid", "/etc/subgid", "newgidmap");
    // The kernel takes an unprivileged caller's own gid only with setgroups denied; newgidmap,
    // given subordinate gids the administrator granted, leaves setgroups allowed (as for
    // rootless Podman: images whose users have supplementary groups work).
    deny_setgroups_ = !setgid && gid_.way == Way::kernel;
}

bool UserNamespace::maps(const std::vector<IdMap> &m, uint32_t id) {
    for (const auto &e : m)
        if (id >= e.container_id && id - e.container_id < e.size) return true;
    return false;
}

void UserNamespace::check_caller() const {
    if (!active_) return;
    for (const Side *s : {&uid_, &gid_})
        if (s->way == Way::refused) throw Error(Errc::permission, s->refusal);
}

void UserNamespace::write_maps(pid_t pid) const {
    if (!active_) return;
    check_caller();
    if (uid_.way == Way::helper)
        run_helper("newuidmap", pid, uid_.map, "uid_map");
    else
        write_proc(pid, "uid_map", text_of(uid_.map), "uid_map");
    // Without CAP_SETGID, gid_map can only be written once setgroups is denied for good.
    if (deny_setgroups_) write_proc(pid, "setgroups", "deny", "gid_map");
    if (gid_.way == Way::helper)
        run_helper("newgidmap", pid, gid_.map, "gid_map");
    else
        write_proc(pid, "gid_map", text_of(gid_.map), "gid_map");
}

}  // namespace ct::linux_native
