// One end of the link: sending messages (from any thread) and the byte streams that ride on it
// with per-stream flow control, so that a slow reader on either side never makes the other
// buffer without bound and never stalls the other calls sharing the link.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "fd.hpp"
#include "protocol.hpp"

namespace ct::remote {

class Peer;

// The receiving end of a stream: data arrives from the link, the consumer pops it.
class InStream {
  public:
    enum class R { data, eof, failed, timeout, cancelled };
    // Pops the next chunk (acknowledging it to the sender). timeout_ms < 0: no timeout.
    R pop(std::string &chunk, int timeout_ms = -1);
    // The consumer wants no more (its fd is gone): tells the sender to stop and drops data.
    void stop();
    // Wakes a blocked pop() with R::cancelled, now and from now on.
    void cancel();
    // Why the stream failed (R::failed).
    std::string error() const;

  private:
    friend class Peer;
    InStream(Peer *p, uint64_t id, int ch) : peer_(p), id_(id), ch_(ch) {}
    void push(std::string data);
    void end(const std::string &abort_msg);
    void fail(const std::string &why);
    Peer *peer_;
    uint64_t id_;
    int ch_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> q_;
    bool eof_ = false, stopped_ = false, cancelled_ = false;
    std::string error_;
};

// The sending end: write() blocks while the receiver's window is full.
class OutStream {
  public:
    // False when the receiver stopped the stream, the link failed or cancel() was called.
    bool write(const char *data, size_t len);
    // End of stream; a non-empty abort_msg tells the receiver the data is incomplete.
    void finish(const std::string &abort_msg = "");
    void cancel();
    bool stopped() const;

  private:
    friend class Peer;
    OutStream(Peer *p, uint64_t id, int ch) : peer_(p), id_(id), ch_(ch) {}
    void credit(size_t n);
    void halt();
    Peer *peer_;
    uint64_t id_;
    int ch_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    size_t credit_ = kWindow;
    bool stopped_ = false, finished_ = false;
};

class Peer {
  public:
    // `wfd` is written (not owned), never blocking this process's other users of it: a socket
    // with MSG_DONTWAIT (and MSG_NOSIGNAL), a pipe through a non-blocking open file of its
    // own. A writer waiting for room on a link that went silent is woken by fail().
    explicit Peer(int wfd);
    Peer(const Peer &) = delete;
    Peer &operator=(const Peer &) = delete;

    // Sends one message; thread-safe. Throws Error(transport) once the link has failed.
    void send(const Msg &m);
    // Raw bytes (the agent's magic).
    void send_bytes(const std::string &bytes);
    // Like send(), but a failure only marks the link as failed.
    bool try_send(const Msg &m) noexcept;
    // Sends a small message only if that needs no waiting: no other writer holds the link and
    // it has room. For keepalive pings, whose sender must stay free to declare the link dead.
    bool send_if_free(const Msg &m) noexcept;

    // Registers a stream of call `id`. Register before the peer may send on it.
    std::shared_ptr<InStream> open_in(uint64_t id, int ch);
    std::shared_ptr<OutStream> open_out(uint64_t id, int ch);
    void close_in(uint64_t id, int ch);
    void close_out(uint64_t id, int ch);

    // Delivers a stream message (data, eof, ack, stop). False: not a stream message.
    bool route(const Msg &m);

    // The link is gone: every stream fails with `why`, every send throws it.
    void fail(const std::string &why);
    bool failed() const;
    std::string failure() const;

  private:
    // Writes what it can without blocking; -1 with errno (EAGAIN: no room now).
    ssize_t write_some(const char *p, size_t n);
    // Writes everything, waiting for room or for fail(). Throws Error(transport).
    void write_all(const char *p, size_t n);
    int fd_;
    bool socket_;
    Fd own_;   // a pipe's non-blocking open file (the caller's stays as it was)
    Fd wake_;  // eventfd: readable once the link has failed
    std::mutex wmu_;
    mutable std::mutex mu_;
    bool failed_ = false;
    std::string why_;
    std::map<std::pair<uint64_t, int>, std::shared_ptr<InStream>> ins_;
    std::map<std::pair<uint64_t, int>, std::shared_ptr<OutStream>> outs_;
};

}  // namespace ct::remote
