#include "launch/deferred.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "ct/backend/fd_passing.hpp"
#include "launch/launch.hpp"

namespace ct::linux_native {
namespace {

constexpr const char kSocket[] = "start";

// <dirfd>/start through /proc/self/fd: the state directory's own path may be longer than a
// socket address holds (108 bytes).
sockaddr_un address(int dirfd) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::string path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + kSocket;
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    return a;
}

}  // namespace

Fd listen_for_start(int dirfd) {
    Fd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!s) throw_sys("create the socket the container waits on for its start", errno);
    ::unlinkat(dirfd, kSocket, 0);
    sockaddr_un a = address(dirfd);
    if (::bind(s.get(), reinterpret_cast<sockaddr *>(&a), sizeof a) < 0 || ::listen(s.get(), 1) < 0)
        throw_sys("bind the socket the container waits on for its start", errno);
    return s;
}

void start_waiting(int dirfd, const std::string &what) {
    Fd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!s) throw_sys("create a socket to start " + what, errno);
    sockaddr_un a = address(dirfd);
    if (::connect(s.get(), reinterpret_cast<sockaddr *>(&a), sizeof a) < 0) {
        int e = errno;
        if (e == ECONNREFUSED || e == ENOENT)
            throw Error(Errc::bad_state, what +
                                             " has no process waiting for its start (it "
                                             "exited, or was started already)");
        throw_sys("reach the process of " + what, e);
    }
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw_sys("create a pipe", errno);
    Fd rd(p[0]), wr(p[1]);
    if (int e = backend::send_fd(s.get(), wr.get()))
        throw Error(Errc::bad_state,
                    what + ": its process stopped waiting for its start: " + errstr(e));
    wr.reset();
    s.reset();
    ::unlinkat(dirfd, kSocket, 0);
    ChildFailure f{};
    ssize_t n;
    do n = ::read(rd.get(), &f, sizeof f);
    while (n < 0 && errno == EINTR);
    if (n == 0) return;  // exec closed the pipe: the command runs
    if (n != static_cast<ssize_t>(sizeof f))
        throw Error(Errc::backend, what + ": its process died at its start without saying why");
    f.what[sizeof f.what - 1] = 0;
    std::string msg = f.what;
    if (f.is_exec) throw Error(Errc::exec, msg + ": " + errstr(f.err), f.err);
    if (f.err == 0) throw Error(Errc::backend, msg);
    throw Error(Errc::backend, msg + ": " + errstr(f.err), f.err);
}

}  // namespace ct::linux_native
