#include "archive.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>
#include <vector>

#include "ct/error.hpp"

namespace ct::archive {
namespace {

constexpr size_t kRecordSize = 20;  // type, 3 reserved, mode, path length, size
constexpr size_t kChunk = 1 << 20;

std::string syserr(int e) {
    return std::system_category().message(e);
}

[[noreturn]] void fail_sys(const std::string &what, int e) {
    throw Error(e == EACCES || e == EPERM ? Errc::permission : Errc::backend,
                what + ": " + syserr(e), e);
}

[[noreturn]] void malformed(const std::string &why) {
    throw Error(Errc::invalid_argument, "file archive: " + why);
}

void put32(char *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void put64(char *p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t get32(const char *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}
uint64_t get64(const char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

class FdGuard {
  public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdGuard(const FdGuard &) = delete;
    FdGuard &operator=(const FdGuard &) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

struct Entry {
    char type;  // 'd' or 'f'
    std::string path;
    uint32_t mode;
    uint64_t size;
};

void walk(int dirfd, const std::string &prefix, const std::string &shown, std::vector<Entry> &out) {
    int fd = ::dup(dirfd);
    if (fd < 0) fail_sys("read directory " + shown, errno);
    DIR *d = ::fdopendir(fd);
    if (!d) {
        int e = errno;
        ::close(fd);
        fail_sys("read directory " + shown, e);
    }
    std::unique_ptr<DIR, int (*)(DIR *)> guard(d, ::closedir);
    std::vector<std::string> names;
    while (auto *ent = ::readdir(d)) {
        std::string n = ent->d_name;
        if (n != "." && n != "..") names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    for (const auto &n : names) {
        std::string rel = prefix.empty() ? n : prefix + "/" + n;
        struct stat st;
        if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            fail_sys("stat " + shown + "/" + n, errno);
        if (rel.size() > kMaxPath)
            throw Error(Errc::invalid_argument, "archive " + shown + "/" + n + ": path too long");
        if (S_ISDIR(st.st_mode)) {
            out.push_back({'d', rel, static_cast<uint32_t>(st.st_mode & 07777), 0});
            int sub = ::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) fail_sys("open directory " + shown + "/" + n, errno);
            FdGuard g(sub);
            walk(sub, rel, shown + "/" + n, out);
        } else if (S_ISREG(st.st_mode)) {
            out.push_back({'f', rel, static_cast<uint32_t>(st.st_mode & 07777),
                           static_cast<uint64_t>(st.st_size)});
        } else {
            throw Error(Errc::invalid_argument,
                        "archive " + shown + "/" + n + ": not a regular file or directory");
        }
    }
}

void write_record(const Sink &out, char type, uint32_t mode, const std::string &path,
                  uint64_t size) {
    char rec[kRecordSize] = {};
    rec[0] = type;
    put32(rec + 4, mode);
    put32(rec + 8, static_cast<uint32_t>(path.size()));
    put64(rec + 12, size);
    out(rec, sizeof rec);
    if (!path.empty()) out(path.data(), path.size());
}

bool valid_path(const std::string &p) {
    if (p.empty() || p.size() > kMaxPath || p[0] == '/' || p.find('\0') != std::string::npos)
        return false;
    size_t pos = 0;
    while (pos <= p.size()) {
        size_t slash = p.find('/', pos);
        std::string comp =
            p.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        if (comp.empty() || comp == "." || comp == "..") return false;
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return true;
}

// Reads exactly `len` bytes; false at a clean end of stream before the first byte.
bool read_exact(const Source &in, char *buf, size_t len, const char *what) {
    size_t got = 0;
    while (got < len) {
        size_t n = in(buf + got, len - got);
        if (n == 0) {
            if (got == 0) return false;
            malformed(std::string("the stream ends inside ") + what);
        }
        got += n;
    }
    return true;
}

void write_all(int fd, const char *p, size_t n, const std::string &shown) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail_sys("write " + shown, errno);
        }
        p += w;
        n -= static_cast<size_t>(w);
    }
}

}  // namespace

std::optional<Totals> parse_header(const char *data, size_t len) {
    if (len < kHeaderSize || std::memcmp(data, kMagic, 4) != 0 || get32(data + 4) != kVersion)
        return std::nullopt;
    return Totals{get64(data + 8), get64(data + 16)};
}

Totals pack(const std::string &dir, const Sink &out) {
    int root = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) fail_sys("open directory " + dir, errno);
    FdGuard rg(root);
    std::vector<Entry> entries;
    walk(root, "", dir, entries);
    Totals t;
    t.entries = entries.size();
    for (const auto &e : entries) t.bytes += e.size;

    char hdr[kHeaderSize];
    std::memcpy(hdr, kMagic, 4);
    put32(hdr + 4, kVersion);
    put64(hdr + 8, t.entries);
    put64(hdr + 16, t.bytes);
    out(hdr, sizeof hdr);

    std::vector<char> buf(kChunk);
    for (const auto &e : entries) {
        write_record(out, e.type, e.mode, e.path, e.size);
        if (e.type != 'f') continue;
        std::string shown = dir + "/" + e.path;
        int fd = ::openat(root, e.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) fail_sys("open " + shown, errno);
        FdGuard fg(fd);
        uint64_t left = e.size;
        while (left > 0) {
            ssize_t n = ::read(fd, buf.data(), std::min<uint64_t>(left, buf.size()));
            if (n < 0) {
                if (errno == EINTR) continue;
                fail_sys("read " + shown, errno);
            }
            if (n == 0)
                throw Error(Errc::backend,
                            "archive " + shown + ": the file shrank while being read");
            out(buf.data(), static_cast<size_t>(n));
            left -= static_cast<uint64_t>(n);
        }
    }
    write_record(out, 'e', 0, "", t.bytes);
    return t;
}

Totals unpack(const std::string &dir, const Source &in, const Progress &progress) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
        int e = errno;
        if (e == EEXIST) throw Error(Errc::exists, "unpack into " + dir + ": it already exists", e);
        fail_sys("create directory " + dir, e);
    }
    try {
        int root = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (root < 0) fail_sys("open directory " + dir, errno);
        FdGuard rg(root);

        char hdr[kHeaderSize];
        if (!read_exact(in, hdr, sizeof hdr, "the header")) malformed("empty stream");
        auto t = parse_header(hdr, sizeof hdr);
        if (!t) malformed("bad header (not a libct file archive, or another version)");

        std::vector<char> buf(kChunk);
        Totals seen;
        uint64_t done = 0;
        std::vector<std::pair<std::string, uint32_t>> dirs;  // modes set last: 0500 dirs
        for (;;) {
            char rec[kRecordSize];
            if (!read_exact(in, rec, sizeof rec, "a record"))
                malformed("the stream ends without its end record");
            char type = rec[0];
            uint32_t mode = get32(rec + 4) & 07777, plen = get32(rec + 8);
            uint64_t size = get64(rec + 12);
            if (type == 'e') {
                if (plen != 0 || size != t->bytes || seen.bytes != t->bytes ||
                    seen.entries != t->entries)
                    malformed("the end record does not match the header's totals");
                break;
            }
            if (plen == 0 || plen > kMaxPath) malformed("bad path length");
            std::string path(plen, '\0');
            if (!read_exact(in, path.data(), plen, "a path"))
                malformed("the stream ends inside a path");
            if (!valid_path(path)) malformed("unsafe path '" + path + "'");
            std::string shown = dir + "/" + path;
            // The header's totals bound what is written, before it is: a stream cannot fill the
            // disk or its inodes past what it announced.
            if (++seen.entries > t->entries) malformed("more entries than the header announced");
            if (type == 'd') {
                if (size != 0) malformed("directory " + path + " has a size");
                if (::mkdirat(root, path.c_str(), 0700) != 0)
                    fail_sys("create directory " + shown, errno);
                dirs.emplace_back(path, mode);
                continue;
            }
            if (type != 'f') malformed("unknown record type");
            if (size > t->bytes - seen.bytes) malformed("more file data than the header announced");
            int fd = ::openat(root, path.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd < 0) fail_sys("create " + shown, errno);
            FdGuard fg(fd);
            uint64_t left = size;
            while (left > 0) {
                size_t n = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
                if (!read_exact(in, buf.data(), n, "file data"))
                    malformed("the stream ends inside file data");
                write_all(fd, buf.data(), n, shown);
                left -= n;
                done += n;
                if (progress) progress(done, t->bytes);
            }
            if (::fchmod(fd, mode & 0777) != 0) fail_sys("chmod " + shown, errno);
            seen.bytes += size;
        }
        for (auto it = dirs.rbegin(); it != dirs.rend(); ++it)
            if (::fchmodat(root, it->first.c_str(), it->second & 0777, 0) != 0)
                fail_sys("chmod " + dir + "/" + it->first, errno);
        return *t;
    } catch (...) {
        try {
            remove_tree(dir);
        } catch (...) {
        }
        throw;
    }
}

void remove_tree(const std::string &dir) {
    if (dir.empty() || dir[0] != '/' || dir.find_first_not_of('/') == std::string::npos)
        throw Error(Errc::invalid_argument,
                    "remove '" + dir + "': not an absolute directory other than /");
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno == ENOENT) return;
        fail_sys("remove " + dir, errno);
    }
    if (!S_ISDIR(st.st_mode))
        throw Error(Errc::invalid_argument, "remove " + dir + ": not a directory");
    // Depth first, no symlink followed, never into another filesystem (a mount left under the
    // tree makes the removal fail instead of emptying what is mounted there).
    static thread_local int first_error;
    first_error = 0;
    auto rm = [](const char *path, const struct stat *, int flag, struct FTW *) -> int {
        int rc = flag == FTW_DP ? ::rmdir(path) : ::unlink(path);
        if (rc != 0 && !first_error) first_error = errno;
        return 0;
    };
    if (::nftw(dir.c_str(), rm, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
        fail_sys("remove " + dir, errno);
    if (first_error) fail_sys("remove " + dir, first_error);
}

}  // namespace ct::archive
