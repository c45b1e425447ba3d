// libct_log_init: where the C API's messages go. Process-wide, as in the historical libct.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "internal.hpp"

namespace ct::capi {
namespace {

std::mutex g_mu;  // serializes replacing the fd with writing to it
int g_fd = -1;
std::atomic<unsigned> g_level{DEFAULT_LOGLEVEL};
std::atomic<bool> g_on{false};

}  // namespace

void log(unsigned level, const std::string &text) {
    if (!g_on.load(std::memory_order_relaxed)) return;
    if (level != LOG_MSG && level > g_level.load(std::memory_order_relaxed)) return;
    std::string line = "libct: " + text + "\n";
    std::lock_guard lock(g_mu);
    if (g_fd < 0) return;
    // One write() per line keeps lines of concurrent threads whole.
    ssize_t n = ::write(g_fd, line.data(), line.size());
    (void)n;
}

}  // namespace ct::capi

extern "C" void libct_log_init(int fd, unsigned int level) {
    using namespace ct::capi;
    std::lock_guard lock(g_mu);
    if (g_fd >= 0) ::close(g_fd);
    // A duplicate: the caller may close its fd; ours must not reach container processes.
    g_fd = fd < 0 ? -1 : ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    g_level = level;
    g_on = g_fd >= 0;
}
