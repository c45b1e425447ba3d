// Small system helpers every backend shares (the support library, backends/support): errno
// into ct::Error with context, whole small files, the identity of a process.
#pragma once

#include <string>

#include "ct/error.hpp"

namespace ct::backend {

// "No such file or directory" for ENOENT, etc.
std::string errstr(int err);

// Throws Error(code, "<what>: <strerror(err)>"); EPERM/EACCES become Errc::permission.
[[noreturn]] void throw_sys(const std::string &what, int err, Errc code = Errc::backend);

// Reads a whole (small) file. Returns false with errno set on failure.
bool read_file(const std::string &path, std::string &out);
// Writes `data` to an existing file (cgroup knobs, /proc files). Returns false with errno set.
bool write_file(const std::string &path, const std::string &data);
// Atomically replaces dir/name with `data` (write to a temp file, then rename).
void write_file_atomic(int dirfd, const std::string &dir, const std::string &name,
                       const std::string &data);
// The same for a path (its directory is opened for it).
void write_file_atomic(const std::string &path, const std::string &data);

// Start time of a process (field 22 of /proc/<pid>/stat), to tell a live process from a
// recycled pid. 0 if the process does not exist, or has exited (a zombie) unless `exited_too`.
unsigned long long process_start_time(long pid, bool exited_too = false);

// True if `pid` is alive (not a zombie) and started at `start_time`: not a process that got
// the pid of one that has gone.
bool process_alive(long pid, unsigned long long start_time);

// `s` as one word for sh: in single quotes (a quote as '\''); with `only_if_needed`, a word
// of plain characters ([A-Za-z0-9@%+=:,./_-]) stays as it is.
std::string shell_quote(const std::string &s, bool only_if_needed = false);

}  // namespace ct::backend
