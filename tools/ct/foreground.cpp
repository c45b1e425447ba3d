#include "foreground.hpp"

#include <signal.h>

#include "cli.hpp"

namespace ct::cli {

Foreground::Foreground(bool tty) {
    if (tty) console_ = std::make_unique<Console>();
    forwarder_ = std::make_unique<SignalForwarder>([this](int sig) { on_signal(sig); });
}

// The forwarder goes first: its thread calls on_signal(), which uses the rest.
Foreground::~Foreground() {
    forwarder_.reset();
}

StartOptions Foreground::options() const {
    StartOptions o;
    o.console_socket = console_socket();
    return o;
}

int Foreground::console_socket() const {
    return console_ ? console_->socket_for_backend() : -1;
}

void Foreground::without_console() {
    std::lock_guard lock(mu_);  // on_signal() may be resizing it
    console_.reset();
}

int Foreground::run(Container &c, const std::function<int64_t()> &start,
                    const std::function<ExitStatus(int64_t)> &wait) {
    int64_t pid;
    try {
        pid = start();
    } catch (const Error &e) {
        report(e);
        return exit_code_for(e);
    }
    {
        std::lock_guard lock(mu_);
        target_ = &c;
        pid_ = pid;
        if (pending_) deliver(pending_);
    }
    return attach_and_wait([&] { return wait(pid); });
}

int Foreground::run_new(const std::function<Container()> &start,
                        const std::function<ExitStatus(Container &)> &wait) {
    try {
        made_.emplace(start());
    } catch (const Error &e) {
        report(e);
        return exit_code_for(e);
    }
    {
        std::lock_guard lock(mu_);
        target_ = &*made_;
        if (pending_) deliver(pending_);
    }
    return attach_and_wait([&] { return wait(*made_); });
}

int Foreground::attach_and_wait(const std::function<ExitStatus()> &wait) {
    if (console_) console_->attach();
    ExitStatus st = wait();
    {
        std::lock_guard lock(mu_);
        target_ = nullptr;
    }
    if (console_) console_->finish();
    return exit_code_for(st);
}

void Foreground::on_signal(int sig) {
    std::lock_guard lock(mu_);
    if (sig == SIGWINCH) {
        if (console_) console_->resize();
        return;
    }
    if (target_)
        deliver(sig);
    else
        pending_ = sig;  // before the process exists: delivered as soon as it does
}

void Foreground::deliver(int sig) {
    if (pid_is_init_)
        target_->kill(sig);
    else
        target_->kill_process(pid_, sig);
}

}  // namespace ct::cli
