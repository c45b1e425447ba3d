// The near end: one ssh connection to ct-agent per session, shared by every call and container
// of the session (from any thread). Calls wait for their result by id; a reader thread
// dispatches results, stream data and keepalive answers; stdio and terminals are relayed
// between the caller's fds and the far processes while they run.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ct/driver.h"
#include "peer.hpp"
#include "protocol.hpp"
#include "relay.hpp"
#include "ssh_process.hpp"
#include "target.hpp"

namespace ct::remote {

class Client {
  public:
    Client(const ct_host *host, const std::string &uri);
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    // The operations whose arguments and results are plain values (transport PLAIN in
    // ct/driver.h): one call each, made by its shape.
#define CT_STUB_DOC_IN(op)               \
    void op(const char *doc) {           \
        call(#op, {{"doc", text(doc)}}); \
    }
#define CT_STUB_DOC_OUT(op)                     \
    std::string op() {                          \
        return call(#op, Msg::object())["doc"]; \
    }
#define CT_STUB_NAME(op)                   \
    void op(const char *name) {            \
        call(#op, {{"name", text(name)}}); \
    }
#define CT_STUB_NAME_DOC_IN(op)                                \
    void op(const char *name, const char *doc) {               \
        call(#op, {{"name", text(name)}, {"doc", text(doc)}}); \
    }
#define CT_STUB_NAME_DOC_OUT(op)                         \
    std::string op(const char *name) {                   \
        return call(#op, {{"name", text(name)}})["doc"]; \
    }
#define CT_STUB_KILL(op)                                                                 \
    void op(const char *name, int64_t pid, int sig, uint32_t flags) {                    \
        call(#op, {{"name", text(name)}, {"pid", pid}, {"sig", sig}, {"flags", flags}}); \
    }
#define CT_STUB_DIR(op)                  \
    void op(const char *dir) {           \
        call(#op, {{"dir", text(dir)}}); \
    }
#define CT_STUB_CGROUP_READ(op)                                                  \
    std::string op(const char *name, const char *controller, const char *file) { \
        return call(#op, {{"name", text(name)},                                  \
                          {"controller", text(controller)},                      \
                          {"file", text(file)}})["doc"];                         \
    }
#define CT_STUB_CGROUP_WRITE(op)                                                             \
    void op(const char *name, const char *controller, const char *file, const char *value) { \
        call(#op, {{"name", text(name)},                                                     \
                   {"controller", text(controller)},                                         \
                   {"file", text(file)},                                                     \
                   {"doc", text(value)}});                                                   \
    }
#define CT_STUB_PLAIN(op, shape) CT_STUB_##shape(op)
#define CT_STUB_STREAMS(op, shape)
#define CT_STUB_LOCAL(op, shape)
#define CT_STUB(op, shape, access, transport) CT_STUB_##transport(op, shape)
    CT_BACKEND_OPS(CT_STUB)
#undef CT_STUB

    // The operations that carry fds or streams (client.cpp). `a` as widened by
    // backend::widen_proc_args.
    int64_t start(const char *name, const ct_proc_args &a) {
        return spawn("start", name, a);
    }
    int64_t exec(const char *name, const ct_proc_args &a) {
        return spawn("exec", name, a);
    }
    int wait(const char *name, int64_t pid, int64_t timeout_ms);
    void destroy(const char *name, uint32_t flags);
    void restore(const char *name, const char *opts_doc);
    void get_files(const char *dir, ct_out *archive);
    // Returns a status without a message when the caller's archive stream failed (its
    // message is in `err` already); 0 otherwise.
    int put_files(const char *dir, ct_in *archive);

  private:
    static std::string text(const char *s) {
        return s ? s : "";
    }
    struct Pending {
        std::mutex mu;
        std::optional<Msg> reply;
        Fd ready;  // eventfd: signalled once reply is set or the link is dead
        // Wakes the caller; with mu held, since the caller closes `ready` once it is done.
        void signal() {
            uint64_t one = 1;
            if (ready) {
                ssize_t w = ::write(ready.get(), &one, sizeof one);
                (void)w;
            }
        }
    };
    // The relays of one far process, by the id of the call that started it.
    struct Proc {
        std::unique_ptr<Relay> in;
        std::vector<std::unique_ptr<Relay>> outs;
    };

    // The streams of one call that runs a process: the caller's fds (duplicated) and the
    // link's streams for them, registered before the call so that nothing is lost.
    struct Streams {
        uint64_t id = 0;
        Fd dups[3];
        std::shared_ptr<OutStream> in, pty_out;
        std::shared_ptr<InStream> out[3], pty_in;
    };

    void handshake();
    uint64_t new_id() {
        return next_id_++;
    }
    std::shared_ptr<Pending> begin_call(const Msg &m);
    Msg end_call(uint64_t id, const std::shared_ptr<Pending> &p);
    Msg call(const std::string &op, Msg args);
    int64_t spawn(const char *op, const char *name, const ct_proc_args &args);
    [[noreturn]] void refuse_detached_stdio();
    Streams open_streams(uint64_t id, const int (&fds)[3], bool tty, Msg &call_msg);
    void close_streams(const Streams &st);
    // Starts the relays of a process the far side has started.
    void attach(Streams &st, const Msg &reply, int console_socket);
    void drain(const Msg &reply);
    // Log and progress of the far backend, to the host's callbacks. False: not such a message.
    bool notice(const Msg &m);
    void reader_loop();
    // With tok_ held: reads what the link has and dispatches every complete message. False
    // once the link has ended (`reason` says how).
    bool pump(std::string &reason);
    void dispatch(Msg &m);
    // Runs die() once, whoever sees the end first.
    void end_of_link(const std::string &reason);
    void keepalive_loop();
    void die(const std::string &reason);
    [[noreturn]] void lost(const std::string &during);
    std::string describe_exit();

    const ct_host *host_;
    Target target_;
    std::unique_ptr<SshProcess> ssh_;
    std::unique_ptr<Peer> peer_;
    std::unique_ptr<FrameReader> reader_;
    std::string far_backend_;
    std::atomic<uint64_t> next_id_{1};
    std::atomic<int64_t> last_rx_{0};
    std::atomic<bool> closing_{false};

    std::mutex mu_;  // pending_, dead_, procs_, stop_
    std::condition_variable cv_;
    std::map<uint64_t, std::shared_ptr<Pending>> pending_;
    std::map<uint64_t, std::shared_ptr<Proc>> procs_;
    bool dead_ = false, stop_ = false;
    std::string keepalive_reason_;
    std::thread reader_thread_, keepalive_thread_;
    // Whoever holds tok_ reads the link: the reader thread, or a caller waiting for its result
    // (which then needs no hand-off from the reader: one wake-up less per call).
    std::mutex tok_;
    bool link_ended_ = false;  // under tok_
    std::once_flag died_;
};

// Where the client looks for ct-agent on the far host unless agent= says otherwise.
const char *default_agent_path();

}  // namespace ct::remote
