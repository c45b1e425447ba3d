#include "net/beside.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "ct/backend/fd_passing.hpp"
#include "support.hpp"

namespace ct::linux_native::net {

AttachBeside::AttachBeside(const Network &network, std::string state_dir) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        throw_sys("create a socket pair for the container's network", errno);
    ours_.reset(sv[0]);
    theirs_.reset(sv[1]);
    // The child sets up its stdio (0..2) before it reads here: out of their way, for a caller
    // that runs with some of them closed.
    if (theirs_.get() < 3) {
        theirs_.reset(::fcntl(sv[1], F_DUPFD_CLOEXEC, 3));
        if (!theirs_) throw_sys("move the container's network socket", errno);
    }
    try {
        t_ = std::thread([this, &network, dir = std::move(state_dir)] { run(network, dir); });
    } catch (const std::system_error &e) {
        throw_sys("start a thread for the container's network", e.code().value());
    }
}

AttachBeside::~AttachBeside() {
    if (t_.joinable()) t_.join();
}

void AttachBeside::run(const Network &network, const std::string &state_dir) noexcept {
    try {
        // Made on this thread, which then goes back home for the host's side of the work.
        Fd home = own_netns();
        NewNetns ns = enter_new_netns();
        if (::setns(home.get(), CLONE_NEWNET) != 0)
            throw_sys("return to the caller's network namespace", errno);
        // A pair with room for both messages: never blocks, and the child may be gone (it
        // failed on its own: no SIGPIPE).
        backend::send_byte(ours_.get(), 'n', ns.fd.get());
        network.attach(ns.fd.get(), state_dir, std::move(ns.socket));
        backend::send_byte(ours_.get(), 'g', -1);
    } catch (...) {
        failure_ = std::current_exception();
        backend::send_byte(ours_.get(), 'x', -1);  // whichever step the child waits for
    }
    // ours_ stays open until finish(): a child cloned meanwhile closes its copy by number.
}

void AttachBeside::finish() {
    if (t_.joinable()) t_.join();
    ours_.reset();
    if (failure_) std::rethrow_exception(failure_);
}

}  // namespace ct::linux_native::net
