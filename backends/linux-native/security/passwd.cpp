#include "security/passwd.hpp"
#include "fs/in_root.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <sstream>

namespace ct::linux_native {
namespace {

std::vector<std::string> split(const std::string &line, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(line);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    if (!line.empty() && line.back() == sep) out.emplace_back();
    return out;
}

bool parse_id(const std::string &s, uint32_t &out) {
    if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos)
        return false;
    unsigned long v = std::stoul(s);
    if (v > 0xfffffffeUL) return false;
    out = static_cast<uint32_t>(v);
    return true;
}

// The first layer holding `rel`. A whiteout (an overlay's char device 0:0) hides the file.
std::string read_layered(const std::vector<std::string> &layers, const std::string &rel,
                         const std::string &field) {
    for (const auto &root : layers) {
        std::string text;
        try {
            if (read_in_root(root, rel, text)) return text;
        } catch (const Error &e) {
            throw Error(e.code(), field + ": " + e.what(), e.sys_errno());
        }
    }
    throw Error(Errc::not_found, field + ": the container has no /" + rel + " (looked in " +
                                     (layers.empty() ? std::string("nothing") : layers[0]) +
                                     (layers.size() > 1 ? " and its lower layers" : "") + ")");
}

}  // namespace

bool read_in_root(const std::string &root, const std::string &rel, std::string &out, size_t max) {
    Fd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) throw_sys("open " + root, errno, errno == ENOENT ? Errc::not_found : Errc::backend);
    // O_NONBLOCK: a FIFO planted in the rootfs must not hang us.
    Fd fd = fs::open_in_root(dir.get(), rel, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return false;
        throw_sys("open /" + rel + " in " + root, errno);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) throw_sys("stat /" + rel + " in " + root, errno);
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return false;  // overlay whiteout
    if (!S_ISREG(st.st_mode))
        throw Error(Errc::invalid_spec, "/" + rel + " in " + root + " is not a regular file");
    if (static_cast<size_t>(st.st_size) > max)
        throw Error(Errc::invalid_spec, "/" + rel + " in " + root + " is too large");
    out.clear();
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) {
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > max)
            throw Error(Errc::invalid_spec, "/" + rel + " in " + root + " is too large");
    }
    if (n < 0) throw_sys("read /" + rel + " in " + root, errno);
    return true;
}

UserSpec resolve_user(const UserSpec &user, const std::vector<std::string> &layers,
                      const std::string &field) {
    UserSpec out = user;
    out.name.clear();
    out.group.clear();
    if (user.name.empty() && user.group.empty()) return out;

    std::optional<std::string> groups_text;
    auto groups = [&]() -> const std::string & {
        if (!groups_text) groups_text = read_layered(layers, "etc/group", field);
        return *groups_text;
    };
    std::vector<uint32_t> member_of;
    if (!user.name.empty()) {
        std::istringstream in(read_layered(layers, "etc/passwd", field));
        std::string line;
        bool found = false;
        while (std::getline(in, line)) {
            auto f = split(line, ':');  // name:password:uid:gid:gecos:home:shell
            if (f.size() < 4 || f[0] != user.name) continue;
            if (!parse_id(f[2], out.uid) || !parse_id(f[3], out.gid))
                throw Error(Errc::invalid_spec, field +
                                                    ".name: the container's /etc/passwd "
                                                    "has a malformed line for '" +
                                                    user.name + "'");
            found = true;
            break;
        }
        if (!found)
            throw Error(Errc::not_found, field + ".name: no user '" + user.name +
                                             "' in the container's /etc/passwd");
        // Like initgroups(3): every group that lists the user as a member.
        std::istringstream gin(groups());
        while (std::getline(gin, line)) {
            auto f = split(line, ':');  // name:password:gid:member,member
            if (f.size() < 4) continue;
            uint32_t gid;
            if (!parse_id(f[2], gid)) continue;
            for (const auto &m : split(f[3], ','))
                if (m == user.name) member_of.push_back(gid);
        }
    }
    if (!user.group.empty()) {
        std::istringstream gin(groups());
        std::string line;
        bool found = false;
        while (std::getline(gin, line)) {
            auto f = split(line, ':');
            if (f.size() < 3 || f[0] != user.group) continue;
            if (!parse_id(f[2], out.gid))
                throw Error(Errc::invalid_spec, field +
                                                    ".group: the container's /etc/group has "
                                                    "a malformed line for '" +
                                                    user.group + "'");
            found = true;
            break;
        }
        if (!found)
            throw Error(Errc::not_found, field + ".group: no group '" + user.group +
                                             "' in the container's /etc/group");
    }
    for (auto gid : member_of) {
        bool dup = gid == out.gid;
        for (auto g : out.additional_gids) dup |= g == gid;
        if (!dup) out.additional_gids.push_back(gid);
    }
    return out;
}

}  // namespace ct::linux_native
