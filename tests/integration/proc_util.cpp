#include "proc_util.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <sstream>
#include <thread>

namespace ct::test {
namespace {

std::string ct_binary() {
    return std::string(CT_TEST_BUILD_DIR) + "/bin/ct";
}

std::vector<char *> argv_of(std::vector<std::string> &args) {
    std::vector<char *> v;
    for (auto &a : args) v.push_back(a.data());
    v.push_back(nullptr);
    return v;
}

std::string drain(int fd) {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, n);
    close(fd);
    return s;
}

}  // namespace

RunResult exec_captured(Container &c, const ProcessSpec &p, const std::string &in) {
    int ip[2], op[2], ep[2];
    if (pipe2(ip, O_CLOEXEC) || pipe2(op, O_CLOEXEC) || pipe2(ep, O_CLOEXEC))
        throw std::runtime_error("pipe");
    StartOptions o;
    o.stdio = {ip[0], op[1], ep[1]};
    int64_t pid;
    try {
        pid = c.exec(p, o);
    } catch (...) {
        for (int fd : {ip[0], ip[1], op[0], op[1], ep[0], ep[1]}) close(fd);
        throw;
    }
    close(ip[0]);
    close(op[1]);
    close(ep[1]);
    auto out = std::async(std::launch::async, drain, op[0]);
    auto err = std::async(std::launch::async, drain, ep[0]);
    if (!in.empty()) {
        ssize_t w = write(ip[1], in.data(), in.size());
        (void)w;
    }
    close(ip[1]);
    RunResult r;
    r.status = c.wait_process(pid, std::chrono::seconds(60));
    r.out = out.get();
    r.err = err.get();
    return r;
}

int64_t start_quiet(Container &c) {
    StartOptions o;
    o.stdio = {-1, -1, -1};
    return c.start(o);
}

CliResult ct_cli(const std::string &uri, const std::vector<std::string> &args,
                 const std::string &in) {
    std::vector<std::string> all = {ct_binary(), "-c", uri};
    all.insert(all.end(), args.begin(), args.end());
    auto argv = argv_of(all);
    int ip[2], op[2], ep[2];
    if (pipe2(ip, O_CLOEXEC) || pipe2(op, O_CLOEXEC) || pipe2(ep, O_CLOEXEC))
        throw std::runtime_error("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(ip[0], 0);
        dup2(op[1], 1);
        dup2(ep[1], 2);
        execv(argv[0], argv.data());
        _exit(126);
    }
    close(ip[0]);
    close(op[1]);
    close(ep[1]);
    auto out = std::async(std::launch::async, drain, op[0]);
    auto err = std::async(std::launch::async, drain, ep[0]);
    if (!in.empty()) {
        ssize_t w = write(ip[1], in.data(), in.size());
        (void)w;
    }
    close(ip[1]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    CliResult r;
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = out.get();
    r.err = err.get();
    return r;
}

PtySession::PtySession(const std::string &uri, const std::vector<std::string> &args, int rows,
                       int cols) {
    std::vector<std::string> all = {ct_binary(), "-c", uri};
    all.insert(all.end(), args.begin(), args.end());
    auto argv = argv_of(all);
    struct winsize ws {};
    ws.ws_row = static_cast<unsigned short>(rows);
    ws.ws_col = static_cast<unsigned short>(cols);
    pid_ = forkpty(&master_, nullptr, nullptr, &ws);
    if (pid_ < 0) throw std::runtime_error("forkpty");
    if (pid_ == 0) {
        setenv("TERM", "vt100", 1);
        execv(argv[0], argv.data());
        _exit(126);
    }
    fcntl(master_, F_SETFD, FD_CLOEXEC);
}

PtySession::~PtySession() {
    if (pid_ > 0) wait(2000);
    if (master_ >= 0) close(master_);
}

// Reads what is there within timeout_ms. False once the terminal is closed (EIO).
bool PtySession::pump(int timeout_ms) {
    struct pollfd p {
        master_, POLLIN, 0
    };
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0) return r == 0;
    char buf[4096];
    ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return false;
    out_.append(buf, n);
    return true;
}

bool PtySession::expect(const std::string &text, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (out_.find(text) == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0 || !pump(static_cast<int>(left))) return out_.find(text) != std::string::npos;
    }
    return true;
}

void PtySession::send(const std::string &text) {
    ssize_t w = write(master_, text.data(), text.size());
    (void)w;
}

int PtySession::wait(int timeout_ms) {
    if (pid_ <= 0) return -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid_, &st, WNOHANG);
        if (r == pid_) break;
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &st, 0);
            pid_ = -1;
            return -1;
        }
        pump(10);  // keep the terminal drained so ct never blocks writing
    }
    size_t before;
    do before = out_.size();
    while (pump(0) && out_.size() != before);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::string proc_status(long pid, const std::string &field) {
    std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) {
            auto v = line.substr(field.size() + 1);
            v.erase(0, v.find_first_not_of(" \t"));
            return v;
        }
    return "";
}

std::string link_target(const std::string &path) {
    char buf[4096];
    ssize_t n = readlink(path.c_str(), buf, sizeof buf);
    return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

bool eventually(const std::function<bool()> &pred, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace ct::test
