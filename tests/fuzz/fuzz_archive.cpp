// The checkpoint file archive reader (api/src/archive.cpp): the stream migrate and put_files
// unpack into a new directory, which may come from another host. Whatever the stream, unpack
// either makes the whole tree it announced inside the directory, or throws ct::Error and
// leaves nothing; it never writes outside the directory.
#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "archive.hpp"
#include "ct/error.hpp"

namespace {

namespace ar = ct::archive;

[[noreturn]] void fail(const std::string &what) {
    std::fprintf(stderr, "%s\n", what.c_str());
    std::abort();
}

// A private directory for the whole run; unpack() gets "<root>/out", which must not exist.
const std::string &root() {
    static const std::string dir = [] {
        const char *tmp = std::getenv("TMPDIR");
        std::string t = std::string(tmp && *tmp ? tmp : "/tmp") + "/ct-fuzz-archive-XXXXXX";
        if (!::mkdtemp(t.data())) fail("mkdtemp " + t + ": " + std::strerror(errno));
        std::atexit([] { ::rmdir(root().c_str()); });
        return t;
    }();
    return dir;
}

std::vector<std::string> entries_of(const std::string &dir) {
    std::vector<std::string> out;
    DIR *d = ::opendir(dir.c_str());
    if (!d) fail("opendir " + dir + ": " + std::strerror(errno));
    while (auto *e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            out.push_back(e->d_name);
    ::closedir(d);
    return out;
}

// The stream may make files and directories of mode 0; packing and removing them again needs
// them readable (for a run as a user other than root).
void make_readable(const std::string &dir) {
    ::nftw(
        dir.c_str(),
        [](const char *path, const struct stat *st, int flag, struct FTW *) {
            ::chmod(path, (st->st_mode & 07777) | (flag == FTW_F ? 0600 : 0700));
            return 0;
        },
        16, FTW_PHYS);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)ar::parse_header(reinterpret_cast<const char *>(data), size);
    const std::string out = root() + "/out";
    size_t pos = 0;
    // Short reads, as from a pipe or the remote channel: half of what is asked at odd offsets.
    ar::Source in = [&](char *buf, size_t len) -> size_t {
        size_t n = std::min(len, size - pos);
        if (n > 1 && (pos & 1)) n = n / 2;
        std::memcpy(buf, data + pos, n);
        pos += n;
        return n;
    };
    uint64_t last_done = 0;
    ar::Progress progress = [&](uint64_t done, uint64_t total) {
        if (done < last_done || done > total) fail("progress went backwards or past the total");
        last_done = done;
    };
    ar::Totals made;
    bool ok = false;
    try {
        made = ar::unpack(out, in, progress);
        ok = true;
    } catch (const ct::Error &) {
    }
    auto left = entries_of(root());
    if (!ok && !left.empty()) fail("a refused archive left '" + left[0] + "' behind");
    if (ok && (left.size() != 1 || left[0] != "out"))
        fail("unpack wrote beside its directory: " + left.back());
    if (!ok) return 0;
    make_readable(out);
    // What was made is what the stream announced: packing it again gives the same totals.
    ar::Totals again = ar::pack(out, [](const char *, size_t) {});
    if (again.entries != made.entries || again.bytes != made.bytes)
        fail("the unpacked tree differs from the totals of its stream");
    ar::remove_tree(out);
    return 0;
}
