#include "fs/private_area.hpp"
#include "support.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace ct::linux_native::fs {
namespace {

using Factory = std::unique_ptr<PrivateArea> (*)(const Spec &);

struct Type {
    const char *name;
    Factory make;
};

const Type kTypes[] = {
    {"", make_rootfs_area},
    {"dir", make_dir_area},
    {"overlay", make_overlay_area},
};

}  // namespace

std::unique_ptr<PrivateArea> private_area(const Spec &spec) {
    for (const auto &t : kTypes)
        if (spec.private_area.type == t.name) return t.make(spec);
    std::string known;
    for (const auto &t : kTypes)
        if (*t.name) known += (known.empty() ? "" : ", ") + std::string(t.name);
    throw Error(Errc::unsupported, "private.type: area type '" + spec.private_area.type +
                                       "' is not supported by backend linux (it has: " + known +
                                       ")");
}

void require_dir(const std::string &path, const std::string &field) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw Error(Errc::not_found, field + " " + path + ": " + errstr(errno), errno);
    if (!S_ISDIR(st.st_mode))
        throw Error(Errc::invalid_spec, field + " " + path + " is not a directory");
}

}  // namespace ct::linux_native::fs
