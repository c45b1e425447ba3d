#include "criu/files.hpp"

#include "archive.hpp"
#include "ct/error.hpp"

namespace ct::linux_native::files {
namespace {

void absolute(const std::string &dir, const char *op) {
    if (dir.empty() || dir[0] != '/')
        throw Error(Errc::invalid_argument,
                    std::string(op) + ": '" + dir + "' is not an absolute directory path");
}

}  // namespace

void get(const std::string &dir, ct_out *out) {
    absolute(dir, "get files");
    archive::pack(dir, [&](const char *data, size_t len) { out->put(out, data, len); });
}

void put(const std::string &dir, ct_in *in) {
    absolute(dir, "put files");
    archive::unpack(dir, [&](char *buf, size_t len) -> size_t {
        int64_t n = in->read(in, buf, len);
        if (n < 0)
            throw Error(Errc::transport, "put files into " + dir +
                                             ": the archive stream broke off (its sender failed)");
        return static_cast<size_t>(n);
    });
}

void remove(const std::string &dir) {
    archive::remove_tree(dir);
}

}  // namespace ct::linux_native::files
