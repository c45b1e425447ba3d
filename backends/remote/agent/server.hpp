// ct-agent's server: reads calls from the link (its stdin), runs each on a thread of its own
// against the hosted backend, and writes results, stream data and keepalive answers back.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../fd.hpp"
#include "../peer.hpp"
#include "../protocol.hpp"
#include "../relay.hpp"
#include "ct/driver.h"
#include "images.hpp"

namespace ct::remote::agent {

class Server {
  public:
    Server(int in_fd, int out_fd, unsigned proto_min, unsigned proto_max);
    // Serves until the link ends; returns the process exit code.
    int run();

  private:
    // The relays of one process started through this agent.
    struct Group {
        uint64_t id = 0;
        std::string name;
        int64_t pid = 0;
        bool init = false;
        std::vector<std::unique_ptr<Relay>> ins;
        std::vector<std::unique_ptr<Relay>> outs;
        Fd pty;  // master, for window size changes
    };
    // Pipes and streams prepared for a call that runs a process.
    struct Stdio {
        Fd child[3], ours[3];
        Fd console_ours, console_theirs;
    };

    bool open_session();
    void read_loop();
    // Handles a message in the reading thread; true for a call, which run_call() then runs.
    bool dispatch(const Msg &m);
    void run_call(const Msg &m);
    Msg serve(const Msg &m);
    // Whether call `op` changes anything (ct/driver.h's access column).
    static bool writes(const std::string &op);
    Stdio prepare_stdio(uint64_t id, const Msg &m);
    void attach(uint64_t id, const std::string &name, int64_t pid, bool init, Stdio &io);
    Msg finish_groups(const std::string &name, int64_t pid, bool all);
    Msg spawn(const Msg &m, bool exec);
    Msg restore(const Msg &m);
    void get_files(const Msg &m);
    void put_files(const Msg &m);
    // The client is gone (`why`): streams fail (a half-written image directory is removed by
    // the backend that was writing it), calls that change state finish, the migration image
    // directories still leased are removed, and the process exits.
    void shutdown_and_exit(int code, const std::string &why);
    // Leases (or, removed by the client, releases) the migration image directory of a call.
    void track_images(const Msg &m, bool done, bool ok);
    // The state of container `name` of the hosted session ("" if it is not there).
    std::string state_here(const std::string &name);
    // At the end, for a container whose migration had not passed its transfer: thaws it if it
    // is still frozen; whether it runs here.
    bool settle_source(const std::string &name);
    void keepalive_watch();

    FrameReader reader_;
    Peer peer_;
    unsigned min_, max_;
    const ct_backend *desc_ = nullptr;
    ct_session *session_ = nullptr;
    int keepalive_s_ = 15;
    std::atomic<int64_t> last_rx_{0};
    std::atomic<bool> closing_{false};
    ImageDirs images_;

    std::mutex mu_;  // busy_, groups_, inputs_
    std::condition_variable cv_;
    int busy_ = 0;  // calls in flight that change state (waits excepted)
    std::vector<std::shared_ptr<Group>> groups_;
    // Streams registered by the reader before the call's thread runs (the peer may send on
    // them at once).
    std::map<std::pair<uint64_t, int>, std::shared_ptr<InStream>> pre_;
    std::shared_ptr<InStream> take_pre(uint64_t id, int ch);
};

}  // namespace ct::remote::agent
