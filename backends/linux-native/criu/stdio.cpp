#include "criu/stdio.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <set>

#include "criu/criu.hpp"
#include "ct/driver.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace ct::linux_native::criu {
namespace {

using Kind = StdioTarget::Kind;

// Ids of the mounts of the mount namespace `pid` lives in.
std::set<long> mount_ids(pid_t pid) {
    std::set<long> ids;
    std::ifstream in("/proc/" + std::to_string(pid) + "/mountinfo");
    long id;
    std::string rest;
    while (in >> id && std::getline(in, rest)) ids.insert(id);
    return ids;
}

struct FdInfo {
    long mnt_id = -1;
    uint64_t pos = 0;
    int flags = 0;
};

FdInfo fd_info(pid_t pid, int fd) {
    FdInfo r;
    std::ifstream in("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd));
    std::string key;
    while (in >> key) {
        if (key == "mnt_id:")
            in >> r.mnt_id;
        else if (key == "pos:")
            in >> r.pos;
        else if (key == "flags:")
            in >> std::oct >> r.flags >> std::dec;
        in.ignore(4096, '\n');
    }
    return r;
}

bool is_tty(dev_t rdev) {
    unsigned maj = major(rdev);
    return maj == 4 || maj == 5 || (maj >= 136 && maj <= 143);
}

std::string first_line(const std::string &path) {
    std::string s;
    if (!read_file(path, s)) return "";
    return s.substr(0, s.find('\n'));
}

std::string fd_name(int fd) {
    return "stdio fd " + std::to_string(fd);
}

Fd open_null() {
    Fd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) throw_sys("open /dev/null", errno);
    return null;
}

// The file the dump saw, opened again at its path: only when it is still the same kind of
// object (a regular file, or the same device). Writers append: whatever was written since
// the dump stays, and the restored process's output goes after it.
Fd reopen_file(const StdioTarget &t) {
    int acc = t.flags & O_ACCMODE;
    int flags = acc | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC;
    if (acc != O_RDONLY) flags |= O_APPEND;
    // A log file removed since is made again, as `ct start --log` would.
    if (S_ISREG(t.mode) && acc != O_RDONLY) flags |= O_CREAT;
    Fd fd(::open(t.path.c_str(), flags, t.mode & 07777));
    if (!fd) return Fd();
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || (st.st_mode & S_IFMT) != (t.mode & S_IFMT)) return Fd();
    if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && st.st_rdev != t.rdev) return Fd();
    if (acc == O_RDONLY && S_ISREG(st.st_mode) &&
        ::lseek(fd.get(), static_cast<off_t>(t.pos), SEEK_SET) < 0)
        return Fd();
    return fd;
}

Fd reopen_tty(const StdioTarget &t) {
    Fd fd(::open(t.path.c_str(), O_RDWR | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return Fd();
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != t.rdev ||
        !::isatty(fd.get()))
        return Fd();
    return fd;
}

}  // namespace

std::string machine_id() {
    std::string id = first_line("/etc/machine-id");
    if (!id.empty()) return id;
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    return host;
}

std::string boot_id() {
    return first_line("/proc/sys/kernel/random/boot_id");
}

std::array<StdioTarget, 3> record_stdio(pid_t pid, Request &rq) {
    std::array<StdioTarget, 3> out;
    auto inside = mount_ids(pid);
    std::set<std::string> declared;
    for (int fd = 0; fd < 3; ++fd) {
        StdioTarget &t = out[fd];
        std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
        struct stat st;
        if (::stat(link.c_str(), &st) != 0) continue;  // closed
        char target[4096];
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        if (n < 0) continue;
        target[n] = 0;
        FdInfo info = fd_info(pid, fd);
        t.flags = info.flags & (O_ACCMODE | O_APPEND);
        t.pos = info.pos;
        t.mode = st.st_mode;
        t.rdev = st.st_rdev;
        if (S_ISFIFO(st.st_mode)) {
            // CRIU recreates the pipe from the images, but not its far end outside: the
            // restore hands in a replacement under CRIU's name of it, "pipe:[ino]".
            t.kind = Kind::pipe;
            t.key = target;
            continue;
        }
        if (S_ISSOCK(st.st_mode)) continue;  // CRIU decides (external unix peers fail)
        if (info.mnt_id < 0 || inside.count(info.mnt_id)) continue;
        // Not reachable from the container's mounts: external, by CRIU's id of it.
        char id[64];
        if (S_ISCHR(st.st_mode) && is_tty(st.st_rdev)) {
            t.kind = Kind::tty;
            std::snprintf(id, sizeof id, "tty[%llx:%llx]",
                          static_cast<unsigned long long>(st.st_rdev),
                          static_cast<unsigned long long>(st.st_dev));
        } else {
            t.kind = Kind::file;
            std::snprintf(id, sizeof id, "file[%lx:%llx]", info.mnt_id,
                          static_cast<unsigned long long>(st.st_ino));
        }
        t.key = id;
        std::string path = target;
        const std::string deleted = " (deleted)";
        if (path.empty() || path[0] != '/' ||
            (path.size() > deleted.size() &&
             path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0))
            path.clear();
        t.path = path;
        if (declared.insert(t.key).second) rq.external(t.key);
    }
    return out;
}

StdioReplacements::StdioReplacements(Request &rq, const std::array<StdioTarget, 3> &recorded,
                                     const std::array<int, 3> &given, bool same_machine,
                                     bool same_boot) {
    std::set<std::string> done;
    for (int i = 0; i < 3; ++i) {
        const StdioTarget &t = recorded[i];
        if (t.kind == Kind::inside || t.key.empty() || !done.insert(t.key).second) continue;
        Fd chosen = replacement(i, t, given[i], same_machine, same_boot);
        // Inherited by CRIU's swrk child (libcriu execs it): no O_CLOEXEC. One fd per key:
        // CRIU moves each into its own store and closes it.
        auto inherit = [&](const std::string &key) {
            Fd dup(::fcntl(chosen.get(), F_DUPFD, 3));
            if (!dup) throw_sys("duplicate the replacement of " + fd_name(i), errno);
            rq.inherit_fd(dup.get(), key);
            fds_.push_back(std::move(dup));
        };
        inherit(t.key);
        if (t.kind == Kind::file) {
            // CRIU reopens an external file through /proc/self/fd of the replacement, with the
            // dumped flags and position, and refuses it unless its type, and (unless it was
            // opened O_WRONLY|O_APPEND) its size, are as dumped: /dev/null for a log file, or a
            // file written to since, would not do. Under the name CRIU's file table gives the
            // entry (its id without the first character: a path relative to the root), the
            // replacement is taken as it is, as for a pipe. The id itself stays registered,
            // for a CRIU that names the entry by it.
            inherit(t.key.substr(1));
        }
    }
}

Fd StdioReplacements::replacement(int i, const StdioTarget &t, int given, bool same_machine,
                                  bool same_boot) {
    if (given >= 0) {
        Fd dup(::fcntl(given, F_DUPFD_CLOEXEC, 3));
        if (!dup)
            throw_sys("use the caller's fd " + std::to_string(given) + " as " + fd_name(i), errno);
        // CRIU sets a terminal's modes and size on its replacement: nothing else will do.
        if (t.kind == Kind::tty && !::isatty(dup.get()))
            throw Error(Errc::invalid_argument,
                        fd_name(i) + " was a terminal when checkpointed (" +
                            (t.path.empty() ? t.key : t.path) +
                            "): its replacement must be a terminal too, not fd " +
                            std::to_string(given));
        return dup;
    }
    Fd fd;
    if (t.kind == Kind::file && same_machine && !t.path.empty()) fd = reopen_file(t);
    if (t.kind == Kind::tty && same_boot && !t.path.empty()) fd = reopen_tty(t);
    if (fd) return fd;
    if (t.kind != Kind::tty) {
        if (t.kind == Kind::file)
            log(CT_LOG_INFO, "restore: " + fd_name(i) + " went to " +
                                 (t.path.empty() ? t.key : t.path) +
                                 ", which is not there on this host any more: /dev/null instead");
        return open_null();
    }
    // A terminal that is gone: a new one nobody holds (its master is closed once CRIU has
    // set it up), as if the terminal had been hung up. Writes to it fail with EIO.
    Fd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master) throw_sys("allocate a terminal to stand for " + fd_name(i), errno);
    int unlock = 0;
    if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0)
        throw_sys("unlock the terminal standing for " + fd_name(i), errno);
    Fd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) throw_sys("open the terminal standing for " + fd_name(i), errno);
    log(CT_LOG_INFO, "restore: " + fd_name(i) + " was the terminal " +
                         (t.path.empty() ? t.key : t.path) +
                         ", which is gone: it gets a hung-up terminal");
    fds_.push_back(std::move(master));
    return slave;
}

}  // namespace ct::linux_native::criu
