// Progress of checkpoint, restore and migrate: the phases libct reports through its progress
// handler (ct_host.progress: "migrate container 'web1' to URI: transfer", bytes done/total) and
// those ct runs itself, shown as
//   - one line that updates in place, on a terminal (stderr);
//   - nothing when stderr is not a terminal, unless --progress: then a line per phase;
//   - with --json, one JSON object per event on stdout, the last one {"event": "done", ...}.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ct::cli {

class Progress {
  public:
    enum class Mode { none, line, lines, json };
    // The mode for the options given and where stderr goes.
    static Mode mode_for(bool progress_option, bool json_option);

    // Installs itself as libct's progress handler for its lifetime.
    Progress(Mode mode, std::string operation, std::string name);
    ~Progress();
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;

    // A phase ct runs itself ("dump" for a checkpoint).
    void phase(const std::string &name);
    // The end: the last line, or the "done" event, with the images' size when known.
    void done(uint64_t bytes = 0);
    // After a failure: ends the updating line so that the error starts on a line of its own.
    void failed();

  private:
    void report(const std::string &what, uint64_t done, uint64_t total);
    void show(const std::string &phase, uint64_t done, uint64_t total, bool final);
    double elapsed() const;

    Mode mode_;
    std::string operation_, name_;
    std::mutex mu_;
    std::chrono::steady_clock::time_point start_, phase_start_, last_draw_;
    std::string phase_;
    uint64_t last_done_ = 0, last_total_ = 0;
    bool line_open_ = false, drawn_ = false;
};

// "1.5 MiB", "12.0 KiB/s": human sizes and rates.
std::string format_rate(double bytes_per_second);

}  // namespace ct::cli
