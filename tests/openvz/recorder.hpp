// A Runner that runs nothing: it records every command line the session would run, and answers
// with what the test scripted (by default: success, no output; `vzctl --version` from
// `version`, `vzctl status` from `status` in the words of that version's vzctl).
#pragma once

#include <sys/wait.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runner.hpp"
#include "session.hpp"

namespace ct::openvz::test {

struct Log {
    std::vector<std::vector<std::string>> calls;  // run() and spawn() argv, in order
    std::vector<SpawnRequest> spawns;
    std::string version = "vzctl version 4.11\n";  // what `vzctl --version` prints
    std::map<std::string, std::string> status;     // CTID -> "exist mounted running" etc.
    // Returns a result for argv, or nullopt for the default answer.
    std::function<std::optional<RunResult>(const std::vector<std::string> &)> respond;
    int64_t next_pid = 4000;
};

inline RunResult exited(int code, std::string out = {}, std::string err = {}) {
    return RunResult{code << 8, std::move(out), std::move(err)};
}

class Recorder final : public Runner {
  public:
    explicit Recorder(std::shared_ptr<Log> log) : log_(std::move(log)) {}
    RunResult run(const std::vector<std::string> &argv) override {
        log_->calls.push_back(argv);
        if (log_->respond)
            if (auto r = log_->respond(argv)) return *r;
        if (argv.size() == 2 && argv[1] == "--version") return exited(0, log_->version);
        if (argv.size() == 3 && argv[1] == "status") {
            // vzctl 4.x prints "CTID ...", vzctl 7.x "VEID ...".
            bool vz7 = log_->version.find(" v.") != std::string::npos;
            auto it = log_->status.find(argv[2]);
            return exited(
                0, std::string(vz7 ? "VEID " : "CTID ") + argv[2] + " " +
                       (it == log_->status.end() ? "deleted unmounted down" : it->second) + "\n");
        }
        return exited(0);
    }
    Spawned spawn(const SpawnRequest &req) override {
        log_->calls.push_back(req.argv);
        log_->spawns.push_back(req);
        return Spawned{log_->next_pid++, 1};
    }

  private:
    std::shared_ptr<Log> log_;
};

}  // namespace ct::openvz::test
