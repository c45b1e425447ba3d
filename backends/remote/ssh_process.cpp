#include "ssh_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "ct/error.hpp"

extern char **environ;

namespace ct::remote {
namespace {

[[noreturn]] void fail(const std::string &what, int err) {
    throw Error(Errc::transport, what + ": " + std::strerror(err), err);
}

}  // namespace

SshProcess::SshProcess(const std::vector<std::string> &argv) {
    int sv[2], ep[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        fail("create the ssh link socket", errno);
    Fd near(sv[0]), far(sv[1]);
    if (::pipe2(ep, O_CLOEXEC) != 0) fail("create the ssh stderr pipe", errno);
    Fd err_r(ep[0]), err_w(ep[1]);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, far.get(), 0);
    posix_spawn_file_actions_adddup2(&fa, far.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // none of the caller's fds
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at,
                             POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char *> av;
    for (const auto &a : argv) av.push_back(const_cast<char *>(a.c_str()));
    av.push_back(nullptr);
    int rc = ::posix_spawnp(&pid_, av[0], &fa, &at, av.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) fail("run " + argv[0], rc);
    pidfd_ = Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    link_ = std::move(near);
    err_reader_ = std::thread([st = err_, fd = err_r.release()] {
        Fd f(fd);
        char buf[4096];
        ssize_t n;
        while ((n = ::read(f.get(), buf, sizeof buf)) != 0) {
            if (n < 0) {
                if (errno == EINTR) continue;
                break;
            }
            std::lock_guard lock(st->mu);
            st->text.append(buf, static_cast<size_t>(n));
            if (st->text.size() > 8192) st->text.erase(0, st->text.size() - 8192);
        }
        std::lock_guard lock(st->mu);
        st->done = true;
        st->cv.notify_all();
    });
}

SshProcess::~SshProcess() {
    if (!wait_exit(0)) {
        kill();
        wait_exit(-1);
    }
    if (err_reader_.joinable()) {
        std::unique_lock lock(err_->mu);
        bool done = err_->cv.wait_for(lock, std::chrono::seconds(1), [&] { return err_->done; });
        lock.unlock();
        if (done)
            err_reader_.join();
        else
            err_reader_.detach();  // owns its state; ends when the last writer does
    }
}

void SshProcess::shutdown_write() {
    ::shutdown(link_.get(), SHUT_WR);
}

bool SshProcess::wait_exit(int timeout_ms) {
    std::lock_guard lock(smu_);
    if (status_ >= 0) return true;
    if (pidfd_) {
        pollfd p{pidfd_.get(), POLLIN, 0};
        int r;
        do r = ::poll(&p, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r == 0) return false;
    }
    int st;
    pid_t w;
    do w = ::waitpid(pid_, &st, timeout_ms == 0 && !pidfd_ ? WNOHANG : 0);
    while (w < 0 && errno == EINTR);
    if (w != pid_) return false;
    status_ = st;
    return true;
}

void SshProcess::kill() {
    std::lock_guard lock(smu_);
    if (status_ < 0) {
        if (pidfd_)
            ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
        else
            ::kill(pid_, SIGKILL);
    }
}

int SshProcess::status() const {
    std::lock_guard lock(smu_);
    return status_;
}

std::string SshProcess::stderr_text(int wait_ms) {
    std::unique_lock lock(err_->mu);
    err_->cv.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return err_->done; });
    std::string s = err_->text;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    for (auto &c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

}  // namespace ct::remote
