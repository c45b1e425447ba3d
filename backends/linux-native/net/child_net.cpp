// Child side of a network set up beside the launch (net/beside.hpp): join the namespace when
// it comes, wait for the interfaces. Only system calls between clone and exec.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "ct/backend/fd_passing.hpp"
#include "launch/child_util.hpp"

namespace ct::linux_native::child {
namespace {

// One message from the thread: its byte (0 for none), and the fd attached to it (or -1).
char receive(const LaunchPlan &p, int *fd) {
    char what = 0;
    return backend::recv_byte(p.net_channel.get(), &what, fd) == 1 ? what : 0;
}

}  // namespace

void net_join(const LaunchPlan &p, ChildNet &net) {
    if (!p.net_channel || net.joined) return;
    int fd;
    // What failed is the parent's to report: its error, not this one, is the one shown.
    if (receive(p, &fd) != 'n' || fd < 0) fail(Msg() << "receive the network namespace", ECANCELED);
    if (::setns(fd, CLONE_NEWNET) < 0) fail(Msg() << "join the network namespace (setns)", errno);
    ::close(fd);
    net.joined = true;
}

void net_wait(const LaunchPlan &p, ChildNet &net) {
    if (!p.net_channel || net.ready) return;
    net_join(p, net);
    int fd;
    if (receive(p, &fd) != 'g') fail(Msg() << "wait for the container's network", ECANCELED);
    if (fd >= 0) ::close(fd);
    net.ready = true;
}

}  // namespace ct::linux_native::child
