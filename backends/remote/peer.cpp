#include "peer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace ct::remote {

// ---- InStream ----

InStream::R InStream::pop(std::string &chunk, int timeout_ms) {
    std::unique_lock lock(mu_);
    auto ready = [&] { return cancelled_ || !q_.empty() || eof_ || !error_.empty(); };
    if (timeout_ms < 0)
        cv_.wait(lock, ready);
    else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready))
        return R::timeout;
    if (cancelled_) return R::cancelled;
    if (!q_.empty()) {
        chunk = std::move(q_.front());
        q_.pop_front();
        size_t n = chunk.size();
        lock.unlock();
        peer_->try_send(Msg{{"t", "ack"}, {"id", id_}, {"ch", ch_}, {"n", n}});
        return R::data;
    }
    if (!error_.empty()) return R::failed;
    return R::eof;
}

void InStream::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopped_ || eof_) return;
        stopped_ = true;
        q_.clear();
    }
    peer_->try_send(Msg{{"t", "stop"}, {"id", id_}, {"ch", ch_}});
}

void InStream::cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
}

std::string InStream::error() const {
    std::lock_guard lock(mu_);
    return error_;
}

void InStream::push(std::string data) {
    std::lock_guard lock(mu_);
    if (stopped_ || eof_) return;
    q_.push_back(std::move(data));
    cv_.notify_all();
}

void InStream::end(const std::string &abort_msg) {
    std::lock_guard lock(mu_);
    eof_ = true;
    if (!abort_msg.empty() && error_.empty()) error_ = abort_msg;
    cv_.notify_all();
}

void InStream::fail(const std::string &why) {
    std::lock_guard lock(mu_);
    if (eof_ && q_.empty() && error_.empty()) return;  // complete already
    if (error_.empty()) error_ = why;
    cv_.notify_all();
}

// ---- OutStream ----

bool OutStream::write(const char *data, size_t len) {
    while (len > 0) {
        size_t n;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopped_ || credit_ > 0; });
            if (stopped_) return false;
            n = std::min({len, credit_, kChunk});
            credit_ -= n;
        }
        Msg m{{"t", "data"},
              {"id", id_},
              {"ch", ch_},
              {"d", Msg::binary(std::vector<uint8_t>(data, data + n))}};
        if (!peer_->try_send(m)) return false;
        data += n;
        len -= n;
    }
    return true;
}

void OutStream::finish(const std::string &abort_msg) {
    {
        std::lock_guard lock(mu_);
        if (finished_) return;
        finished_ = true;
    }
    Msg m{{"t", "eof"}, {"id", id_}, {"ch", ch_}};
    if (!abort_msg.empty()) m["err"] = abort_msg;
    peer_->try_send(m);
}

void OutStream::cancel() {
    halt();
}

bool OutStream::stopped() const {
    std::lock_guard lock(mu_);
    return stopped_;
}

void OutStream::credit(size_t n) {
    std::lock_guard lock(mu_);
    credit_ += n;
    cv_.notify_all();
}

void OutStream::halt() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    cv_.notify_all();
}

// ---- Peer ----

Peer::Peer(int wfd) : fd_(wfd) {
    struct stat st {};
    socket_ = ::fstat(wfd, &st) == 0 && S_ISSOCK(st.st_mode);
    if (!socket_) {
        // O_NONBLOCK on `wfd` itself would change it for everyone sharing its open file; a
        // pipe opened again through /proc is a file of our own.
        own_ = Fd(::open(("/proc/self/fd/" + std::to_string(wfd)).c_str(),
                         O_WRONLY | O_NONBLOCK | O_CLOEXEC));
        if (own_)
            fd_ = own_.get();
        else
            ::fcntl(wfd, F_SETFL, ::fcntl(wfd, F_GETFL) | O_NONBLOCK);
    }
    wake_ = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

ssize_t Peer::write_some(const char *p, size_t n) {
    ssize_t w;
    do w = socket_ ? ::send(fd_, p, n, MSG_NOSIGNAL | MSG_DONTWAIT) : ::write(fd_, p, n);
    while (w < 0 && errno == EINTR);
    return w;
}

void Peer::write_all(const char *p, size_t left) {
    while (left > 0) {
        ssize_t n = write_some(p, left);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // No room: the far side (or the link) is not reading. Wait for room, or for the
            // verdict that the link is dead.
            pollfd fds[2] = {{fd_, POLLOUT, 0}, {wake_ ? wake_.get() : -1, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0 && errno != EINTR)
                throw Error(Errc::transport, std::string("poll: ") + std::strerror(errno), errno);
            if (fds[1].revents) {
                std::lock_guard lock(mu_);
                throw Error(Errc::transport, why_.empty() ? "the link has failed" : why_);
            }
            continue;
        }
        if (n < 0)
            throw Error(Errc::transport, std::string("write: ") + std::strerror(errno), errno);
        p += n;
        left -= static_cast<size_t>(n);
    }
}

void Peer::send(const Msg &m) {
    std::string bytes = encode_frame(m);
    {
        std::lock_guard lock(mu_);
        if (failed_) throw Error(Errc::transport, why_);
    }
    // A write error is not the link's verdict: the reader sees the end too and names the cause
    // (ssh's exit, its stderr), so failing here would only lose that.
    std::lock_guard w(wmu_);
    write_all(bytes.data(), bytes.size());
}

void Peer::send_bytes(const std::string &bytes) {
    std::lock_guard w(wmu_);
    write_all(bytes.data(), bytes.size());
}

bool Peer::send_if_free(const Msg &m) noexcept {
    try {
        std::string bytes = encode_frame(m);
        std::unique_lock w(wmu_, std::try_to_lock);
        if (!w.owns_lock() || failed()) return false;
        ssize_t n = write_some(bytes.data(), bytes.size());
        if (n <= 0) return false;
        // A small frame goes whole into a link that has room; should it not, the rest must
        // follow before any other frame.
        if (static_cast<size_t>(n) < bytes.size())
            write_all(bytes.data() + n, bytes.size() - static_cast<size_t>(n));
        return true;
    } catch (...) {
        return false;
    }
}

bool Peer::try_send(const Msg &m) noexcept {
    try {
        send(m);
        return true;
    } catch (...) {
        return false;
    }
}

std::shared_ptr<InStream> Peer::open_in(uint64_t id, int ch) {
    std::shared_ptr<InStream> s(new InStream(this, id, ch));
    std::lock_guard lock(mu_);
    if (failed_) s->error_ = why_;
    ins_[{id, ch}] = s;
    return s;
}

std::shared_ptr<OutStream> Peer::open_out(uint64_t id, int ch) {
    std::shared_ptr<OutStream> s(new OutStream(this, id, ch));
    std::lock_guard lock(mu_);
    if (failed_) s->stopped_ = true;
    outs_[{id, ch}] = s;
    return s;
}

void Peer::close_in(uint64_t id, int ch) {
    std::lock_guard lock(mu_);
    ins_.erase({id, ch});
}

void Peer::close_out(uint64_t id, int ch) {
    std::lock_guard lock(mu_);
    outs_.erase({id, ch});
}

bool Peer::route(const Msg &m) {
    const std::string &t = m["t"].get_ref<const std::string &>();
    if (t != "data" && t != "eof" && t != "ack" && t != "stop") return false;
    std::pair<uint64_t, int> key{m.value("id", uint64_t{0}), m.value("ch", -1)};
    if (t == "data" || t == "eof") {
        std::shared_ptr<InStream> s;
        {
            std::lock_guard lock(mu_);
            if (auto it = ins_.find(key); it != ins_.end()) s = it->second;
        }
        if (!s) return true;  // closed on this side meanwhile: dropped
        if (t == "data") {
            const auto &bin = m.at("d").get_binary();
            s->push(std::string(bin.begin(), bin.end()));
        } else {
            s->end(m.value("err", std::string()));
        }
        return true;
    }
    std::shared_ptr<OutStream> s;
    {
        std::lock_guard lock(mu_);
        if (auto it = outs_.find(key); it != outs_.end()) s = it->second;
    }
    if (!s) return true;
    if (t == "ack")
        s->credit(m.value("n", size_t{0}));
    else
        s->halt();
    return true;
}

void Peer::fail(const std::string &why) {
    std::map<std::pair<uint64_t, int>, std::shared_ptr<InStream>> ins;
    std::map<std::pair<uint64_t, int>, std::shared_ptr<OutStream>> outs;
    {
        std::lock_guard lock(mu_);
        if (failed_) return;
        failed_ = true;
        why_ = why;
        ins = ins_;
        outs = outs_;
    }
    if (wake_) {  // writers waiting for room give up
        uint64_t one = 1;
        ssize_t w = ::write(wake_.get(), &one, sizeof one);
        (void)w;
    }
    for (auto &[k, s] : ins) s->fail(why);
    for (auto &[k, s] : outs) s->halt();
}

bool Peer::failed() const {
    std::lock_guard lock(mu_);
    return failed_;
}

std::string Peer::failure() const {
    std::lock_guard lock(mu_);
    return why_;
}

}  // namespace ct::remote
