#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "ct/session.hpp"

namespace ct::cli {
namespace {

using Clock = std::chrono::steady_clock;

// libct names a phase "<operation on what>: <phase>"; the display names only the phase.
std::string phase_of(const std::string &what) {
    auto colon = what.rfind(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

void write_err(const std::string &s) {
    ssize_t n = ::write(2, s.data(), s.size());
    (void)n;
}

}  // namespace

std::string format_rate(double bps) {
    return format_bytes(static_cast<int64_t>(bps)) + "/s";
}

Progress::Mode Progress::mode_for(bool progress_option, bool json_option) {
    if (json_option) return Mode::json;
    if (::isatty(2)) return Mode::line;
    return progress_option ? Mode::lines : Mode::none;
}

Progress::Progress(Mode mode, std::string operation, std::string name)
    : mode_(mode), operation_(std::move(operation)), name_(std::move(name)) {
    start_ = phase_start_ = Clock::now();
    if (mode_ == Mode::none) return;
    set_progress_handler([this](const std::string &what, uint64_t done, uint64_t total) {
        report(what, done, total);
    });
}

Progress::~Progress() {
    if (mode_ != Mode::none) set_progress_handler(nullptr);
    failed();
}

double Progress::elapsed() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
}

void Progress::phase(const std::string &name) {
    report(operation_ + " '" + name_ + "': " + name, 0, 0);
}

void Progress::report(const std::string &what, uint64_t done, uint64_t total) {
    if (mode_ == Mode::none) return;  // a pipe without --progress: nothing but errors
    std::lock_guard lock(mu_);
    std::string ph = phase_of(what);
    bool changed = ph != phase_;
    if (!changed && done == last_done_ && total == last_total_) return;  // nothing new
    if (changed) {
        phase_ = ph;
        phase_start_ = Clock::now();
    }
    last_done_ = done;
    last_total_ = total;
    show(ph, done, total, false);
}

void Progress::show(const std::string &ph, uint64_t done, uint64_t total, bool final) {
    auto now = Clock::now();
    double phase_secs = std::chrono::duration<double>(now - phase_start_).count();
    double rate = phase_secs > 0.05 && done ? static_cast<double>(done) / phase_secs : 0;
    bool transfer = ph == "transfer";
    if (mode_ == Mode::json) {
        nlohmann::json j{{"event", final ? "done" : "phase"},
                         {"operation", operation_},
                         {"container", name_},
                         {"elapsed", elapsed()}};
        if (!final) {
            j["phase"] = ph;
            j["done"] = done;
            j["total"] = total;
        } else if (done) {
            j["bytes"] = done;
        }
        if (transfer && rate > 0) j["rate"] = static_cast<uint64_t>(rate);
        std::cout << j.dump() << std::endl;
        return;
    }
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", elapsed());
    std::string line = operation_ + " " + name_ + ": ";
    if (final) {
        line += std::string("done in ") + secs;
        if (done) line += ", " + format_bytes(static_cast<int64_t>(done)) + " of images";
    } else {
        line += ph;
        if (transfer) {
            line += " " + format_bytes(static_cast<int64_t>(done));
            if (total) line += " of " + format_bytes(static_cast<int64_t>(total));
            if (total) line += " (" + std::to_string(done * 100 / total) + "%)";
            if (rate > 0) line += ", " + format_rate(rate);
        }
        line += std::string(" (") + secs + ")";
    }
    if (mode_ == Mode::lines) {
        // A pipe gets each phase once, and a transfer at most once a second.
        bool phase_line = !drawn_ || !transfer || final ||
                          now - last_draw_ >= std::chrono::seconds(1) || (total && done == total);
        if (!phase_line) return;
        write_err(line + "\n");
    } else {
        // One line, rewritten; drawn at most every 100 ms unless the phase changed.
        if (!final && transfer && drawn_ && now - last_draw_ < std::chrono::milliseconds(100) &&
            done != total)
            return;
        write_err("\r" + line + "\033[K" + (final ? "\n" : ""));
        line_open_ = !final;
    }
    drawn_ = true;
    last_draw_ = now;
}

void Progress::done(uint64_t bytes) {
    std::lock_guard lock(mu_);
    if (mode_ == Mode::none) return;
    show("", bytes ? bytes : last_total_, 0, true);
    line_open_ = false;
}

void Progress::failed() {
    std::lock_guard lock(mu_);
    if (line_open_) write_err("\n");
    line_open_ = false;
}

}  // namespace ct::cli
