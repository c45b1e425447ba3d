// The remote protocol's decoder (backends/remote/protocol.cpp, peer.cpp): the bytes ct-agent's
// side of an ssh channel sends to the client (a login banner, the magic, then frames), and the
// client's frames to the agent. A far host is not trusted to be well-formed: a malformed
// stream must end in ct::Error(transport), never in a crash or a hang.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ct/error.hpp"
#include "peer.hpp"
#include "protocol.hpp"

namespace {

using ct::remote::FrameReader;
using ct::remote::Msg;

// The whole input fits in a socket's buffer, so that it is written before it is read and
// every read sees the end of the stream instead of blocking.
constexpr size_t kMaxInput = 64 << 10;

struct Stream {
    int fd[2] = {-1, -1};
    Stream(const uint8_t *data, size_t size) {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) != 0) std::abort();
        for (size_t done = 0; done < size;) {
            ssize_t n = ::write(fd[1], data + done, size - done);
            if (n <= 0) std::abort();
            done += static_cast<size_t>(n);
        }
        ::shutdown(fd[1], SHUT_WR);
    }
    ~Stream() {
        ::close(fd[0]);
        ::close(fd[1]);
    }
};

// What the client and the agent do with a message once decoded: stream messages go to the
// streams of their call, a reply may carry an error.
void deliver(ct::remote::Peer &peer, const Msg &m) {
    try {
        if (!peer.route(m) && m["t"] == "err") (void)ct::remote::error_from_reply(m);
    } catch (const ct::Error &) {
    } catch (const nlohmann::json::exception &) {
        // A field of the wrong type: the reader loops of both ends catch it and end the link.
    }
}

// Streams of calls 1 and 2 on every channel, as a client running exec and put_files has.
void open_streams(ct::remote::Peer &peer) {
    for (uint64_t id : {1, 2})
        for (int ch = ct::remote::kStdin; ch <= ct::remote::kPty; ++ch) {
            peer.open_in(id, ch);
            peer.open_out(id, ch);
        }
}

// The client: skips a banner up to the magic, then reads frames with a deadline.
void as_client(const uint8_t *data, size_t size) {
    Stream s(data, size);
    ct::remote::Peer peer(s.fd[0]);
    open_streams(peer);
    FrameReader r(s.fd[0]);
    std::string skipped;
    if (!r.find_magic(5000, 64 << 10, skipped)) return;
    Msg m;
    try {
        while (r.next(m, 5000)) deliver(peer, m);
    } catch (const ct::Error &) {
    }
}

// The agent: frames from the first byte, without a deadline.
void as_agent(const uint8_t *data, size_t size) {
    Stream s(data, size);
    ct::remote::Peer peer(s.fd[0]);
    open_streams(peer);
    FrameReader r(s.fd[0]);
    Msg m;
    try {
        while (r.next(m)) deliver(peer, m);
    } catch (const ct::Error &) {
    }
}

// The client's reader thread: what is there now, then every complete frame of it.
void as_pump(const uint8_t *data, size_t size) {
    Stream s(data, size);
    ct::remote::Peer peer(s.fd[0]);
    open_streams(peer);
    FrameReader r(s.fd[0]);
    Msg m;
    try {
        while (r.read_available()) {
            while (r.take(m)) deliver(peer, m);
        }
        while (r.take(m)) deliver(peer, m);
    } catch (const ct::Error &) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > kMaxInput) return 0;
    as_client(data, size);
    as_agent(data, size);
    as_pump(data, size);
    return 0;
}
