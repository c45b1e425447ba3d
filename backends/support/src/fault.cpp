#include "ct/backend/fault.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace ct::backend {
namespace {

struct FaultPlan {
    long kill_at = 0;  // 0: never
    int signal = SIGKILL;
    bool trace = false;
    FaultPlan() {
        if (const char *s = std::getenv("CT_FAULT_STEP")) kill_at = std::strtol(s, nullptr, 10);
        if (const char *s = std::getenv("CT_FAULT_SIGNAL")) signal = std::atoi(s);
        trace = std::getenv("CT_FAULT_TRACE") != nullptr;
    }
};

const FaultPlan &plan() {
    static const FaultPlan p;
    return p;
}

std::atomic<long> passed{0};

}  // namespace

void fault_point(const char *what) noexcept {
    const FaultPlan &p = plan();
    if (p.kill_at <= 0 && !p.trace) return;
    long n = ++passed;
    if (p.trace) std::fprintf(stderr, "ct fault point %ld: %s\n", n, what);
    if (n == p.kill_at) ::kill(::getpid(), p.signal);
}

}  // namespace ct::backend
