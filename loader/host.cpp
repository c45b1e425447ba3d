#include "host.hpp"

#include "ct/session.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace ct::loader {
namespace {

int threshold() {
    static const int level = [] {
        const char *e = std::getenv("CT_LOG_LEVEL");
        if (!e) return static_cast<int>(CT_LOG_WARN);
        if (!std::strcmp(e, "error")) return static_cast<int>(CT_LOG_ERROR);
        if (!std::strcmp(e, "info")) return static_cast<int>(CT_LOG_INFO);
        if (!std::strcmp(e, "debug")) return static_cast<int>(CT_LOG_DEBUG);
        return static_cast<int>(CT_LOG_WARN);
    }();
    return level;
}

void log(int level, const char *backend, const char *message) {
    if (level > threshold()) return;
    static const char *kNames[] = {"", "error", "warning", "info", "debug"};
    std::string line = std::string("libct[") + (backend ? backend : "?") + "] " +
                       kNames[level >= 1 && level <= 4 ? level : 0] + ": " + message + "\n";
    // One write() keeps lines from concurrent threads whole.
    ssize_t n = ::write(2, line.data(), line.size());
    (void)n;
}

std::mutex g_progress_mu;
ProgressHandler &progress_handler() {
    static auto *h = new ProgressHandler;  // leaked: backends may report during exit
    return *h;
}

void progress(const char *what, uint64_t done, uint64_t total) {
    ProgressHandler h;
    {
        std::lock_guard lock(g_progress_mu);
        h = progress_handler();
    }
    if (h) h(what ? what : "", done, total);
}

const ct_host kHost = {sizeof(ct_host), CT_DRIVER_ABI_MAJOR, CT_DRIVER_ABI_MINOR, 0, log, progress};

}  // namespace

const ct_host *host_services() {
    return &kHost;
}

}  // namespace ct::loader

namespace ct {

void set_progress_handler(ProgressHandler handler) {
    std::lock_guard lock(loader::g_progress_mu);
    loader::progress_handler() = std::move(handler);
}

}  // namespace ct
