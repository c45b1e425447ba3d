#include "trace.hpp"

#include <unistd.h>

#include <cstdlib>

namespace ct::cli {
namespace {
int g_level = 0;
}

void set_verbosity(int level) {
    g_level = level;
    // The backend's log goes through libct's logger, which reads CT_LOG_LEVEL once, when it first
    // logs: set before any session exists. A level the user chose is kept.
    if (level > 0) setenv("CT_LOG_LEVEL", level > 1 ? "debug" : "info", 0);
}

int verbosity() {
    return g_level;
}

void trace(int level, const std::string &message) {
    if (level > g_level) return;
    std::string line = "ct: " + message + "\n";
    // One write(): lines stay whole beside the backend's, which come from other threads.
    ssize_t n = ::write(2, line.data(), line.size());
    (void)n;
}

}  // namespace ct::cli
