#include "exec_run.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "stats.hpp"

namespace ct::bench {
namespace {

std::string substitute(std::string s, unsigned round) {
    const std::string token = "{i}", value = std::to_string(round);
    for (size_t p; (p = s.find(token)) != std::string::npos;) s.replace(p, token.size(), value);
    return s;
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

}  // namespace

ExternalCommand parse_command(int argc, char **argv, int &i,
                              const std::vector<ExternalCommand> &others) {
    ExternalCommand c;
    if (i + 1 >= argc) throw UsageError("--cmd needs a name");
    c.name = argv[++i];
    ++i;
    if (i < argc && std::string(argv[i]) == "--mntns") {
        if (i + 1 >= argc) throw UsageError("--mntns needs a file");
        c.mntns = argv[++i];
        ++i;
    }
    if (i >= argc || std::string(argv[i]) != "--")
        throw UsageError("--cmd " + c.name + ": expected '--' before its arguments");
    for (++i; i < argc && std::string(argv[i]) != ";"; ++i) c.args.push_back(argv[i]);
    if (c.args.empty()) throw UsageError("--cmd " + c.name + ": no arguments");
    for (const auto &other : others)
        if (other.name == c.name) throw UsageError("command name '" + c.name + "' repeated");
    return c;
}

void open_namespaces(std::vector<ExternalCommand> &cmds) {
    for (auto &c : cmds) {
        if (c.mntns.empty()) continue;
        c.ns_fd = open(c.mntns.c_str(), O_RDONLY | O_CLOEXEC);
        if (c.ns_fd < 0)
            throw std::runtime_error("open mount namespace " + c.mntns + " for '" + c.name +
                                     "': " + std::strerror(errno));
    }
}

void close_namespaces(std::vector<ExternalCommand> &cmds) {
    for (auto &c : cmds)
        if (c.ns_fd >= 0) close(c.ns_fd), c.ns_fd = -1;
}

namespace {
double tv_ms(const timeval &t) {
    return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3;
}
}  // namespace

double cpu_self_and_children_ms() {
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    return tv_ms(self.ru_utime) + tv_ms(self.ru_stime) + tv_ms(children.ru_utime) +
           tv_ms(children.ru_stime);
}

RunTime run_external(const ExternalCommand &c, unsigned round) {
    std::vector<std::string> args;
    for (const auto &a : c.args) args.push_back(substitute(a, round));
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork for '" + c.name + "': " + std::strerror(errno));
    if (pid == 0) {
        // Only async-signal-safe calls from here: report with write() and _exit().
        auto die = [&](const char *what) {
            char msg[512];
            int len = std::snprintf(msg, sizeof msg, "bench: %s: %s: %s\n", c.name.c_str(), what,
                                    std::strerror(errno));
            if (len > 0) (void)!write(2, msg, size_t(len));
            _exit(127);
        };
        // setns(CLONE_NEWNS) moves the root and cwd to the namespace's root, so relative paths
        // would silently mean something else: commands are given absolute paths.
        if (c.ns_fd >= 0 && setns(c.ns_fd, CLONE_NEWNS) < 0) die("setns into the mount namespace");
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0) die("stdin from /dev/null");
        execvp(argv[0], argv.data());
        die("exec");
    }
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            throw std::runtime_error("waitpid for '" + c.name + "': " + std::strerror(errno));
    double t1 = now_ms();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string how = WIFEXITED(status)
                              ? "exited with status " + std::to_string(WEXITSTATUS(status))
                              : "was killed by signal " + std::to_string(WTERMSIG(status));
        throw std::runtime_error("command '" + c.name + "' (round " + std::to_string(round) + ") " +
                                 how + ": " + join(args));
    }
    return {t1 - t0, tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime)};
}

}  // namespace ct::bench
