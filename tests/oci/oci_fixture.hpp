// What the OCI tests share: running programs (a runtime, an engine's client) with their output
// in files — a container keeps the stdout it was given open, so nothing waits for its EOF —
// a busybox rootfs, bundles, and the leak checks every test ends with: no container, state
// file, cgroup, mount or process of the test is left.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
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

}  // namespace ct::oci::test
