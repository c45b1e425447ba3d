// An OpenVZ host for the fuzz targets of the openvz backend: a private root with the files the
// backend reads (openvz:///?root=...) and a runner that runs nothing, so that the backend's own
// operations read what the fuzzer wrote, as they would read a real host's files.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "session.hpp"

namespace ct::fuzz {

[[noreturn]] inline void fail(const std::string &what) {
    std::fprintf(stderr, "%s\n", what.c_str());
    std::abort();
}

// vzctl --version answers as vzctl 4.11, vzctl status that container 101 exists in `state`
// ("mounted running", "unmounted down"); nothing else is run.
class QuietRunner final : public openvz::Runner {
  public:
    explicit QuietRunner(std::string state) : state_(std::move(state)) {}
    openvz::RunResult run(const std::vector<std::string> &argv) override {
        if (argv.size() == 2 && argv[1] == "--version") return {0, "vzctl version 4.11\n", ""};
        if (argv.size() == 3 && argv[1] == "status")
            return {0, "CTID " + argv[2] + " exist " + state_ + "\n", ""};
        return {};
    }
    openvz::Spawned spawn(const openvz::SpawnRequest &) override { fail("spawn while fuzzing"); }

  private:
    std::string state_;
};

class VzHost {
  public:
    explicit VzHost(const std::string &state) {
        const char *tmp = std::getenv("TMPDIR");
        root_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/ct-fuzz-openvz-XXXXXX";
        if (!::mkdtemp(root_.data())) fail("mkdtemp " + root_);
        std::filesystem::create_directories(root_ + "/etc/vz/conf");
        std::filesystem::create_directories(root_ + "/proc/vz");  // what makes it an OpenVZ host
        openvz::SessionOptions o;
        o.root = root_;
        session_ = std::make_unique<openvz::OpenVzSession>(
            o, openvz::Tools{"/usr/sbin/vzctl", "/usr/sbin/vzlist", ""},
            std::make_unique<QuietRunner>(state));
    }
    ~VzHost() { std::filesystem::remove_all(root_); }

    // Writes `data` as the host file `abs` ("/etc/vz/vz.conf") under the root.
    void put(const std::string &abs, std::string_view data) {
        std::string p = root_ + abs;
        std::filesystem::create_directories(std::filesystem::path(p).parent_path());
        // A new file each time: ext4 flushes a file truncated and written again to the disk.
        ::unlink(p.c_str());
        std::ofstream f(p, std::ios::binary | std::ios::trunc);
        f.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!f.flush()) fail("write " + p);
    }
    openvz::OpenVzSession &session() { return *session_; }

  private:
    std::string root_;
    std::unique_ptr<openvz::OpenVzSession> session_;
};

}  // namespace ct::fuzz
