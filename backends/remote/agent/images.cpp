#include "images.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace ct::remote::agent {
namespace {

constexpr const char kPrefix[] = "ct-migrate.";
constexpr const char kLease[] = ".lease";

bool ends_with(const std::string &s, const std::string &tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Removes `dir` if it is a directory of ours (a name under a sticky /var/tmp may be anyone's:
// another user's tree, or a symlink, is left alone). remove_all never follows symlinks.
void remove_dir(const std::string &dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) std::fprintf(stderr, "ct-agent: remove %s: %s\n", dir.c_str(), ec.message().c_str());
}

// Whether `path` still names the file open as `fd` (a sweeper may have unlinked it).
bool same_file(int fd, const std::string &path) {
    struct stat a {
    }, b{};
    return ::fstat(fd, &a) == 0 && ::lstat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

// ct-migrate.NAME.in.RANDOM: the side is the second last part (a name may hold dots itself).
bool copy_leaf(const std::string &leaf) {
    auto last = leaf.rfind('.');
    return leaf.rfind(kPrefix, 0) == 0 && last != std::string::npos && last >= 3 &&
           leaf.compare(last - 3, 4, ".in.") == 0;
}

}  // namespace

bool ImageDirs::is_migration_dir(const std::string &dir) {
    const std::string head = std::string(kParent) + "/" + kPrefix;
    if (dir.size() <= head.size() || dir.compare(0, head.size(), head) != 0) return false;
    std::string leaf = dir.substr(std::string(kParent).size() + 1);
    return leaf.find('/') == std::string::npos && !ends_with(leaf, kLease);
}

bool ImageDirs::is_copy(const std::string &dir) {
    return is_migration_dir(dir) && copy_leaf(dir.substr(dir.rfind('/') + 1));
}

void ImageDirs::claim(const std::string &dir, const std::string &container) {
    if (!is_migration_dir(dir)) return;
    const std::string path = dir + kLease;
    // O_EXCL: a lease is made by its holder only; an existing file (anyone's) is not ours.
    for (int tries = 0; tries < 2; ++tries) {
        Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) {
            std::fprintf(stderr, "ct-agent: lease %s: %s\n", path.c_str(), std::strerror(errno));
            break;
        }
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a sweeper took it: again
        if (!same_file(fd.get(), path)) continue;                 // ...and removed it
        std::lock_guard lock(mu_);
        leases_[dir] = Lease{std::move(fd), container};
        break;
    }
    sweep();
}

void ImageDirs::release(const std::string &dir) {
    std::lock_guard lock(mu_);
    auto it = leases_.find(dir);
    if (it == leases_.end()) return;
    ::unlink((dir + kLease).c_str());
    leases_.erase(it);  // closing the fd drops the lock
}

void ImageDirs::remove_all(const std::function<bool(const std::string &)> &settle) {
    std::lock_guard lock(mu_);
    for (auto &[dir, lease] : leases_) {
        if (!is_copy(dir) && !settle(lease.container))
            std::fprintf(stderr,
                         "ct-agent: keeping %s: container '%s' is not running here any more and "
                         "may exist only in these images\n",
                         dir.c_str(), lease.container.c_str());
        else
            remove_dir(dir);
        ::unlink((dir + kLease).c_str());
    }
    leases_.clear();
}

std::vector<std::string> ImageDirs::sweep(const std::string &parent) {
    std::vector<std::string> removed;
    DIR *d = ::opendir(parent.c_str());
    if (!d) return removed;
    std::vector<std::string> leases;
    while (auto *e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.rfind(kPrefix, 0) == 0 && ends_with(n, kLease)) leases.push_back(parent + "/" + n);
    }
    ::closedir(d);
    for (const auto &path : leases) {
        Fd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
        if (!fd) continue;
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
            continue;
        // Held (by this agent too: a second open file of the same lease conflicts): alive.
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
        if (!same_file(fd.get(), path)) continue;  // another sweeper was first
        std::string dir = path.substr(0, path.size() - (sizeof kLease - 1));
        if (!copy_leaf(dir.substr(parent.size() + 1))) continue;  // source images: never swept
        remove_dir(dir);
        ::unlink(path.c_str());
        removed.push_back(dir);
    }
    return removed;
}

}  // namespace ct::remote::agent
