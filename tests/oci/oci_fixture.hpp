// What the OCI tests share: running programs (a runtime, an engine's client) with their output
// in files — a container keeps the stdout it was given open, so nothing waits for its EOF —
// a busybox rootfs, bundles, and the leak checks every test ends with: no container, state
// file, cgroup, mount or process of the test is left.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace ct::oci::test {

using nlohmann::json;

struct Result {
    int code = -1;  // exit code; 128+N when killed by signal N; -1 when it timed out
    std::string out, err;
    std::string text() const {
        return "exit " + std::to_string(code) + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
};

// Runs argv (argv[0] a path or a name found in PATH) to completion, stdin from `input`,
// killing it after `timeout`. `env`: extra KEY=VALUE entries.
Result run(const std::vector<std::string> &argv, const std::string &input = "",
           std::chrono::seconds timeout = std::chrono::seconds(60),
           const std::vector<std::string> &env = {});

// The busybox rootfs of the build tree (tools/mkrootfs-busybox.sh).
const std::string &busybox_rootfs();
// The ct-oci binary under test; the runc on this host ("" when there is none).
std::string ct_oci_binary();
std::string runc_binary();

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &text);
// Polls `cond` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()> &cond,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
bool process_exists(pid_t pid);  // and is not a zombie

// A minimal bundle's config.json for `args` on the busybox rootfs (read-only), with the
// namespaces of engines' defaults, a tmpfs /tmp, /out bound read-write to `out_dir`, and
// cgroupsPath `cgroups_path`.
json bundle_config(const std::vector<std::string> &args, const std::string &out_dir,
                   const std::string &cgroups_path);

// The cgroup directories named `rel` (below each hierarchy's root) that exist now.
std::vector<std::string> cgroup_dirs(const std::string &rel);
// Removes the (empty) cgroup directories `rel` and below, deepest first, in every hierarchy.
void remove_cgroup_tree(const std::string &rel);

// The CRIU binary libct uses (CT_CRIU, else the one tools/install-criu.sh installs), and why
// it cannot checkpoint on this kernel ("" when `criu check` passes).
std::string criu_binary();
std::string criu_unusable();

// The first of `files` (memory.limit_in_bytes, memory.max, ...) found in the cgroup `rel` of
// any hierarchy, trimmed; "" when none exists.
std::string cgroup_value(const std::string &rel, const std::vector<std::string> &files);

// The pids of processes whose command line holds `marker`.
std::vector<pid_t> processes_with(const std::string &marker);

// A console socket as engines make one (--console-socket): a listening unix socket; a thread
// accepts the runtime's connection, takes the pty master it sends (SCM_RIGHTS) and reads the
// terminal's output until EOF.
class ConsoleSocket {
  public:
    explicit ConsoleSocket(std::string path);
    ~ConsoleSocket();
    ConsoleSocket(const ConsoleSocket &) = delete;
    ConsoleSocket &operator=(const ConsoleSocket &) = delete;
    const std::string &path() const { return path_; }
    // Waits until the terminal's output holds `needle`; returns the output so far.
    std::string wait_for(const std::string &needle,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
    bool received() const { return received_; }

  private:
    void serve();
    std::string path_;
    int listener_ = -1;
    std::atomic<bool> stop_{false}, received_{false};
    std::mutex mu_;
    std::string output_;
    std::thread thread_;
};

}  // namespace ct::oci::test
