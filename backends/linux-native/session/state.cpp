#include "session/state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sstream>

#include "ct/backend/fault.hpp"
#include "ct/internal/document.hpp"
#include "monitor/monitor.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

constexpr const char kStateFile[] = "state.json";
constexpr const char kExitFile[] = "exit";
constexpr const char kNewPrefix[] = ".new.";      // a create before its rename
constexpr const char kTrashPrefix[] = ".trash.";  // a remove after its rename

nlohmann::json to_json(const ContainerState &s) {
    nlohmann::json j{{"version", 1},
                     {"spec", doc::spec_to_json(s.spec)},
                     {"status", s.status},
                     {"previous", s.previous},
                     {"created", s.created},
                     {"pid", s.pid},
                     {"pid_start", s.pid_start},
                     {"monitor_pid", s.monitor_pid},
                     {"monitor_start", s.monitor_start},
                     {"cgroups", s.cgroups}};
    if (s.exit_wstatus) j["exit_wstatus"] = *s.exit_wstatus;
    if (!s.area_made.empty()) j["area_made"] = s.area_made;
    if (s.updating) j["updating"] = true;
    if (s.starting_pid) {
        j["starting_pid"] = s.starting_pid;
        j["starting_pid_start"] = s.starting_pid_start;
    }
    return j;
}

ContainerState from_json(const nlohmann::json &j) {
    ContainerState s;
    s.spec = doc::spec_from_json(j.at("spec"));
    s.status = j.at("status").get<std::string>();
    s.previous = j.value("previous", "");
    s.created = j.value("created", int64_t{0});
    s.pid = j.value("pid", int64_t{0});
    s.pid_start = j.value("pid_start", 0ULL);
    s.monitor_pid = j.value("monitor_pid", int64_t{0});
    s.monitor_start = j.value("monitor_start", 0ULL);
    if (j.contains("exit_wstatus")) s.exit_wstatus = j.at("exit_wstatus").get<int>();
    if (j.contains("cgroups")) s.cgroups = j.at("cgroups").get<ContainerCgroups::Paths>();
    if (j.contains("area_made")) s.area_made = j.at("area_made").get<std::vector<std::string>>();
    s.starting_pid = j.value("starting_pid", int64_t{0});
    s.starting_pid_start = j.value("starting_pid_start", 0ULL);
    s.updating = j.value("updating", false);
    return s;
}

void mkdir_p(const std::string &path, mode_t mode) {
    std::string cur;
    std::istringstream in(path);
    std::string comp;
    while (std::getline(in, comp, '/')) {
        if (comp.empty()) continue;
        cur += "/" + comp;
        if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST)
            throw_sys("create state directory " + cur, errno);
    }
}

bool is_prefixed(const char *name, const char *prefix) {
    return std::strncmp(name, prefix, std::strlen(prefix)) == 0;
}

// The id of the mount `name` of `dfd` is on ("": dfd itself); 0 with errno if it cannot be
// told.
uint64_t mount_id(int dfd, const char *name) {
    struct statx sx {};
    int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);
    if (::statx(dfd, name, flags, STATX_MNT_ID, &sx) != 0) return 0;
    if (!(sx.stx_mask & STATX_MNT_ID)) {
        errno = EXDEV;
        return 0;
    }
    return sx.stx_mnt_id;
}

// Takes off every mount stacked on `name` of `dfd` (a restore's bind of the rootfs or an
// idmapped source that a killed command left there): what is below a mount is someone else's
// (a container's rootfs), never to be emptied with the state. Returns 0 or an errno (ENOENT:
// no such entry; EXDEV: the kernel cannot tell mounts apart).
int detach_mounts(int dfd, const char *name) {
    uint64_t here = mount_id(dfd, "");
    if (!here) return errno;
    for (int i = 0; i < 64; ++i) {
        uint64_t there = mount_id(dfd, name);
        if (!there) return errno;
        if (there == here) return 0;
        std::string path = "/proc/self/fd/" + std::to_string(dfd) + "/" + name;
        if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) return errno;
    }
    return EBUSY;
}

// Deletes everything in the directory `dfd` (files, a mount pinning a namespace, directories),
// never what is under a mount inside it: the mount is taken off first.
// Returns the first error, 0 if all went.
int clear_dir(int dfd) {
    DIR *d = ::fdopendir(::fcntl(dfd, F_DUPFD_CLOEXEC, 0));
    if (!d) return errno;
    int first = 0;
    std::vector<std::string> names;
    while (auto *ent = ::readdir(d))
        if (std::strcmp(ent->d_name, ".") != 0 && std::strcmp(ent->d_name, "..") != 0)
            names.push_back(ent->d_name);
    ::closedir(d);
    for (const auto &n : names) {
        if (::unlinkat(dfd, n.c_str(), 0) == 0 || errno == ENOENT) continue;
        if (errno == EISDIR) {
            if (int err = detach_mounts(dfd, n.c_str())) {
                if (!first) first = err;
                continue;
            }
            int sub = ::openat(dfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int err = sub < 0 ? errno : clear_dir(sub);
            if (sub >= 0) ::close(sub);
            if (err == 0 && ::unlinkat(dfd, n.c_str(), AT_REMOVEDIR) == 0) continue;
            if (!first) first = err ? err : errno;
            continue;
        }
        if (errno == EBUSY) {  // a namespace pinned by a bind mount the network left behind
            std::string path = "/proc/self/fd/" + std::to_string(dfd) + "/" + n;
            if (::umount2(path.c_str(), MNT_DETACH) == 0 && ::unlinkat(dfd, n.c_str(), 0) == 0)
                continue;
        }
        if (!first) first = errno;
    }
    return first;
}

// Removes directory `name` of `parent` with everything in it; throws on failure.
void remove_tree(int parent, const std::string &name, const std::string &shown) {
    if (int err = detach_mounts(parent, name.c_str()); err && err != ENOENT)
        throw_sys("unmount what is mounted on " + shown, err);
    int dfd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        if (errno == ENOENT) return;
        throw_sys("open " + shown, errno);
    }
    int err = clear_dir(dfd);
    ::close(dfd);
    if (err) throw_sys("empty " + shown, err);
    if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
        throw_sys("remove " + shown, errno);
}

// "<pid>-<start time>-<n>": whose hidden directory it is, so a sweep can tell an abandoned one
// (its process is gone) from one that is being worked on.
std::string owner_tag() {
    static const std::string me =
        std::to_string(::getpid()) + "-" + std::to_string(process_start_time(::getpid()));
    static std::atomic<unsigned> n{0};
    return me + "-" + std::to_string(n++);
}

bool owner_alive(const std::string &hidden) {
    auto dot = hidden.rfind('.');
    if (dot == std::string::npos) return false;
    char *end = nullptr;
    long pid = std::strtol(hidden.c_str() + dot + 1, &end, 10);
    if (*end != '-') return false;
    unsigned long long start = std::strtoull(end + 1, nullptr, 10);
    return process_alive(pid, start);
}

}  // namespace

bool transitional(const std::string &status) {
    return status == "creating" || status == "starting" || status == "destroying";
}

void StateStore::Entry::save() const {
    write_file_atomic(fd_.get(), dir_, kStateFile, to_json(state).dump());
}

std::optional<int> StateStore::Entry::read_exit_file(int64_t pid) const {
    std::string text;
    if (!read_file(dir_ + "/" + kExitFile, text)) return std::nullopt;
    return parse_exit_record(text, pid);
}

bool StateStore::Entry::interrupted() const {
    return stateless || transitional(state.status);
}

std::string StateStore::Entry::incomplete() const {
    if (stateless) return damage;
    const std::string &s = state.status;
    if (!transitional(s)) return "";
    std::string step = s == "creating" ? "create" : s == "starting" ? "start" : "destroy";
    if (busy) return step + " in progress";
    return step + " interrupted (the process doing it died)";
}

StateStore::Entry StateStore::create(const std::string &name, ContainerState initial) const {
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
        throw Error(Errc::invalid_argument, "'" + name + "' is not a container name");
    // The root is made by the first create only: read-only commands make nothing.
    Fd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root && errno == ENOENT) {
        mkdir_p(root_, 0700);
        root.reset(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    if (!root) throw_sys("open state root " + root_, errno);
    Entry e;
    e.dir_ = root_ + "/" + name;
    // Made and filled under a hidden name, then renamed (RENAME_NOREPLACE: a taken name is
    // refused there): under its own name a container directory always has a state file.
    std::string tmp = kNewPrefix + name + "." + owner_tag();
    if (::mkdirat(root.get(), tmp.c_str(), 0700) != 0)
        throw_sys("create state directory " + root_ + "/" + tmp, errno);
    Rollback rb;
    rb.add([&] { remove_tree(root.get(), tmp, tmp); });
    e.fd_.reset(::openat(root.get(), tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!e.fd_ || ::flock(e.fd_.get(), LOCK_EX) != 0)
        throw_sys("lock state directory " + tmp, errno);
    e.state = std::move(initial);
    e.state.spec.name = name;
    write_file_atomic(e.fd_.get(), root_ + "/" + tmp, kStateFile, to_json(e.state).dump());
    fault_point("create: state written under its temporary name");
    if (::renameat2(root.get(), tmp.c_str(), root.get(), name.c_str(), RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST)
            throw Error(Errc::exists, "container '" + name + "' already exists (" + e.dir_ + ")");
        throw_sys("name state directory " + e.dir_, errno);
    }
    rb.commit();
    fault_point("create: directory named");
    return e;
}

Error StateStore::Entry::incomplete_error(const std::string &name) const {
    std::string fix = busy ? "wait for it to finish"
                      : state.status == "starting"
                          ? "start it again (which undoes the interrupted start) or destroy it"
                          : "destroy it (ct destroy --force " + name + ") to remove what it holds";
    return Error(Errc::bad_state,
                 "container '" + name + "' is incomplete: " + incomplete() + "; " + fix);
}

StateStore::Entry StateStore::open(const std::string &name, bool lock, bool incomplete_too) const {
    Entry e;
    e.dir_ = root_ + "/" + name;
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
        throw Error(Errc::invalid_argument, "'" + name + "' is not a container name");
    e.fd_.reset(::open(e.dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!e.fd_) {
        if (errno == ENOENT) {
            // What a killed create or destroy of this name left is hidden: the `destroy` a
            // user runs to clean up after it ends here (through `info`), so it sweeps.
            sweep();
            throw Error(Errc::not_found,
                        "no container named '" + name + "' (state root " + root_ + ")");
        }
        throw_sys("open state directory " + e.dir_, errno);
    }
    if (lock && ::flock(e.fd_.get(), LOCK_EX) != 0) throw_sys("lock " + e.dir_, errno);
    std::string text;
    if (!read_file(e.dir_ + "/" + kStateFile, text)) {
        if (errno != ENOENT) throw_sys("read " + e.dir_ + "/" + kStateFile, errno);
        // Either removed under us (its remove renames the directory away first), or a
        // directory without state: an older libct's crash, or one made by hand.
        if (::access(e.dir_.c_str(), F_OK) != 0)
            throw Error(Errc::not_found,
                        "no container named '" + name + "' (state root " + root_ + ")");
        e.stateless = true;
        e.damage = "no state file (left by a crash of an older libct, or made by hand)";
    } else {
        try {
            e.state = from_json(nlohmann::json::parse(text));
        } catch (const std::exception &ex) {
            e.stateless = true;
            e.damage = "corrupt state file " + e.dir_ + "/" + kStateFile + ": " + ex.what();
        }
    }
    if (e.stateless) {
        e.state = ContainerState();
        e.state.status = "";
        e.state.spec.name = name;
    }
    if (!e.interrupted()) return e;
    if (!lock) {
        // A peek at a step under way elsewhere (its process holds the lock) or cut short.
        e.busy = ::flock(e.fd_.get(), LOCK_SH | LOCK_NB) != 0;
        if (!e.busy) ::flock(e.fd_.get(), LOCK_UN);
    } else if (!incomplete_too) {
        throw e.incomplete_error(name);
    }
    return e;
}

void StateStore::remove(const std::string &name) const {
    Fd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root) {
        if (errno == ENOENT) return;
        throw_sys("open state root " + root_, errno);
    }
    // The name goes first, in one step: a crash from here on leaves only a hidden directory,
    // which the next destroy sweeps.
    std::string trash = kTrashPrefix + name + "." + owner_tag();
    if (::renameat(root.get(), name.c_str(), root.get(), trash.c_str()) != 0) {
        if (errno == ENOENT) return;
        throw_sys("remove " + root_ + "/" + name, errno);
    }
    fault_point("remove: directory renamed away");
    remove_tree(root.get(), trash, root_ + "/" + trash);
    sweep();  // what crashed creates and removes left
}

void StateStore::sweep() const {
    DIR *d = ::opendir(root_.c_str());
    if (!d) return;
    std::vector<std::string> stale;
    while (auto *ent = ::readdir(d))
        if (is_prefixed(ent->d_name, kNewPrefix) || is_prefixed(ent->d_name, kTrashPrefix))
            stale.push_back(ent->d_name);
    int rfd = ::dirfd(d);
    for (const auto &n : stale) {
        if (owner_alive(n)) continue;  // a create or remove at work on it right now
        try {
            remove_tree(rfd, n, root_ + "/" + n);
        } catch (const Error &) {
            // Left for the next sweep; it holds nothing under a container's name.
        }
    }
    ::closedir(d);
}

std::vector<std::string> StateStore::names() const {
    std::vector<std::string> out;
    DIR *d = ::opendir(root_.c_str());
    if (!d) {
        if (errno == ENOENT) return out;
        throw_sys("list state root " + root_, errno);
    }
    while (auto *ent = ::readdir(d))
        if (ent->d_name[0] != '.' && ent->d_type == DT_DIR) out.push_back(ent->d_name);
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ct::linux_native
