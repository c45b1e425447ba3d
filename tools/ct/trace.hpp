// -v and --debug: what ct asks of the backend, in order, with how long each call took, beside
// the backend's own log (CT_LOG_LEVEL, which -v sets to info and --debug to debug).
#pragma once

#include <chrono>
#include <string>
#include <utility>

namespace ct::cli {

// 0: quiet; 1: -v (each operation); 2: --debug (also the documents sent).
void set_verbosity(int level);
int verbosity();

// "ct: <message>" on stderr when `level` <= the verbosity.
void trace(int level, const std::string &message);

// Runs `f` (a call into libct), traced at level 1 as "<what> ..." and then "<what>: done in N ms"
// or "<what>: failed after N ms".
template <class F>
decltype(auto) step(const std::string &what, F &&f) {
    if (verbosity() < 1) return std::forward<F>(f)();
    trace(1, what + " ...");
    auto t0 = std::chrono::steady_clock::now();
    auto ms = [&] {
        return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count());
    };
    try {
        if constexpr (std::is_void_v<decltype(f())>) {
            std::forward<F>(f)();
            trace(1, what + ": done in " + ms() + " ms");
        } else {
            decltype(auto) r = std::forward<F>(f)();
            trace(1, what + ": done in " + ms() + " ms");
            return r;
        }
    } catch (...) {
        trace(1, what + ": failed after " + ms() + " ms");
        throw;
    }
}

}  // namespace ct::cli
