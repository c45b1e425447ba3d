// Data returned by the API about backends, containers and processes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ct/export.hpp"
#include "ct/spec.hpp"

namespace ct {

// incomplete: a step of create, start or destroy was interrupted (its process died) and nothing
// but destroy (or, for an interrupted start, another start) applies; ContainerInfo.details
// "incomplete" says which step. Also shown while such a step is in progress elsewhere.
enum class State { created, running, paused, stopped, incomplete };

// Stable names: "created", "running", "paused", "stopped", "incomplete".
CT_API const char *state_name(State s) noexcept;

// How a process ended.
struct ExitStatus {
    bool signaled = false;  // killed by a signal
    int code = 0;           // exit code, or the signal number when signaled

    // Shell convention: code, or 128 + signal. What `ct run` exits with.
    int shell_code() const { return signaled ? 128 + code : code; }
    // From a waitpid() status word.
    CT_API static ExitStatus from_wait_status(int wstatus);
    bool operator==(const ExitStatus &) const = default;
};

struct ContainerInfo {
    std::string name;
    std::string backend;  // name of the backend that owns it
    State state = State::created;
    int64_t pid = 0;                        // init's pid (backend's id space), 0 when not running
    int64_t created = 0;                    // Unix time (seconds) of create()
    std::optional<ExitStatus> exit_status;  // of the last run, once known
    Spec spec;
    // Backend-specific facts ("cgroup.memory" -> path, "state_dir" -> path, ...).
    std::map<std::string, std::string> details;
};

// Resource usage of a running container (fields a backend cannot measure stay 0).
struct Stats {
    struct Cpu {
        uint64_t usage_ns = 0, user_ns = 0, system_ns = 0;
    } cpu;
    struct Memory {
        uint64_t usage = 0, max_usage = 0, failcnt = 0, oom_kills = 0;
        int64_t limit = -1;  // -1: unlimited
    } memory;
    struct Pids {
        uint64_t current = 0;
        int64_t limit = -1;
    } pids;
    struct Io {
        uint64_t read_bytes = 0, write_bytes = 0;
    } io;
    struct Net {
        uint64_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0;
    };
    std::map<std::string, Net> network;  // interface name inside the container -> counters
    // OpenVZ user beancounters (/proc/user_beancounters), by resource name (kmemsize,
    // physpages, numproc, ...), in the resource's own unit (bytes, pages or items).
    struct Beancounter {
        uint64_t held = 0, maxheld = 0, failcnt = 0;
        int64_t barrier = -1, limit = -1;  // -1: unlimited
    };
    std::map<std::string, Beancounter> beancounters;
};

// One process of a container.
struct ProcessInfo {
    int64_t pid = 0;     // in the backend's id space (linux: host pid)
    int64_t ns_pid = 0;  // as seen inside the container's pid namespace
    std::string command;
};

// What `ct backends` shows about one backend file.
struct BackendInfo {
    std::string name;
    std::string path;  // the .so file
    std::string version;
    std::string description;
    unsigned abi_major = 0;
    unsigned abi_minor = 0;
    std::vector<std::string> schemes;
    std::vector<std::string> capabilities;  // "namespaces", "cgroups", ...
    std::vector<std::string> operations;    // the operation slots it fills
    std::string load_error;                 // non-empty: the file was found but could not be used
};

}  // namespace ct
