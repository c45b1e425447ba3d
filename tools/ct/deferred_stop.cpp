#include "deferred_stop.hpp"

#include <unistd.h>

#include <cstring>
#include <exception>
#include <string>
#include <utility>

namespace ct::cli {
namespace {

const int kStops[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
volatile sig_atomic_t noted = 0;

void note(int sig) {
    if (!noted) noted = sig;
}

}  // namespace

DeferredStop::DeferredStop(std::string what) : what_(std::move(what)) {
    noted = 0;
    struct sigaction sa {};
    sa.sa_handler = note;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 4; ++i) ::sigaction(kStops[i], &sa, &old_[i]);
}

DeferredStop::~DeferredStop() {
    for (int i = 0; i < 4; ++i) ::sigaction(kStops[i], &old_[i], nullptr);
    int sig = noted;
    if (!sig) return;
    const char *name = sigabbrev_np(sig);
    std::string msg = std::string("ct: SIG") + (name ? name : "?") + " came during " + what_ +
                      ": it was let end first rather than leave the container frozen\n";
    ssize_t w = ::write(STDERR_FILENO, msg.data(), msg.size());
    (void)w;
    // During an error's unwinding ct reports that error and exits 1 as usual; else it ends as
    // the signal would have ended it.
    if (!std::uncaught_exceptions()) ::raise(sig);
}

}  // namespace ct::cli
