// Container::migrate: the backend's own migration when it has one for the destination
// (OpenVZ's vzmigrate), else libct's generic one, which works between any two sessions whose
// backends checkpoint and restore: freeze, checkpoint, stream the images from the source
// session to the destination session, restore there, and only then destroy the source. Any
// failure leaves the container running where it was (docs/checkpoint.md, "Migration").
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>

#include "archive.hpp"
#include "ct/container.hpp"
#include "ct/internal/document.hpp"
#include "ct/internal/rollback.hpp"
#include "host.hpp"
#include "session_core.hpp"

namespace ct {
namespace {

using detail::SessionCore;
using detail::StringOut;

std::string sq(const std::string &name) {
    return "'" + name + "'";
}

template <class Fn>
bool has(const SessionCore &c, Fn ct_backend_ops::*op) {
    return ops::has(c.lb->desc, op);
}

void log(int level, const std::string &msg) {
    if (auto *h = loader::host_services(); h->log) h->log(level, "migrate", msg.c_str());
}

// A directory name for images, unique on any host: the far side's filesystem is not ours to
// look at, so no check for existence beyond put_files' own (it refuses an existing one).
std::string image_dir(const std::string &name, const char *side) {
    std::random_device rd;
    char rnd[17];
    std::snprintf(rnd, sizeof rnd, "%08x%08x", rd(), rd());
    return std::string("/var/tmp/ct-migrate.") + name + "." + side + "." + rnd;
}

// Streams `dir` of the source session into `to_dir` of the destination: get_files runs on a
// thread of its own and writes into a socket pair; put_files reads from the other end on this
// thread. Either backend may lack the slots: then its host is this one (the slots are
// documented to be implemented by every backend whose host is not the caller's) and the
// local filesystem is used.
class Transfer {
  public:
    Transfer(SessionCore &src, SessionCore &dst, std::string what)
        : src_(src), dst_(dst), what_(std::move(what)) {}

    void run(const std::string &from_dir, const std::string &to_dir) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            throw Error(Errc::backend, what_ + ": socketpair: " + std::strerror(errno), errno);
        rd_ = sv[0];
        wr_ = sv[1];
        std::thread producer([&] { produce(from_dir); });
        try {
            consume(to_dir);
        } catch (...) {
            ::shutdown(rd_, SHUT_RDWR);  // the producer's sends fail from now on
            producer.join();
            close_fds();
            throw;
        }
        producer.join();
        close_fds();
        if (src_failed_) throw src_error_;
    }

  private:
    struct Out : ct_out {
        Transfer *t;
    };
    struct In : ct_in {
        Transfer *t;
    };

    void close_fds() {
        if (rd_ >= 0) ::close(rd_);
        rd_ = -1;
    }

    void send_all(const char *p, size_t n) {
        while (n > 0 && !abandoned_) {
            ssize_t w = ::send(wr_, p, n, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR) continue;
                abandoned_ = true;  // the reader has given up: drain quietly
                return;
            }
            p += w;
            n -= static_cast<size_t>(w);
        }
    }

    void produce(const std::string &dir) {
        try {
            if (has(src_, &ct_backend_ops::get_files)) {
                Out out;
                out.t = this;
                out.put = [](ct_out *self, const char *d, size_t n) {
                    static_cast<Out *>(self)->t->send_all(d, n);
                };
                out.set_errno = nullptr;
                src_.call(&ct_backend_ops::get_files, "get_files",
                          what_ + ": read the images " + dir, dir.c_str(),
                          static_cast<ct_out *>(&out));
            } else {
                archive::pack(dir, [&](const char *d, size_t n) { send_all(d, n); });
            }
        } catch (const Error &e) {
            src_error_ = e;
            src_failed_ = true;
        } catch (const std::exception &e) {
            src_error_ = Error(Errc::backend, what_ + ": " + e.what());
            src_failed_ = true;
        }
        ::shutdown(wr_, SHUT_WR);
        ::close(wr_);
    }

    // Reads the stream, reporting progress. -1 when the source failed (its error is the one
    // reported, once both sides have stopped).
    int64_t read(char *buf, size_t len) {
        ssize_t n;
        do n = ::recv(rd_, buf, len, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0) return -1;
        if (n == 0) return src_failed_ ? -1 : 0;
        if (head_.size() < archive::kHeaderSize) {
            head_.append(
                buf, std::min<size_t>(static_cast<size_t>(n), archive::kHeaderSize - head_.size()));
            if (auto t = archive::parse_header(head_.data(), head_.size())) total_ = t->bytes;
        }
        done_ += static_cast<uint64_t>(n);
        report(false);
        return n;
    }

    void report(bool final) {
        auto *h = loader::host_services();
        if (!h->progress) return;
        // Stream bytes include a little framing: never show more than the announced total.
        uint64_t done = total_ ? std::min(done_, total_) : done_;
        if (final) done = total_ ? total_ : done_;
        // Every MiB and at the end, once: the framing after the last file's data reads as more
        // reports of 100%, which say nothing new.
        if (reported_any_ && done == reported_) return;
        if (!final && done - reported_ < (1u << 20) && done != total_) return;
        reported_ = done;
        reported_any_ = true;
        h->progress((what_ + ": transfer").c_str(), done, total_);
    }

    void consume(const std::string &dir) {
        if (has(dst_, &ct_backend_ops::put_files)) {
            In in;
            in.t = this;
            in.read = [](ct_in *self, char *buf, size_t len) -> int64_t {
                return static_cast<In *>(self)->t->read(buf, len);
            };
            try {
                dst_.call(&ct_backend_ops::put_files, "put_files",
                          what_ + ": write the images " + dir, dir.c_str(),
                          static_cast<ct_in *>(&in));
            } catch (const Error &) {
                if (src_failed_) {
                    // The destination only saw the stream break: the source's error says why.
                    ::shutdown(rd_, SHUT_RDWR);
                    throw src_error_;
                }
                throw;
            }
        } else {
            archive::unpack(dir, [&](char *buf, size_t len) -> size_t {
                int64_t n = read(buf, len);
                if (n < 0)
                    throw src_failed_ ? src_error_
                                      : Error(Errc::backend, what_ + ": the image stream broke");
                return static_cast<size_t>(n);
            });
        }
        report(true);
    }

    SessionCore &src_, &dst_;
    std::string what_;
    int rd_ = -1, wr_ = -1;
    std::atomic<bool> abandoned_{false}, src_failed_{false};
    Error src_error_{Errc::backend, ""};
    std::string head_;
    uint64_t done_ = 0, total_ = 0, reported_ = 0;
    bool reported_any_ = false;

  public:
    uint64_t bytes() const { return total_ ? total_ : done_; }
};

void remove_files(SessionCore &c, const std::string &dir, const std::string &what) {
    if (has(c, &ct_backend_ops::remove_files))
        c.call(&ct_backend_ops::remove_files, "remove_files", what + ": remove " + dir,
               dir.c_str());
    else
        archive::remove_tree(dir);
}

// The step a migration is at, for progress displays ("<what>: dump"): done and total are the
// bytes of the images, once known (0 before the transfer).
void report_step(const std::string &what, const char *step, uint64_t bytes) {
    if (auto *h = loader::host_services(); h->progress)
        h->progress((what + ": " + step).c_str(), bytes, bytes);
}

// Best effort for clean-up steps: their failure is logged, the original error is reported.
template <class F>
void quietly(const std::string &step, F &&f) {
    try {
        f();
    } catch (const std::exception &e) {
        log(CT_LOG_WARN, step + ": " + e.what());
    }
}

}  // namespace

namespace {

// Step 1: the backend's own migration, if it has one for this destination. True once done.
bool migrate_by_backend(SessionCore &src, const std::string &name, const std::string &doc,
                        const std::string &what) {
    if (!has(src, &ct_backend_ops::migrate)) return false;
    StringOut err;
    int rc = src.lb->desc->ops.migrate(src.session, name.c_str(), doc.c_str(), &err);
    if (rc == CT_OK) return true;
    if (rc != CT_ERR_UNSUPPORTED) throw src.make_error(rc, what, err.data, err.err);
    log(CT_LOG_INFO, what + ": backend " + src.lb->name + " cannot migrate there itself (" +
                         err.data + "); using checkpoint and restore");
    return false;
}

// The destination of the generic way, checked: both sides have what it takes, and the name
// is free there.
std::shared_ptr<SessionCore> generic_destination(SessionCore &src, const std::string &name,
                                                 const std::string &to_uri,
                                                 const std::string &what) {
    // A backend that can neither migrate nor checkpoint cannot migrate, full stop.
    if (!has(src, &ct_backend_ops::migrate) && !has(src, &ct_backend_ops::checkpoint))
        throw Error(Errc::unsupported,
                    what + ": operation 'migrate' is not supported by backend " + src.lb->name);
    auto dst = detail::open_core(to_uri);
    for (auto [c, op, slot] :
         {std::tuple{&src, "checkpoint", has(src, &ct_backend_ops::checkpoint)},
          std::tuple{dst.get(), "restore", has(*dst, &ct_backend_ops::restore)}})
        if (!slot)
            throw Error(Errc::unsupported, what + ": operation '" + op +
                                               "' is not supported by backend " + c->lb->name);
    StringOut info, err;
    int rc = dst->lb->desc->ops.info(dst->session, name.c_str(), &info, &err);
    if (rc == CT_OK)
        throw Error(Errc::exists,
                    what + ": a container named " + sq(name) + " already exists there");
    if (rc != CT_ERR_NOT_FOUND) throw dst->make_error(rc, what, err.data, err.err);
    return dst;
}

// Frozen, the source cannot change after its checkpoint, and a failure later just thaws it.
// False for a backend that cannot freeze (no pause slot, or one that answers unsupported, as a
// remote session does when the far backend has none): its checkpoint stops the container, and
// a failure later restores it from its own images.
bool freeze(SessionCore &src, const std::string &name, const std::string &what) {
    if (!has(src, &ct_backend_ops::pause) || !has(src, &ct_backend_ops::resume)) return false;
    try {
        src.call(&ct_backend_ops::pause, "pause", what + ": freeze it", name.c_str());
    } catch (const Error &e) {
        if (e.code() != Errc::unsupported) throw;
        return false;
    }
    return true;
}

void restore_at(SessionCore &c, const std::string &name, const std::string &dir,
                const std::string &what) {
    nlohmann::json rj{{"dir", dir}, {"detach", true}, {"stdio", {-1, -1, -1}}};
    const std::string rdoc = rj.dump();
    c.call(&ct_backend_ops::restore, "restore", what, name.c_str(), rdoc.c_str());
}

}  // namespace

Container Container::migrate(const std::string &to_uri, const MigrateOptions &opts) {
    const std::string what = "migrate container " + sq(name_) + " to " + to_uri;
    nlohmann::json j{{"to", to_uri},
                     {"leave_running", opts.leave_running},
                     {"tcp_established", opts.tcp_established}};
    if (migrate_by_backend(*core_, name_, j.dump(), what))
        return Container(detail::open_core(to_uri), name_);

    // 2. Generic: checkpoint, transfer, restore; every step's undo registered as it is made,
    // run in reverse if a later one fails, so the container keeps running here.
    auto dst = generic_destination(*core_, name_, to_uri, what);
    const std::string src_dir = image_dir(name_, "out"), dst_dir = image_dir(name_, "in");
    Rollback undo;
    undo.add([&] {
        quietly(what + ": remove " + src_dir, [&] { remove_files(*core_, src_dir, what); });
    });
    report_step(what, "freeze", 0);
    bool frozen = freeze(*core_, name_, what);
    auto thaw = [&] {
        quietly(what + ": thaw the source", [&] {
            core_->call(&ct_backend_ops::resume, "resume", what + ": thaw it", name_.c_str());
        });
    };
    if (frozen) undo.add(thaw);

    nlohmann::json cj{{"dir", src_dir},
                      {"leave_running", frozen || opts.leave_running},
                      {"tcp_established", opts.tcp_established},
                      {"file_locks", false}};
    const std::string cdoc = cj.dump();
    report_step(what, "dump", 0);
    core_->call(&ct_backend_ops::checkpoint, "checkpoint", what + ": checkpoint", name_.c_str(),
                cdoc.c_str());
    if (!frozen && !opts.leave_running)  // the checkpoint stopped it: bring it back here
        undo.add([&] {
            quietly(what + ": restore the source from its images",
                    [&] { restore_at(*core_, name_, src_dir, what + ": restore it here"); });
        });

    undo.add(
        [&] { quietly(what + ": remove " + dst_dir, [&] { remove_files(*dst, dst_dir, what); }); });
    Transfer transfer(*core_, *dst, what);
    transfer.run(src_dir, dst_dir);
    const uint64_t bytes = transfer.bytes();
    // Frozen, the source needs its images no more (a failure from here on only thaws it), and
    // removing them tells a remote source's agent that this caller has passed the transfer:
    // should the link to it die from now on, the agent leaves the container frozen rather than
    // thaw it while it may already run at the destination. Before this point, a link that dies
    // gets it thawed by the agent (docs/remote.md, "Faults").
    if (frozen) remove_files(*core_, src_dir, what);
    report_step(what, "restore", bytes);
    restore_at(*dst, name_, dst_dir, what + ": restore there");
    StringOut info;
    dst->call(&ct_backend_ops::info, "info", what + ": check it runs there", name_.c_str(),
              static_cast<ct_out *>(&info));
    auto st = doc::info_from_json(doc::parse(info.data, "container info")).state;
    if (st != State::running && st != State::paused)
        throw Error(Errc::backend, what + ": restored there, but it is " +
                                       std::string(state_name(st)) + " instead of running");
    undo.commit();

    // 3. It runs there: the images go, and so does the source (unless this was a copy).
    quietly(what + ": remove " + dst_dir, [&] { remove_files(*dst, dst_dir, what); });
    if (opts.leave_running) {
        report_step(what, "thaw", bytes);
        if (frozen) thaw();
    } else {
        report_step(what, "destroy the source", bytes);
        quietly(what + ": destroy the source", [&] {
            core_->call(&ct_backend_ops::destroy, "destroy", what + ": destroy the source",
                        name_.c_str(), CT_DESTROY_FORCE);
        });
    }
    quietly(what + ": remove " + src_dir, [&] { remove_files(*core_, src_dir, what); });
    return Container(dst, name_);
}

}  // namespace ct
