// Init's stdio across a checkpoint. Whatever fds 0-2 reach outside the container (ct's pipes, a
// --log file, the shell's file of `ct run >out`, a terminal of the host, /dev/null) CRIU cannot
// recreate: the dump records them as external, with where they went, and the restore hands
// CRIU a replacement for each: the caller's, else the same file or terminal again when it is
// still there (docs/checkpoint.md, "Stdio").
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

namespace ct::linux_native::criu {

class Request;

// One of init's stdio fds as the dump found it.
struct StdioTarget {
    enum class Kind {
        inside,  // an object of the container's own (its file, its pty): in the images
        pipe,    // a pipe whose far end is outside: the images hold the pipe, not the peer
        file,    // a file or device of the host (not a terminal): /dev/null, a log file
        tty,     // a terminal of the host
    };
    Kind kind = Kind::inside;
    std::string key;    // CRIU's id of the external object: "pipe:[ino]", "file[..]", "tty[..]"
    std::string path;   // where it was on the host (file, tty); "" if unknown or deleted
    int flags = 0;      // its open flags: access mode and O_APPEND
    uint64_t pos = 0;   // its file position (a file read from continues there)
    uint32_t mode = 0;  // st_mode of the object
    uint64_t rdev = 0;  // device number (a terminal, a device file)
};

// Fds 0-2 of `pid` (the container's init, its mounts in `inside_mounts`): what each reaches,
// with the external ones declared to CRIU (Request::external).
std::array<StdioTarget, 3> record_stdio(pid_t pid, Request &rq);

// The id of this boot and machine: a terminal of the host is reopened only in the boot that
// recorded it, a file only on the machine that recorded it.
std::string machine_id();
std::string boot_id();

// The replacements a restore hands CRIU (inherit-fd), one per external object, each opened
// (or duplicated from the caller's) without O_CLOEXEC for CRIU's swrk child; closed on
// destruction, after CRIU has made its own copies.
class StdioReplacements {
  public:
    // `given`: the caller's fds (-1: none given); `same_machine`/`same_boot`: whether the
    // recorded files and terminals are this host's.
    StdioReplacements(Request &rq, const std::array<StdioTarget, 3> &recorded,
                      const std::array<int, 3> &given, bool same_machine, bool same_boot);

  private:
    Fd replacement(int fd, const StdioTarget &t, int given, bool same_machine, bool same_boot);

    std::vector<Fd> fds_;
};

}  // namespace ct::linux_native::criu
