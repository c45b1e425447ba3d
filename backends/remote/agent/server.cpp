#include "server.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "ct/internal/ops.hpp"
#include "inner.hpp"

namespace ct::remote::agent {
namespace {

const char kAgentVersion[] = "0.1.0";

// Collects what the backend hands back through a ct_out.
struct Sink : ct_out {
    std::string data;
    int err = 0;
    Sink() {
        put = [](ct_out *self, const char *d, size_t n) {
            static_cast<Sink *>(self)->data.append(d, n);
        };
        set_errno = [](ct_out *self, int e) { static_cast<Sink *>(self)->err = e; };
    }
};

// get_files: the backend's archive bytes go straight onto the stream (blocking on its window).
struct StreamOut : ct_out {
    OutStream *s;
    explicit StreamOut(OutStream *st) : s(st) {
        put = [](ct_out *self, const char *d, size_t n) {
            static_cast<StreamOut *>(self)->s->write(d, n);
        };
        set_errno = nullptr;
    }
};

// put_files: the backend reads the archive from the stream.
struct StreamIn : ct_in {
    InStream *s;
    ct_out *err;
    std::string buf;
    size_t off = 0;
    bool eof = false;
    StreamIn(InStream *st, ct_out *e) : s(st), err(e) {
        read = [](ct_in *self, char *out, size_t len) -> int64_t {
            auto *me = static_cast<StreamIn *>(self);
            while (me->off == me->buf.size()) {
                if (me->eof) return 0;
                me->buf.clear();
                me->off = 0;
                auto r = me->s->pop(me->buf);
                if (r == InStream::R::eof) {
                    me->eof = true;
                    return 0;
                }
                if (r != InStream::R::data) {
                    std::string m = "the archive stream from the caller failed: " + me->s->error();
                    if (me->err && me->err->put) me->err->put(me->err, m.data(), m.size());
                    return -1;
                }
            }
            size_t n = std::min(len, me->buf.size() - me->off);
            std::memcpy(out, me->buf.data() + me->off, n);
            me->off += n;
            return static_cast<int64_t>(n);
        };
    }
};

Peer *g_peer;

void host_log(int level, const char *backend, const char *message) {
    if (g_peer)
        g_peer->try_send(
            Msg{{"t", "log"},
                {"level", level},
                {"msg", std::string(backend ? backend : "?") + ": " + (message ? message : "")}});
}

void host_progress(const char *what, uint64_t done, uint64_t total) {
    if (g_peer)
        g_peer->try_send(
            Msg{{"t", "progress"}, {"what", what ? what : ""}, {"done", done}, {"total", total}});
}

const ct_host kHost = {sizeof(ct_host), CT_DRIVER_ABI_MAJOR, CT_DRIVER_ABI_MINOR, 0,
                       host_log,        host_progress};

std::string text(const Msg &m, const char *key) {
    auto it = m.find(key);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

// The slot `op` of the hosted backend, or Errc::unsupported in the words libct uses locally.
#define SLOT(op) slot(desc_, &ct_backend_ops::op, #op)

template <class Fn>
static Fn slot(const ct_backend *d, Fn ct_backend_ops::*op, const char *name) {
    if (!ops::has(d, op))
        throw Error(Errc::unsupported,
                    std::string("operation '") + name + "' is not supported by backend " + d->name);
    return d->ops.*op;
}

static void check(int rc, const Sink &err) {
    if (rc == CT_OK) return;
    throw Error(static_cast<Errc>(rc),
                err.data.empty()
                    ? "failed with status " + std::to_string(rc) + " and no message (a backend bug)"
                    : err.data,
                err.err);
}

Server::Server(int in_fd, int out_fd, unsigned proto_min, unsigned proto_max)
    : reader_(in_fd), peer_(out_fd), min_(proto_min), max_(proto_max) {
    g_peer = &peer_;
}

std::shared_ptr<InStream> Server::take_pre(uint64_t id, int ch) {
    std::lock_guard lock(mu_);
    auto it = pre_.find({id, ch});
    if (it == pre_.end()) return nullptr;
    auto s = it->second;
    pre_.erase(it);
    return s;
}

bool Server::open_session() {
    Msg m;
    if (!reader_.next(m)) return false;
    uint64_t id = m.value("id", uint64_t{0});
    if (m["t"] != "call" || m.value("op", std::string()) != "open") {
        peer_.try_send(
            error_reply(id, static_cast<int>(Errc::transport), "ct-agent: expected open", 0));
        return false;
    }
    unsigned v = m.value("v", 0u);
    if (v < min_ || v > max_) {
        peer_.try_send(error_reply(id, static_cast<int>(Errc::unsupported),
                                   std::string("ct-agent ") + kAgentVersion +
                                       " speaks protocol versions " + std::to_string(min_) + ".." +
                                       std::to_string(max_) + ", not " + std::to_string(v) +
                                       ": install a ct-agent that matches this libct",
                                   0));
        return false;
    }
    keepalive_s_ = std::max(1, m.value("keepalive", 15));
    std::string uri = text(m, "uri");
    try {
        desc_ = load_backend(uri.substr(0, uri.find("://")));
        Sink err;
        int rc = desc_->ops.open(&kHost, uri.c_str(), &session_, &err);
        if (rc != CT_OK) session_ = nullptr;
        check(rc, err);
    } catch (const Error &e) {
        peer_.try_send(error_reply(id, static_cast<int>(e.code()), e.what(), e.sys_errno()));
        return false;
    }
    Msg ops = Msg::array();
    for (const auto &s : ops::kSlots)
        if (ops::has_slot(desc_, s.offset)) ops.push_back(s.name);
    peer_.send(Msg{{"t", "ok"},
                   {"id", id},
                   {"backend",
                    {{"name", desc_->name ? desc_->name : "?"},
                     {"version", desc_->version ? desc_->version : ""},
                     {"caps", desc_->caps},
                     {"ops", ops}}}});
    return true;
}

int Server::run() {
    // The magic and hello come first, unasked: the client finds them behind any banner.
    Msg hello{{"t", "hello"}, {"min", min_}, {"max", max_}, {"agent", kAgentVersion}};
    bool opened = false;
    try {
        peer_.send_bytes(std::string(kMagic, kMagicLen) + encode_frame(hello));
        opened = open_session();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ct-agent: %s\n", e.what());
    }
    if (!opened) return 3;
    last_rx_ = now_ms();
    std::thread([this] { keepalive_watch(); }).detach();
    read_loop();
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));  // the process ends in _exit
}

void Server::read_loop() {
    block_sigpipe();
    try {
        Msg m;
        while (reader_.next(m)) {
            last_rx_ = now_ms();
            if (!dispatch(m)) continue;
            // A call: this thread runs it at once and a new one takes over reading, so that
            // no hand-off to another thread sits between the request and its result.
            std::thread([this] { read_loop(); }).detach();
            run_call(m);
            return;
        }
        shutdown_and_exit(0, "the client closed the connection");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ct-agent: %s\n", e.what());
        shutdown_and_exit(0, std::string("the link failed: ") + e.what());
    }
}

void Server::keepalive_watch() {
    block_sigpipe();
    // Woken at the deadline itself (3 periods after the last word), not at a tick after it.
    const int64_t limit = 3000LL * keepalive_s_;
    for (;;) {
        int64_t left = last_rx_ + limit - now_ms();
        if (left <= 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(left));
    }
    std::fprintf(stderr, "ct-agent: nothing from the client for %d s; ending\n", 3 * keepalive_s_);
    shutdown_and_exit(1, "nothing from the client for " + std::to_string(3 * keepalive_s_) + " s");
}

void Server::shutdown_and_exit(int code, const std::string &why) {
    static std::once_flag once;
    std::call_once(once, [&] {
        closing_ = true;
        // Streams from the client end now, as cut short: a put_files unpacking an image stops
        // and removes what it wrote, instead of waiting for the rest forever. Writers waiting
        // for room on a link that went silent give up.
        peer_.fail(why);
        // Calls that change state finish (their rollbacks included); waits are only reads and
        // are abandoned, as is everything a client that is gone would have received.
        {
            std::unique_lock lock(mu_);
            cv_.wait_for(lock, std::chrono::seconds(60), [&] { return busy_ == 0; });
        }
        // What the client would have removed, had it been able to.
        images_.remove_all([&](const std::string &name) { return settle_source(name); });
        std::fflush(stderr);
        ::_exit(code);
    });
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));  // the other caller exits
}

bool Server::dispatch(const Msg &m) {
    const std::string t = m["t"];
    if (t == "ping") {
        peer_.try_send(Msg{{"t", "pong"}, {"id", m.value("id", uint64_t{0})}});
        return false;
    }
    if (peer_.route(m)) return false;
    if (t == "winsz") {
        std::lock_guard lock(mu_);
        for (auto &g : groups_)
            if (g->id == m.value("id", uint64_t{0}) && g->pty) {
                winsize ws{};
                ws.ws_row = m.value("rows", uint16_t{24});
                ws.ws_col = m.value("cols", uint16_t{80});
                ::ioctl(g->pty.get(), TIOCSWINSZ, &ws);
            }
        return false;
    }
    if (t != "call") return false;  // later versions' messages: ignored
    uint64_t id = m.value("id", uint64_t{0});
    std::string op = text(m, "op");
    bool mutating = writes(op);
    {
        std::lock_guard lock(mu_);
        if (closing_) return false;
        // The caller may stream right after the call: register before returning to the reader.
        if (op == "put_files") pre_[{id, kArchive}] = peer_.open_in(id, kArchive);
        auto io = m.find("stdio");
        if (io != m.end() && io->is_array() && !io->empty() && (*io)[0] == true)
            pre_[{id, kStdin}] = peer_.open_in(id, kStdin);
        if (m.value("console", false)) pre_[{id, kPty}] = peer_.open_in(id, kPty);
        if (mutating) ++busy_;
    }
    return true;
}

void Server::run_call(const Msg &m) {
    uint64_t id = m.value("id", uint64_t{0});
    std::string op = text(m, "op");
    bool mutating = writes(op);
    {
        track_images(m, false, false);
        Msg r;
        try {
            r = serve(m);
            r["t"] = "ok";
            r["id"] = id;
        } catch (const Error &e) {
            r = error_reply(id, static_cast<int>(e.code()), e.what(), e.sys_errno());
        } catch (const std::exception &e) {
            r = error_reply(id, static_cast<int>(Errc::backend),
                            std::string("ct-agent: internal error: ") + e.what(), 0);
        }
        for (int ch : {kArchive, kStdin, kPty})
            if (auto s = take_pre(id, ch)) {  // unused (the call failed): the caller stops
                s->stop();
                peer_.close_in(id, ch);
            }
        track_images(m, true, r["t"] == "ok");
        peer_.try_send(r);
        if (mutating) {
            std::lock_guard lock(mu_);
            --busy_;
            cv_.notify_all();
        }
    }
}

std::string Server::state_here(const std::string &name) {
    if (name.empty() || !ops::has(desc_, &ct_backend_ops::info)) return "";
    Sink out, err;
    if (desc_->ops.info(session_, name.c_str(), &out, &err) != CT_OK) return "";
    Msg i = Msg::parse(out.data, nullptr, false);
    return i.is_object() ? i.value("state", std::string()) : "";
}

bool Server::settle_source(const std::string &name) {
    std::string state = state_here(name);
    if (state == "paused" && ops::has(desc_, &ct_backend_ops::resume)) {
        Sink err;
        if (desc_->ops.resume(session_, name.c_str(), &err) == CT_OK)
            std::fprintf(stderr,
                         "ct-agent: thawed container '%s', frozen by a migration cut short\n",
                         name.c_str());
        else
            std::fprintf(stderr, "ct-agent: cannot thaw container '%s': %s\n", name.c_str(),
                         err.data.c_str());
        state = state_here(name);
    }
    return state == "running" || state == "paused";
}

void Server::track_images(const Msg &m, bool done, bool ok) {
    const std::string op = text(m, "op");
    std::string dir;
    if (op == "put_files" || op == "remove_files") {
        dir = text(m, "dir");
    } else if (op == "checkpoint") {
        Msg o = Msg::parse(text(m, "doc"), nullptr, false);
        if (o.is_object() && o.contains("dir") && o["dir"].is_string()) dir = o["dir"];
    }
    if (dir.empty() || !ImageDirs::is_migration_dir(dir)) return;
    if (!done && op != "remove_files")
        images_.claim(dir, text(m, "name"));  // before the directory exists
    else if (done && ok && op == "remove_files")
        images_.release(dir);
}

// An operation whose arguments and results are plain values (transport PLAIN in
// ct/driver.h): decoded from the call and encoded into the reply by its shape alone.
#define CT_PLAIN_DOC_IN(op) check(SLOT(op)(session_, doc.c_str(), &err), err);
#define CT_PLAIN_DOC_OUT(op)                    \
    check(SLOT(op)(session_, &out, &err), err); \
    r["doc"] = out.data;
#define CT_PLAIN_NAME(op) check(SLOT(op)(session_, name.c_str(), &err), err);
#define CT_PLAIN_NAME_DOC_IN(op) check(SLOT(op)(session_, name.c_str(), doc.c_str(), &err), err);
#define CT_PLAIN_NAME_DOC_OUT(op)                             \
    check(SLOT(op)(session_, name.c_str(), &out, &err), err); \
    r["doc"] = out.data;
#define CT_PLAIN_KILL(op)                                                                 \
    check(SLOT(op)(session_, name.c_str(), m.value("pid", int64_t{0}), m.value("sig", 0), \
                   m.value("flags", 0u), &err),                                           \
          err);
#define CT_PLAIN_DIR(op) check(SLOT(op)(session_, text(m, "dir").c_str(), &err), err);
#define CT_PLAIN_CGROUP_READ(op)                                                                   \
    check(SLOT(op)(session_, name.c_str(), text(m, "controller").c_str(), text(m, "file").c_str(), \
                   &out, &err),                                                                    \
          err);                                                                                    \
    r["doc"] = out.data;
#define CT_PLAIN_CGROUP_WRITE(op)                                                                  \
    check(SLOT(op)(session_, name.c_str(), text(m, "controller").c_str(), text(m, "file").c_str(), \
                   doc.c_str(), &err),                                                             \
          err);
#define CT_DISPATCH_PLAIN(op, shape, access, transport) \
    if (op_name == #op) {                               \
        CT_PLAIN_##shape(op) return r;                  \
    }
#define CT_DISPATCH_STREAMS(op, shape, access, transport)
#define CT_DISPATCH_LOCAL(op, shape, access, transport)
#define CT_DISPATCH(op, shape, access, transport) \
    CT_DISPATCH_##transport(op, shape, access, transport)

bool Server::writes(const std::string &op) {
    const auto *s = ops::find(op.c_str());
    return !s || s->writes;  // an unknown call is refused anyway; count it as a writer
}

Msg Server::serve(const Msg &m) {
    const std::string op_name = text(m, "op");
    const std::string name = text(m, "name"), doc = text(m, "doc");
    Sink err, out;
    Msg r = Msg::object();
    CT_BACKEND_OPS(CT_DISPATCH)
    // The operations that carry fds or streams.
    if (op_name == "start" || op_name == "exec") return spawn(m, op_name == "exec");
    if (op_name == "wait") {
        int ws = 0;
        int64_t pid = m.value("pid", int64_t{0});
        check(SLOT(wait)(session_, name.c_str(), pid, m.value("timeout", int64_t{-1}), &ws, &err),
              err);
        r = finish_groups(name, pid, false);
        r["status"] = ws;
        return r;
    }
    if (op_name == "destroy") {
        check(SLOT(destroy)(session_, name.c_str(), m.value("flags", 0u), &err), err);
        return finish_groups(name, 0, true);
    }
    if (op_name == "restore") return restore(m);
    if (op_name == "get_files") {
        get_files(m);
        return r;
    }
    if (op_name == "put_files") {
        put_files(m);
        return r;
    }
    throw Error(Errc::unsupported, "ct-agent " + std::string(kAgentVersion) +
                                       " does not know the call '" + op_name + "'");
}

Server::Stdio Server::prepare_stdio(uint64_t, const Msg &m) {
    Stdio io;
    auto want = m.find("stdio");
    for (int i = 0; i < 3; ++i) {
        if (want == m.end() || !want->is_array() || want->size() != 3 || (*want)[i] != true)
            continue;
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0)
            throw Error(Errc::backend, std::string("ct-agent: pipe: ") + std::strerror(errno),
                        errno);
        io.child[i] = Fd(i == 0 ? p[0] : p[1]);
        io.ours[i] = Fd(i == 0 ? p[1] : p[0]);
        ::fcntl(io.ours[i].get(), F_SETFL, O_NONBLOCK);
    }
    if (m.value("console", false)) {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            throw Error(Errc::backend, std::string("ct-agent: socketpair: ") + std::strerror(errno),
                        errno);
        io.console_ours = Fd(sv[0]);
        io.console_theirs = Fd(sv[1]);
    }
    return io;
}

void Server::attach(uint64_t id, const std::string &name, int64_t pid, bool init, Stdio &io) {
    for (auto &c : io.child) c.reset();  // the process has its copies
    io.console_theirs.reset();
    auto g = std::make_shared<Group>();
    g->id = id;
    g->name = name;
    g->pid = pid;
    g->init = init;
    if (io.ours[0]) g->ins.push_back(Relay::to_fd(take_pre(id, kStdin), std::move(io.ours[0])));
    for (int i = 1; i < 3; ++i)
        if (io.ours[i])
            g->outs.push_back(Relay::from_fd(std::move(io.ours[i]), peer_.open_out(id, i)));
    if (io.console_ours) {
        // The backend sent the pty master before returning, or (all its copies of the socket
        // closed) never will.
        Fd master = recv_fd(io.console_ours.get(), 2000);
        if (master) {
            g->pty = dup_fd(master.get(), "pty");
            g->outs.push_back(
                Relay::from_fd(dup_fd(master.get(), "pty"), peer_.open_out(id, kPty)));
            g->ins.push_back(Relay::to_fd(take_pre(id, kPty), std::move(master)));
        }
    }
    std::lock_guard lock(mu_);
    groups_.push_back(std::move(g));
}

Msg Server::finish_groups(const std::string &name, int64_t pid, bool all) {
    std::vector<std::shared_ptr<Group>> done;
    {
        std::lock_guard lock(mu_);
        for (auto it = groups_.begin(); it != groups_.end();) {
            auto &g = *it;
            if (g->name == name && (all || g->pid == pid || (pid == 0 && g->init))) {
                done.push_back(g);
                it = groups_.erase(it);
            } else {
                ++it;
            }
        }
    }
    Msg ids = Msg::array();
    int64_t until = now_ms() + 2000;
    for (auto &g : done) {
        // All the output goes out before the result, so the caller has it when wait returns;
        // bounded, for a descendant that keeps the pipe open.
        for (auto &r : g->outs) r->wait(static_cast<int>(std::max<int64_t>(0, until - now_ms())));
        g->outs.clear();
        g->ins.clear();
        for (int ch : {kStdin, kPty}) peer_.close_in(g->id, ch);
        for (int ch : {kStdout, kStderr, kPty}) peer_.close_out(g->id, ch);
        ids.push_back(g->id);
    }
    return Msg{{"drained", ids}};
}

Msg Server::spawn(const Msg &m, bool exec) {
    uint64_t id = m.value("id", uint64_t{0});
    std::string name = text(m, "name");
    std::string doc = text(m, "doc");
    auto fn = exec ? SLOT(exec) : SLOT(start);
    Stdio io = prepare_stdio(id, m);
    ct_proc_args a{};
    a.size = sizeof a;
    a.flags = m.value("flags", 0u);
    a.stdin_fd = io.child[0] ? io.child[0].get() : -1;
    a.stdout_fd = io.child[1] ? io.child[1].get() : -1;
    a.stderr_fd = io.child[2] ? io.child[2].get() : -1;
    a.process_doc = m.contains("doc") && m["doc"].is_string() ? doc.c_str() : nullptr;
    a.console_socket = io.console_theirs ? io.console_theirs.get() : -1;
    int64_t pid = 0;
    Sink err;
    check(fn(session_, name.c_str(), &a, &pid, &err), err);
    attach(id, name, pid, !exec, io);
    bool pty = false;
    {
        std::lock_guard lock(mu_);
        for (auto &g : groups_) pty = pty || (g->id == id && g->pty);
    }
    return Msg{{"pid", pid}, {"pty", pty}};
}

Msg Server::restore(const Msg &m) {
    uint64_t id = m.value("id", uint64_t{0});
    std::string name = text(m, "name");
    Msg opts = Msg::parse(text(m, "doc"), nullptr, false);
    auto fn = SLOT(restore);
    Stdio io = prepare_stdio(id, m);
    if (opts.is_object() && opts.contains("stdio"))
        opts["stdio"] = {io.child[0] ? io.child[0].get() : -1, io.child[1] ? io.child[1].get() : -1,
                         io.child[2] ? io.child[2].get() : -1};
    // An fd number from the client would name one of the agent's own fds: only ours goes.
    if (opts.is_object()) {
        opts.erase("console_socket");
        if (io.console_theirs) opts["console_socket"] = io.console_theirs.get();
    }
    std::string doc = opts.is_discarded() ? text(m, "doc") : opts.dump();
    Sink err;
    check(fn(session_, name.c_str(), doc.c_str(), &err), err);
    attach(id, name, 0, true, io);
    bool pty = false;
    {
        std::lock_guard lock(mu_);
        for (auto &g : groups_) pty = pty || (g->id == id && g->pty);
    }
    return Msg{{"pty", pty}};
}

void Server::get_files(const Msg &m) {
    uint64_t id = m.value("id", uint64_t{0});
    auto out = peer_.open_out(id, kArchive);
    decltype(&*desc_->ops.get_files) fn;
    try {
        fn = SLOT(get_files);
    } catch (...) {
        out->finish("get_files failed");  // the stream ends before the result, always
        peer_.close_out(id, kArchive);
        throw;
    }
    StreamOut so(out.get());
    Sink err;
    int rc = fn(session_, text(m, "dir").c_str(), &so, &err);
    out->finish(rc == CT_OK ? "" : "get_files failed");
    peer_.close_out(id, kArchive);
    check(rc, err);
}

void Server::put_files(const Msg &m) {
    uint64_t id = m.value("id", uint64_t{0});
    auto in = take_pre(id, kArchive);
    if (!in) in = peer_.open_in(id, kArchive);
    Sink err;
    StreamIn si(in.get(), &err);
    int rc;
    try {
        rc = SLOT(put_files)(session_, text(m, "dir").c_str(), &si, &err);
    } catch (...) {
        in->stop();
        peer_.close_in(id, kArchive);
        throw;
    }
    if (!si.eof) in->stop();  // the backend stopped reading: the caller need not send the rest
    peer_.close_in(id, kArchive);
    check(rc, err);
}

}  // namespace ct::remote::agent
