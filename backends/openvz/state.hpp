// What libct keeps about an OpenVZ container beyond vzctl's own configuration, under
// <root>/var/lib/ct/openvz/<CTID>/: the spec it was created from, whether it was started since,
// whether its private area belongs to the caller, and the processes libct started in it (their
// monitors record exit statuses there, so a later session can wait for them).
// Containers made with vzctl directly have no state here; they are described from their conf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ct/spec.hpp"
#include "runner.hpp"

namespace ct::openvz {

// The monitor of a process libct started (runner.hpp), as recorded.
struct Monitor {
    int64_t pid = 0;
    unsigned long long start = 0;  // its start time (0: recorded by an older libct)
    bool alive() const;
};

struct CtState {
    int64_t created = 0;       // Unix time of create()
    bool started = false;      // start() ran since create(): "stopped", not "created", when down
    bool adopted = false;      // made from the caller's directory: destroy keeps the files
    std::optional<Spec> spec;  // the spec of create(); resources follow update()
    int64_t init_pid = 0;      // an application container's command (vzctl exec2); 0: none
};

class StateStore {
  public:
    explicit StateStore(std::string root) : root_(std::move(root)) {}
    const std::string &root() const { return root_; }

    std::optional<CtState> load(const std::string &ctid) const;
    void save(const std::string &ctid, const CtState &s) const;  // atomic
    void remove(const std::string &ctid) const;                  // everything of the container

    // A process libct started in the container, and its monitor.
    void add_process(const std::string &ctid, const Spawned &p) const;
    std::optional<Monitor> monitor_of(const std::string &ctid, int64_t pid) const;
    std::string exit_file(const std::string &ctid, int64_t pid) const;
    std::string process_dir(const std::string &ctid) const { return dir(ctid) + "/proc"; }
    // The recorded waitpid() status, once the monitor has written it.
    std::optional<int> exit_status(const std::string &ctid, int64_t pid) const;
    void forget_process(const std::string &ctid, int64_t pid) const;
    // Creates the directory exit files go to.
    void prepare_processes(const std::string &ctid) const;

  private:
    std::string dir(const std::string &ctid) const { return root_ + "/" + ctid; }
    std::string root_;
};

}  // namespace ct::openvz
