// What the caller of a terminal process sees of `vzctl enter`'s terminal.
//
// vzctl enter gives an interactive login shell, not a command: vzctl 4.x types its --exec
// arguments into that shell (after printing "entered into CT <id>"), and libct types the
// command itself into OpenVZ 7's, which takes no options. The shell echoes the typed line, and
// the line discipline of the container's terminal echoes it too, so the caller would see the
// banner, a prompt and the command line before any output of the command, and "exited from CT"
// after it. So the typed line prints markers around the command (terminal.hpp):
//
//   printf '%s%s\n' __libct_begin_ NONCE; (COMMAND); printf '%s%s:%d\n' __libct_end_ NONCE $?; exit
//
// Typed, each marker has a blank between its halves; printed, it has none. Everything up to the
// end of the printed begin line is dropped, everything from the printed end marker on is
// dropped, and the number after it is the command's exit status (vzctl enter itself exits 0).
//
// The filter runs in the process monitor, after a fork of a possibly multi-threaded caller: it
// allocates nothing after construction.
#pragma once

#include <cstddef>
#include <string_view>

namespace ct::openvz {

class EnterFilter {
  public:
    static constexpr size_t kMaxMarker = 64;
    // Output before the begin marker kept for the caller when the marker never comes (vzctl's
    // own error: "enter into CT 101 failed", "Container is not running").
    static constexpr size_t kKeep = 4096;

    // Markers longer than kMaxMarker are cut (terminal.hpp makes them 30 bytes).
    EnterFilter(std::string_view begin, std::string_view end);

    // Filters n bytes of the terminal's output into `out` (room for n + kMaxMarker bytes):
    // returns how many bytes to show.
    size_t feed(const char *in, size_t n, char *out);
    // At the end of the output: what was held back (room for kKeep + kMaxMarker bytes).
    size_t finish(char *out);

    // The exit status the end marker reported, or -1.
    int exit_code() const { return code_; }
    // The wait status to record for the process: the command's when it was reported, else the
    // vzctl client's when that failed, else exit status 255 (the command's was not reported).
    int wait_status(int vzctl_status) const;

  private:
    enum class Phase { seek_begin, begin_line, pass, code, drain };
    struct Matcher {
        char text[kMaxMarker];
        size_t len = 0;
        size_t fail[kMaxMarker + 1] = {};  // KMP failure function
        size_t matched = 0;
        void set(std::string_view s);
        size_t step(size_t m, char c) const;  // matched prefix after m matched and then c
    };
    void keep(char c);

    Phase phase_ = Phase::seek_begin;
    Matcher begin_, end_;
    char kept_[kKeep];
    size_t kept_len_ = 0, kept_start_ = 0;  // a ring of the last kKeep bytes
    int code_ = -1, digits_ = 0;
    long long value_ = 0;
};

}  // namespace ct::openvz
