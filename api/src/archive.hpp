// libct's file archive stream (docs/driver-abi.md, "File archives"): how a directory tree of
// checkpoint images travels between sessions (get_files -> put_files), through libct.so, the
// remote backend's SSH channel and ct-agent alike. Only directories and regular files, the
// totals up front (for progress) and an end record (a cut stream is an error, never a smaller
// tree).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace ct::archive {

inline constexpr char kMagic[4] = {'C', 'T', 'A', 'R'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderSize = 24;  // magic, version, entries, bytes
inline constexpr size_t kMaxPath = 4096;

// Totals announced in the header: entries (directories and files, not counting the root) and
// the bytes of file data.
struct Totals {
    uint64_t entries = 0;
    uint64_t bytes = 0;
};

// Receives consecutive pieces of the stream.
using Sink = std::function<void(const char *data, size_t len)>;
// Fills up to `len` bytes of `buf` and returns how many; 0 only at the end of the stream.
// Throws on errors.
using Source = std::function<size_t(char *buf, size_t len)>;
// Bytes of file data done so far, of `total`.
using Progress = std::function<void(uint64_t done, uint64_t total)>;

// Streams the tree under `dir` (which must be a directory). Symlinks, devices, sockets and
// fifos are refused: images never hold them, and a tree that does is not what the caller
// thinks it is. Throws ct::Error naming the file.
Totals pack(const std::string &dir, const Sink &out);

// Creates `dir` (it must not exist; its parent must) and unpacks the stream into it. On any
// error, removes `dir` again. Throws ct::Error (invalid_argument for a malformed stream).
Totals unpack(const std::string &dir, const Source &in, const Progress &progress = {});

// The totals of a stream from its first kHeaderSize bytes; nullopt if they are not a header.
std::optional<Totals> parse_header(const char *data, size_t len);

// Removes `dir` and everything under it (no symlink is followed). A missing `dir` is fine.
// Refuses relative paths and "/".
void remove_tree(const std::string &dir);

}  // namespace ct::archive
