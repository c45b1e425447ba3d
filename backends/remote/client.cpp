#include "client.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#ifndef CT_AGENT_DEFAULT_PATH
#error "CT_AGENT_DEFAULT_PATH must be defined by the build"
#endif

namespace ct::remote {
namespace {

constexpr int kDrainMs = 2000;  // how long wait() lets a finished process's output arrive

std::string str(const char *s) {
    return s ? s : "";
}

}  // namespace

const char *default_agent_path() {
    return CT_AGENT_DEFAULT_PATH;
}

Client::Client(const ct_host *host, const std::string &uri)
    : host_(host), target_(parse_target(uri, default_agent_path())) {
    const char *ssh = std::getenv("CT_SSH");
    ssh_ = std::make_unique<SshProcess>(ssh_argv(target_, ssh && *ssh ? ssh : "ssh"));
    peer_ = std::make_unique<Peer>(ssh_->fd());
    reader_ = std::make_unique<FrameReader>(ssh_->fd());
    try {
        handshake();
    } catch (...) {
        ssh_->kill();
        throw;
    }
    last_rx_ = now_ms();
    reader_thread_ = std::thread([this] { reader_loop(); });
    keepalive_thread_ = std::thread([this] { keepalive_loop(); });
}

Client::~Client() {
    closing_ = true;
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (keepalive_thread_.joinable()) keepalive_thread_.join();
    // A clean end: the agent reads EOF, finishes what it is doing and exits; ssh follows.
    ssh_->shutdown_write();
    if (!ssh_->wait_exit(3000)) ssh_->kill();
    if (reader_thread_.joinable()) reader_thread_.join();
    std::map<uint64_t, std::shared_ptr<Proc>> procs;
    {
        std::lock_guard lock(mu_);
        procs.swap(procs_);
    }
    procs.clear();  // relays cancel and join
}

std::string Client::describe_exit() {
    int st = ssh_->status();
    std::string err = ssh_->stderr_text();
    std::string out;
    if (st < 0)
        out = "ssh is still running";
    else if (WIFSIGNALED(st))
        out = "ssh was killed by signal " + std::to_string(WTERMSIG(st));
    else if (WEXITSTATUS(st) == 127)
        out = "ct-agent was not found at " + target_.agent + " on " + target_.host +
              " (install it there, or give its path with agent=PATH)";
    else if (WEXITSTATUS(st) == 126)
        out = "ct-agent at " + target_.agent + " on " + target_.host + " cannot be executed";
    else if (WEXITSTATUS(st) == 255)
        out = err.empty() ? "ssh failed without a message (ct-agent was killed on the far side, or "
                            "the connection was cut)"
                          : "ssh failed";
    else
        out = "ct-agent exited with status " + std::to_string(WEXITSTATUS(st));
    if (!err.empty()) out += ": " + err;
    return out;
}

[[noreturn]] void Client::lost(const std::string &during) {
    if (!ssh_->wait_exit(2000)) {
        ssh_->kill();
        ssh_->wait_exit(-1);
    }
    throw Error(Errc::transport, "cannot connect to ct-agent on " + target_.where() + ": " +
                                     during + "; " + describe_exit());
}

void Client::handshake() {
    // Bounded: ssh's ConnectTimeout covers the TCP connect; this covers the rest (auth, a
    // stuck shell, an agent that never answers).
    int budget = (target_.connect_timeout + 3 * target_.keepalive) * 1000;
    std::string skipped;
    if (!reader_->find_magic(budget, 64 << 10, skipped)) {
        if (reader_->timed_out()) lost("no answer within " + std::to_string(budget / 1000) + " s");
        if (skipped.find_first_not_of(" \t\r\n") != std::string::npos)
            lost("the far command is not ct-agent (it wrote: " + skipped.substr(0, 200) + ")");
        lost("the connection ended before ct-agent answered");
    }
    Msg hello;
    bool got = false;
    try {
        got = reader_->next(hello, budget);
    } catch (const Error &e) {
        lost(e.what());
    }
    if (!got || hello["t"] != "hello") lost("ct-agent did not say hello");
    unsigned amin = hello.value("min", 0u), amax = hello.value("max", 0u);
    std::string aver = hello.value("agent", std::string("?"));
    unsigned v = std::min(amax, kProtoMax);
    if (v < std::max(amin, kProtoMin))
        throw Error(Errc::unsupported,
                    "ct-agent " + aver + " on " + target_.where() + " speaks protocol versions " +
                        std::to_string(amin) + ".." + std::to_string(amax) + ", this libct " +
                        std::to_string(kProtoMin) + ".." + std::to_string(kProtoMax) +
                        ": install a ct-agent that matches this libct");
    uint64_t id = new_id();
    peer_->send(Msg{{"t", "call"},
                    {"id", id},
                    {"op", "open"},
                    {"v", v},
                    {"uri", target_.inner_uri},
                    {"keepalive", target_.keepalive}});
    Msg r;
    do {  // the far backend may log while it opens
        try {
            got = reader_->next(r, budget);
        } catch (const Error &e) {
            lost(e.what());
        }
        if (!got) lost("ct-agent ended during open");
    } while (notice(r));
    if (r["t"] == "err") throw error_from_reply(r);
    if (r["t"] != "ok") lost("unexpected answer to open");
    far_backend_ = r["backend"].value("name", target_.backend);
}

bool Client::notice(const Msg &m) {
    const std::string &t = m["t"].get_ref<const std::string &>();
    std::string who = (far_backend_.empty() ? target_.backend : far_backend_) + "@" + target_.host;
    if (t == "log") {
        if (host_ && host_->log)
            host_->log(m.value("level", static_cast<int>(CT_LOG_INFO)), who.c_str(),
                       m.value("msg", std::string()).c_str());
        return true;
    }
    if (t == "progress") {
        if (host_ && host_->size >= offsetof(ct_host, progress) + sizeof(void *) && host_->progress)
            host_->progress(m.value("what", std::string()).c_str(), m.value("done", uint64_t{0}),
                            m.value("total", uint64_t{0}));
        return true;
    }
    return false;  // "pong", and message types of later versions: nothing to do
}

void Client::dispatch(Msg &m) {
    last_rx_ = now_ms();
    const std::string &t = m["t"].get_ref<const std::string &>();
    if (t == "ok" || t == "err") {
        std::shared_ptr<Pending> p;
        {
            std::lock_guard lock(mu_);
            if (auto it = pending_.find(m.value("id", uint64_t{0})); it != pending_.end())
                p = it->second;
        }
        if (p) {
            std::lock_guard lock(p->mu);
            p->reply = std::move(m);
            p->signal();
        }
    } else if (!peer_->route(m)) {
        notice(m);
    }
}

bool Client::pump(std::string &reason) {
    try {
        bool open = reader_->read_available();
        Msg m;
        while (reader_->take(m)) dispatch(m);
        if (!open) reason = "the connection was closed";
        return open;
    } catch (const std::exception &e) {
        reason = e.what();
        return false;
    }
}

void Client::end_of_link(const std::string &reason) {
    std::call_once(died_, [&] { die(reason); });
}

void Client::reader_loop() {
    block_sigpipe();
    std::string reason;
    for (;;) {
        pollfd p{ssh_->fd(), POLLIN, 0};
        if (::poll(&p, 1, -1) < 0 && errno != EINTR) {
            reason = std::string("poll: ") + std::strerror(errno);
            break;
        }
        std::lock_guard lock(tok_);
        if (link_ended_) return;  // a caller saw the end and reported it
        if (!pump(reason)) {
            link_ended_ = true;
            break;
        }
    }
    end_of_link(reason);
}

void Client::die(const std::string &reason) {
    std::string why;
    if (closing_) {
        why = "the session was closed";
    } else {
        if (!ssh_->wait_exit(2000)) {
            ssh_->kill();
            ssh_->wait_exit(-1);
        }
        std::string ka;
        {
            std::lock_guard lock(mu_);
            ka = keepalive_reason_;
        }
        why = "lost the connection to ct-agent on " + target_.where() + ": " +
              (ka.empty() ? reason : ka) + "; " + describe_exit();
    }
    peer_->fail(why);
    std::map<uint64_t, std::shared_ptr<Pending>> pending;
    {
        std::lock_guard lock(mu_);
        dead_ = true;
        pending = pending_;
    }
    for (auto &[id, p] : pending) {
        std::lock_guard lock(p->mu);
        p->signal();
    }
    cv_.notify_all();
}

void Client::keepalive_loop() {
    block_sigpipe();
    // A ping every period; the link is dead once nothing at all has come for 3 periods. The
    // check runs at that deadline itself, not at the next tick after it (which made the bound
    // 4 periods), and never waits for the link: a writer stuck on a link that went silent
    // must not hold up the verdict that frees it.
    const int64_t period = target_.keepalive * 1000LL, limit = 3 * period;
    int64_t next_ping = now_ms() + period;
    std::unique_lock lock(mu_);
    while (!stop_ && !dead_) {
        int64_t now = now_ms(), expiry = last_rx_ + limit;
        if (now >= expiry) {
            keepalive_reason_ = "no answer for " + std::to_string(3 * target_.keepalive) +
                                " s (keepalive " + std::to_string(target_.keepalive) + " s)";
            lock.unlock();
            ssh_->kill();  // the reader sees the end and fails everything
            return;
        }
        if (now >= next_ping) {
            lock.unlock();
            peer_->send_if_free(Msg{{"t", "ping"}, {"id", 0}});
            lock.lock();
            next_ping = now + period;
            continue;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(std::min(next_ping, expiry) - now));
    }
}

std::shared_ptr<Client::Pending> Client::begin_call(const Msg &m) {
    auto p = std::make_shared<Pending>();
    p->ready = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!p->ready)
        throw Error(Errc::backend, std::string("eventfd: ") + std::strerror(errno), errno);
    uint64_t id = m["id"];
    {
        std::lock_guard lock(mu_);
        if (dead_) throw Error(Errc::transport, peer_->failure());
        pending_[id] = p;
    }
    try {
        peer_->send(m);
    } catch (const Error &) {
        // The reader is about to see the end and name its cause; wait for that.
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(5), [&] { return dead_; });
        pending_.erase(id);
        {
            std::lock_guard plock(p->mu);
            p->ready.reset();
        }
        throw Error(Errc::transport, dead_
                                         ? peer_->failure()
                                         : "lost the connection to ct-agent on " + target_.where());
    }
    return p;
}

Msg Client::end_call(uint64_t id, const std::shared_ptr<Pending> &p) {
    auto settled = [&] {
        {
            std::lock_guard lock(p->mu);
            if (p->reply) return true;
        }
        std::lock_guard lock(mu_);
        return dead_;
    };
    while (!settled()) {
        pollfd fds[2] = {{ssh_->fd(), POLLIN, 0}, {p->ready.get(), POLLIN, 0}};
        int n = ::poll(fds, 2, -1);
        if (n < 0 || fds[1].revents || !fds[0].revents) continue;
        std::unique_lock tok(tok_, std::try_to_lock);
        bool ended = tok.owns_lock() && link_ended_;
        if (!tok.owns_lock() || ended) {
            // Another thread is reading (and will signal us), or the end is being reported
            // (die() signals every pending call).
            tok = {};
            pollfd r{p->ready.get(), POLLIN, 0};
            ::poll(&r, 1, ended ? -1 : 1);
            continue;
        }
        std::string reason;
        if (!pump(reason)) {
            link_ended_ = true;
            tok.unlock();
            end_of_link(reason);
        }
    }
    std::optional<Msg> r;
    {
        // Closed here, not when the last reference goes: the reader thread may still hold one
        // for a moment, and a call must not leave an fd open after it returns.
        std::lock_guard lock(p->mu);
        r = std::move(p->reply);
        p->ready.reset();
    }
    {
        std::lock_guard lock(mu_);
        pending_.erase(id);
    }
    if (!r) throw Error(Errc::transport, peer_->failure());
    if ((*r)["t"] == "err") throw error_from_reply(*r);
    return std::move(*r);
}

Msg Client::call(const std::string &op, Msg args) {
    uint64_t id = new_id();
    args["t"] = "call";
    args["id"] = id;
    args["op"] = op;
    return end_call(id, begin_call(args));
}

Client::Streams Client::open_streams(uint64_t id, const int (&fds)[3], bool tty, Msg &m) {
    static const char *const kNames[] = {"stdin", "stdout", "stderr"};
    Streams st;
    st.id = id;
    for (int i = 0; i < 3; ++i)
        if (fds[i] >= 0) st.dups[i] = dup_fd(fds[i], kNames[i]);
    m["stdio"] = {static_cast<bool>(st.dups[0]), static_cast<bool>(st.dups[1]),
                  static_cast<bool>(st.dups[2])};
    m["console"] = tty;
    if (st.dups[0]) st.in = peer_->open_out(id, kStdin);
    for (int i = 1; i < 3; ++i)
        if (st.dups[i]) st.out[i] = peer_->open_in(id, i);
    if (tty) {
        st.pty_in = peer_->open_in(id, kPty);
        st.pty_out = peer_->open_out(id, kPty);
    }
    return st;
}

void Client::close_streams(const Streams &st) {
    for (int ch : {kStdout, kStderr, kPty}) peer_->close_in(st.id, ch);
    for (int ch : {kStdin, kPty}) peer_->close_out(st.id, ch);
}

void Client::attach(Streams &st, const Msg &reply, int console_socket) {
    auto proc = std::make_shared<Proc>();
    if (reply.value("pty", false) && console_socket >= 0) {
        // The caller gets the master of a pty of its own; its slave carries the bytes of the
        // far pty, and its window size goes there when the caller changes it.
        Fd master, slave;
        open_pty(master, slave);
        send_fd(console_socket, master.get());
        master.reset();
        Fd slave2 = dup_fd(slave.get(), "pty");
        auto last = std::make_shared<std::pair<int, int>>(-1, -1);
        uint64_t id = st.id;
        Peer *peer = peer_.get();
        proc->outs.push_back(Relay::from_fd(std::move(slave2), st.pty_out, [=](int fd) {
            winsize ws{};
            if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return;
            if ((ws.ws_row == last->first && ws.ws_col == last->second) || ws.ws_row == 0) return;
            *last = {ws.ws_row, ws.ws_col};
            peer->try_send(
                Msg{{"t", "winsz"}, {"id", id}, {"rows", ws.ws_row}, {"cols", ws.ws_col}});
        }));
        // The far pty has ended: the caller's master must see it end too, so the relay that
        // reads our slave lets go of it.
        proc->outs.push_back(
            Relay::to_fd(st.pty_in, std::move(slave), [out = st.pty_out] { out->cancel(); }));
    } else {
        peer_->close_in(st.id, kPty);
        peer_->close_out(st.id, kPty);
    }
    if (st.in) proc->in = Relay::from_fd(std::move(st.dups[0]), st.in);
    for (int i = 1; i < 3; ++i)
        if (st.out[i]) proc->outs.push_back(Relay::to_fd(st.out[i], std::move(st.dups[i])));
    std::lock_guard lock(mu_);
    // Forget processes whose relays have all ended (never waited for through this session).
    for (auto it = procs_.begin(); it != procs_.end();) {
        bool done = !it->second->in || it->second->in->wait(0);
        for (auto &r : it->second->outs) done = done && r->wait(0);
        if (done) {
            for (int ch : {kStdout, kStderr, kPty}) peer_->close_in(it->first, ch);
            for (int ch : {kStdin, kPty}) peer_->close_out(it->first, ch);
        }
        it = done ? procs_.erase(it) : std::next(it);
    }
    procs_[st.id] = std::move(proc);
}

void Client::drain(const Msg &reply) {
    auto d = reply.find("drained");
    if (d == reply.end()) return;
    for (uint64_t id : *d) {
        std::shared_ptr<Proc> p;
        {
            std::lock_guard lock(mu_);
            if (auto it = procs_.find(id); it != procs_.end()) {
                p = it->second;
                procs_.erase(it);
            }
        }
        if (!p) continue;
        // The far side sent all output before its reply; let it reach the caller's fds.
        int64_t until = now_ms() + kDrainMs;
        for (auto &r : p->outs) r->wait(static_cast<int>(std::max<int64_t>(0, until - now_ms())));
        // The process is gone: nothing reads its stdin any more.
        p.reset();
        for (int ch : {kStdout, kStderr, kPty}) peer_->close_in(id, ch);
        for (int ch : {kStdin, kPty}) peer_->close_out(id, ch);
    }
}

void Client::refuse_detached_stdio() {
    // Its stdio would be relayed by this session, and break when it ends: the process would
    // die of SIGPIPE long after a "successful" start.
    throw Error(Errc::unsupported,
                "a detached process on " + target_.host +
                    " cannot use file descriptors of this host: they are relayed by the session "
                    "and would close with it (start it without stdio, or send its output to a "
                    "file on " +
                    target_.host + ")");
}

int64_t Client::spawn(const char *op, const char *name, const ct_proc_args &args) {
    if (args.fn)
        throw Error(Errc::unsupported,
                    "a function callback cannot run in a process on another host; give process "
                    "args instead");
    if (args.size >= offsetof(ct_proc_args, ctty_fd) + sizeof args.ctty_fd && args.ctty_fd > 0 &&
        (args.flags & CT_PROC_CONTROLLING_TTY))
        throw Error(Errc::unsupported,
                    "a terminal of this process cannot be the controlling terminal of a process "
                    "on another host");
    int fds[3] = {args.stdin_fd, args.stdout_fd, args.stderr_fd};
    if (args.nfds > 3)
        throw Error(Errc::unsupported,
                    "more than 3 file descriptors cannot be passed to a process on another host");
    if (args.nfds > 0)
        for (uint32_t i = 0; i < 3; ++i) fds[i] = i < args.nfds ? args.fds[i] : -1;
    if ((args.flags & CT_PROC_DETACH) && (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0))
        refuse_detached_stdio();
    uint64_t id = new_id();
    Msg m{{"t", "call"}, {"id", id}, {"op", op}, {"name", str(name)}, {"flags", args.flags}};
    m["doc"] = args.process_doc ? Msg(args.process_doc) : Msg(nullptr);
    Streams st = open_streams(id, fds, args.console_socket >= 0, m);
    Msg r;
    try {
        r = end_call(id, begin_call(m));
        attach(st, r, args.console_socket);
    } catch (...) {
        close_streams(st);
        throw;
    }
    return r.value("pid", int64_t{0});
}

int Client::wait(const char *name, int64_t pid, int64_t timeout_ms) {
    Msg r = call("wait", {{"name", str(name)}, {"pid", pid}, {"timeout", timeout_ms}});
    drain(r);
    return r["status"];
}

void Client::destroy(const char *name, uint32_t flags) {
    drain(call("destroy", {{"name", str(name)}, {"flags", flags}}));
}

void Client::restore(const char *name, const char *opts) {
    // The image's process gets stdio like a start: the fds in the options are the caller's.
    int fds[3] = {-1, -1, -1};
    Msg o = Msg::parse(str(opts), nullptr, false);
    if (o.is_object() && o.contains("stdio") && o["stdio"].is_array() && o["stdio"].size() == 3)
        for (int i = 0; i < 3; ++i)
            if (o["stdio"][i].is_number_integer()) fds[i] = o["stdio"][i];
    if (o.is_object() && o.value("detach", false) && (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0))
        refuse_detached_stdio();
    // The console socket is the caller's fd, meaningless over there: the agent makes its own and
    // the pty master it gets is relayed to a pty of ours, as for start.
    int console_socket = -1;
    if (o.is_object() && o.contains("console_socket")) {
        if (o["console_socket"].is_number_integer()) console_socket = o["console_socket"];
        o.erase("console_socket");
    }
    std::string doc = o.is_discarded() ? str(opts) : o.dump();
    uint64_t id = new_id();
    Msg m{{"t", "call"}, {"id", id}, {"op", "restore"}, {"name", str(name)}, {"doc", doc}};
    Streams st = open_streams(id, fds, console_socket >= 0, m);
    try {
        attach(st, end_call(id, begin_call(m)), console_socket);
    } catch (...) {
        close_streams(st);
        throw;
    }
}

void Client::get_files(const char *dir, ct_out *archive) {
    uint64_t id = new_id();
    auto in = peer_->open_in(id, kArchive);
    Msg m{{"t", "call"}, {"id", id}, {"op", "get_files"}, {"dir", str(dir)}};
    std::shared_ptr<Pending> p;
    try {
        p = begin_call(m);
        std::string chunk;
        for (;;) {
            auto r = in->pop(chunk, 200);
            if (r == InStream::R::timeout) {
                // The stream ends before the result; a result without it ends it too.
                std::lock_guard lock(p->mu);
                if (p->reply) break;
                continue;
            }
            if (r != InStream::R::data) break;  // the result says how it ended
            if (archive && archive->put) archive->put(archive, chunk.data(), chunk.size());
        }
        end_call(id, p);
    } catch (...) {
        peer_->close_in(id, kArchive);
        throw;
    }
    peer_->close_in(id, kArchive);
}

int Client::put_files(const char *dir, ct_in *archive) {
    uint64_t id = new_id();
    auto out = peer_->open_out(id, kArchive);
    Msg m{{"t", "call"}, {"id", id}, {"op", "put_files"}, {"dir", str(dir)}};
    bool reader_failed = false;
    try {
        auto p = begin_call(m);
        std::string buf(kChunk, '\0');
        for (;;) {
            int64_t n = archive->read(archive, buf.data(), buf.size());
            if (n < 0) {
                reader_failed = true;
                out->finish("the caller's archive stream failed");
                break;
            }
            if (n == 0) {
                out->finish();
                break;
            }
            if (!out->write(buf.data(), static_cast<size_t>(n))) break;  // far side refused
        }
        try {
            end_call(id, p);
        } catch (const Error &e) {
            if (!reader_failed) throw;
            peer_->close_out(id, kArchive);
            return static_cast<int>(e.code());
        }
    } catch (...) {
        peer_->close_out(id, kArchive);
        throw;
    }
    peer_->close_out(id, kArchive);
    return reader_failed ? CT_ERR_BACKEND : 0;
}

}  // namespace ct::remote
