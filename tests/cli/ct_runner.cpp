#include "ct_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>

extern char **environ;

namespace ct::test {

const char *ct_binary() {
    // $CT_TEST_CT: another ct to test, e.g. the installed one (tests/install runs these tests
    // against it).
    static const char *ct = [] {
        const char *e = std::getenv("CT_TEST_CT");
        return e && *e ? e : CT_TEST_CT_BINARY;
    }();
    return ct;
}

CtProcess::CtProcess(const std::vector<std::string> &args, const std::vector<std::string> &env,
                     const std::string &input) {
    std::map<std::string, std::string> vars;
    for (char **e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        vars[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    // The machine's /etc/ct/ct.conf and ~/.config/ct/ct.conf play no part unless a test says so.
    if (!vars.count("CT_CONFIG")) vars["CT_CONFIG"] = "/dev/null";
    for (const auto &kv : env) {
        auto eq = kv.find('=');
        if (eq == std::string::npos)
            vars.erase(kv);
        else
            vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    std::vector<std::string> envs, argv{ct_binary()};
    for (const auto &[k, v] : vars) envs.push_back(k + "=" + v);
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char *> cargv, cenv;
    for (auto &a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (auto &e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);

    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_ = fork();
    if (pid_ == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        // The test runner may block signals; ct must start with the defaults, as from a shell.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execve(cargv[0], cargv.data(), cenv.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
    if (!input.empty()) {
        signal(SIGPIPE, SIG_IGN);
        ssize_t w = write(in[1], input.data(), input.size());
        (void)w;
    }
    close(in[1]);
}

CtProcess::~CtProcess() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
    if (err_ >= 0) close(err_);
}

void CtProcess::pump(int timeout_ms) {
    pollfd p[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    int n = poll(p, 2, timeout_ms);
    if (n <= 0) return;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
        if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t k = read(p[i].fd, buf, sizeof buf);
        if (k > 0) {
            (i ? r_.err : r_.out).append(buf, static_cast<size_t>(k));
        } else if (k == 0) {
            close(p[i].fd);
            (i ? err_ : out_) = -1;
        }
    }
}

bool CtProcess::wait_for_output(const std::string &text, std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (r_.out.find(text) == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0 || (out_ < 0 && err_ < 0)) return false;
        pump(static_cast<int>(left.count()));
    }
    return true;
}

CtResult CtProcess::finish(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    bool killed = false;
    int st = 0;
    pid_t done = 0;
    while (!done) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            kill(pid_, SIGKILL);
            killed = true;
            waitpid(pid_, &st, 0);
            break;
        }
        if (out_ >= 0 || err_ >= 0)
            pump(50);
        else
            usleep(5000);
        done = waitpid(pid_, &st, WNOHANG);
    }
    // ct has exited: what it wrote is in the pipes. A pipe still open after a grace period is
    // held by something ct left behind (a daemon that kept ct's stdio).
    auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while ((out_ >= 0 || err_ >= 0) && std::chrono::steady_clock::now() < grace) pump(20);
    r_.pipes_held = out_ >= 0 || err_ >= 0;
    pid_ = -1;
    r_.code = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    if (killed) r_.err += "\n[test: ct killed after the timeout]";
    return r_;
}

CtResult run_ct(const std::vector<std::string> &args, const std::vector<std::string> &env,
                const std::string &input) {
    return CtProcess(args, env, input).finish();
}

}  // namespace ct::test
