// The wire protocol between the remote backend (client) and ct-agent (docs/remote.md).
//
// After an 8-byte magic written once by the agent, both directions carry frames: a 4-byte
// big-endian length, then one CBOR-encoded map (nlohmann::json's CBOR codec). Every map has a
// type "t"; calls, results and streams carry the call's "id". Versions are negotiated once: the
// agent's hello announces the range it speaks, the client's open picks one or refuses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "ct/error.hpp"

namespace ct::remote {

using Msg = nlohmann::json;

// Protocol versions this build speaks. Bump max for a compatible addition that a peer must know
// about; bump min (and max) to drop an old form. Peers use the highest common version.
inline constexpr unsigned kProtoMin = 1;
inline constexpr unsigned kProtoMax = 1;

// Written by the agent before its first frame: lets the client skip whatever a login shell
// printed, and recognize "not ct-agent at all".
inline constexpr char kMagic[] =
    "\x89"
    "CTAGNT\n";
inline constexpr size_t kMagicLen = sizeof kMagic - 1;

inline constexpr size_t kMaxFrame = 16u << 20;  // anything larger is a broken peer
inline constexpr size_t kChunk = 64u << 10;     // data bytes per frame
inline constexpr size_t kWindow = 1u << 20;     // unacknowledged bytes per stream

// Streams of one call.
enum Channel : int { kStdin = 0, kStdout = 1, kStderr = 2, kArchive = 3, kPty = 4 };

// Length prefix + CBOR.
std::string encode_frame(const Msg &m);

// Reads frames from a file descriptor (blocking, or with a deadline during the handshake).
class FrameReader {
  public:
    explicit FrameReader(int fd) : fd_(fd) {}
    // Skips up to `max_skip` bytes until the magic. `skipped` receives what came before it (a
    // login banner, or the error text of a shell that found no agent). Returns false at EOF
    // or when the magic did not come within the deadline / the limit.
    bool find_magic(int timeout_ms, size_t max_skip, std::string &skipped);
    // Next frame. Returns false at EOF (or when the deadline passed: timed_out() tells).
    // Throws Error(transport) on a malformed frame.
    bool next(Msg &out, int timeout_ms = -1);
    bool timed_out() const { return timed_out_; }
    // Without blocking: reads what the fd has now. False at EOF or on a read error.
    bool read_available();
    // A complete frame already read, if there is one. Throws Error(transport) if malformed.
    bool take(Msg &out);

  private:
    bool fill(size_t need, int64_t deadline_ms);
    size_t frame_length() const;  // of the buffered frame; throws if impossible
    int fd_;
    std::string buf_;
    size_t pos_ = 0;
    bool timed_out_ = false;
};

// An "err" result carrying a ct::Error, and back.
Msg error_reply(uint64_t id, int code, const std::string &msg, int sys_errno);
Error error_from_reply(const Msg &m);

// Monotonic clock in milliseconds.
int64_t now_ms();

}  // namespace ct::remote
