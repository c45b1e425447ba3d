#include "ct/backend/sys.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "ct/backend/fd.hpp"

namespace ct::backend {

std::string errstr(int err) {
    const char *d = strerrordesc_np(err);
    return d ? d : "error " + std::to_string(err);
}

void throw_sys(const std::string &what, int err, Errc code) {
    if (code == Errc::backend && (err == EPERM || err == EACCES)) code = Errc::permission;
    if (code == Errc::backend && err == ENOENT) code = Errc::not_found;
    throw Error(code, what + ": " + errstr(err), err);
}

bool read_file(const std::string &path, std::string &out) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    out.clear();
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return true;
        out.append(buf, static_cast<size_t>(n));
    }
}

bool write_file(const std::string &path, const std::string &data) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return false;
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) return false;
    if (static_cast<size_t>(n) != data.size()) {
        errno = EIO;
        return false;
    }
    return true;
}

void write_file_atomic(int dirfd, const std::string &dir, const std::string &name,
                       const std::string &data) {
    // Per process: two writers of one file must not share a temporary.
    std::string tmp = "." + name + "." + std::to_string(::getpid()) + ".tmp";
    Fd fd(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) throw_sys("write " + dir + "/" + tmp, errno);
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            ::unlinkat(dirfd, tmp.c_str(), 0);
            throw_sys("write " + dir + "/" + tmp, e);
        }
        off += static_cast<size_t>(n);
    }
    if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
        int e = errno;
        ::unlinkat(dirfd, tmp.c_str(), 0);
        throw_sys("rename " + dir + "/" + tmp + " to " + name, e);
    }
}

void write_file_atomic(const std::string &path, const std::string &data) {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    Fd d(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!d) throw_sys("open " + dir, errno);
    write_file_atomic(d.get(), dir, path.substr(slash + 1), data);
}

unsigned long long process_start_time(long pid, bool exited_too) {
    std::string stat;
    if (pid <= 0 || !read_file("/proc/" + std::to_string(pid) + "/stat", stat)) return 0;
    // comm (field 2) may contain spaces and parentheses: count fields after the last ')'.
    auto rp = stat.rfind(')');
    if (rp == std::string::npos) return 0;
    const char *p = stat.c_str() + rp + 1;
    // After ')': field 3 (state) ... field 22 (starttime) is the 20th token.
    char state = 0;
    for (int field = 3; field <= 22; ++field) {
        while (*p == ' ') ++p;
        if (!*p) return 0;
        if (field == 3) state = *p;
        if (field == 22) {
            if (!exited_too && (state == 'Z' || state == 'X')) return 0;  // not yet reaped
            return std::strtoull(p, nullptr, 10);
        }
        while (*p && *p != ' ') ++p;
    }
    return 0;
}

bool process_alive(long pid, unsigned long long start_time) {
    return start_time != 0 && process_start_time(pid) == start_time;
}

std::string shell_quote(const std::string &w, bool only_if_needed) {
    if (only_if_needed && !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%+=:,./_-", c);
        }))
        return w;
    std::string out = "'";
    for (char c : w) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

}  // namespace ct::backend
