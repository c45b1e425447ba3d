#include "relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ct::remote {

Relay::Relay() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wake_) throw Error(Errc::backend, std::string("eventfd: ") + std::strerror(errno), errno);
}

std::unique_ptr<Relay> Relay::from_fd(Fd fd, std::shared_ptr<OutStream> out,
                                      std::function<void(int)> tick) {
    std::unique_ptr<Relay> r(new Relay);
    r->fd_ = std::move(fd);
    r->out_ = std::move(out);
    r->thread_ = std::thread([p = r.get(), tick = std::move(tick)] { p->run_from(tick); });
    return r;
}

std::unique_ptr<Relay> Relay::to_fd(std::shared_ptr<InStream> in, Fd fd,
                                    std::function<void()> on_end) {
    std::unique_ptr<Relay> r(new Relay);
    r->fd_ = std::move(fd);
    r->in_ = std::move(in);
    r->thread_ = std::thread([p = r.get(), on_end = std::move(on_end)] { p->run_to(on_end); });
    return r;
}

Relay::~Relay() {
    cancel();
    if (thread_.joinable()) thread_.join();
}

void Relay::cancel() {
    cancelled_ = true;
    uint64_t one = 1;
    ssize_t w = ::write(wake_.get(), &one, sizeof one);
    (void)w;
    if (out_) out_->cancel();
    if (in_) in_->cancel();
}

bool Relay::wait(int timeout_ms) {
    std::unique_lock lock(mu_);
    if (timeout_ms < 0) {
        cv_.wait(lock, [&] { return done_; });
        return true;
    }
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done_; });
}

void Relay::finished() {
    fd_.reset();
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
}

void Relay::run_from(std::function<void(int)> tick) {
    block_sigpipe();
    std::string buf(kChunk, '\0');
    pollfd p[2] = {{fd_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    while (!cancelled_) {
        int r = ::poll(p, 2, tick || out_ ? 100 : -1);
        if (r < 0 && errno != EINTR) break;
        if (tick) tick(fd_.get());
        if (p[1].revents || out_->stopped()) break;
        if (r <= 0 || !p[0].revents) continue;
        ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) break;  // EOF; EIO: the pty's other side is gone
        if (!out_->write(buf.data(), static_cast<size_t>(n))) break;
    }
    out_->finish();
    finished();
}

void Relay::run_to(std::function<void()> on_end) {
    block_sigpipe();
    std::string chunk;
    for (;;) {
        auto r = in_->pop(chunk, 200);
        if (r == InStream::R::timeout) {
            // Nobody will ever read: the process closed its end (e.g. it exited).
            pollfd p{fd_.get(), POLLOUT, 0};
            if (::poll(&p, 1, 0) > 0 && (p.revents & POLLERR)) {
                in_->stop();
                break;
            }
            continue;
        }
        if (r != InStream::R::data) break;
        size_t off = 0;
        bool broken = false;
        while (off < chunk.size() && !cancelled_) {
            pollfd p[2] = {{fd_.get(), POLLOUT, 0}, {wake_.get(), POLLIN, 0}};
            int pr = ::poll(p, 2, -1);
            if (pr < 0 && errno == EINTR) continue;
            if (pr < 0 || p[1].revents) break;
            // Small pieces: a pipe with room for PIPE_BUF bytes takes them without blocking.
            ssize_t n =
                ::write(fd_.get(), chunk.data() + off, std::min<size_t>(4096, chunk.size() - off));
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n < 0) {
                broken = true;
                break;
            }
            off += static_cast<size_t>(n);
        }
        if (broken) {
            in_->stop();
            break;
        }
        if (cancelled_) break;
    }
    fd_.reset();
    if (on_end) on_end();
    finished();
}

}  // namespace ct::remote
