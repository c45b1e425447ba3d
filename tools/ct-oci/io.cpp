#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>

#include "commands.hpp"
#include "config.hpp"
#include "ct/error.hpp"
#include "host_mounts.hpp"

namespace ct::oci {
namespace {

std::string errstr(int e) {
    return ::strerror(e);
}

}  // namespace

ProcessIo::~ProcessIo() {
    if (console >= 0) ::close(console);
}

void setup_io(const Context &c, bool terminal, ProcessIo &io) {
    if (std::string n = c.cl.value("preserve-fds"); !n.empty()) {
        char *end = nullptr;
        errno = 0;
        unsigned long v = std::strtoul(n.c_str(), &end, 10);
        if (errno || *end || n[0] == '-' || v > 1000)
            throw Error(Errc::invalid_argument,
                        "--preserve-fds: '" + n + "' is not a number of fds (0..1000)");
        if (v) {
            for (int fd = 0; fd < 3 + static_cast<int>(v); ++fd) {
                if (fd >= 3 && ::fcntl(fd, F_GETFD) < 0)
                    throw Error(Errc::invalid_argument, "--preserve-fds " + n + ": fd " +
                                                            std::to_string(fd) + " is not open");
                io.options.fds.push_back(fd);
            }
        }
    }
    std::string sock = c.cl.value("console-socket");
    if (!terminal) return;
    if (sock.empty())
        throw Error(Errc::invalid_argument,
                    "process.terminal is set: a --console-socket is needed to receive the "
                    "terminal");
    connect_console_socket(sock, io.console);
    io.options.console_socket = io.console;
}

void connect_console_socket(const std::string &sock, int &fd) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw Error(Errc::backend, "console socket: " + errstr(errno), errno);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (sock.size() >= sizeof a.sun_path)
        throw Error(Errc::invalid_argument, "console socket " + sock + ": the path is too long");
    std::memcpy(a.sun_path, sock.c_str(), sock.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0) {
        int e = errno;
        throw Error(Errc::invalid_argument, "console socket " + sock + ": " + errstr(e), e);
    }
}

void write_pid_file(const std::string &path, int64_t pid) {
    if (path.empty()) return;
    std::string tmp = path + ".ct-oci-tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(Errc::backend, "pid file " + tmp + ": " + errstr(errno), errno);
    std::string text = std::to_string(pid);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    int e = errno;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        e = ok ? errno : e;
        ::unlink(tmp.c_str());
        throw Error(Errc::backend, "pid file " + path + ": " + errstr(e), e);
    }
}

Spec bundle_spec(Context &c, const std::string &id, const std::string &bundle) {
    BundleContext ctx{id, bundle, c.cl.global.systemd_cgroup, on_shared_mount,
                      [&](const std::string &m) { c.log.warning("config.json: " + m); }};
    return spec_from_config(read_config(bundle), ctx);
}

std::string absolute(const std::string &p) {
    std::filesystem::path full = p;
    if (p.empty() || p[0] != '/') {
        char cwd[4096];
        if (!::getcwd(cwd, sizeof cwd))
            throw Error(Errc::backend, "getcwd: " + errstr(errno), errno);
        full = std::filesystem::path(cwd) / p;
    }
    // Cleaned as runc's filepath.Abs cleans it: "." and ".." taken out by the text (a spec's
    // paths may hold no "..", and engines pass such bundles), no trailing '/'.
    std::string clean = full.lexically_normal().string();
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    return clean;
}

int parse_signal(const std::string &s) {
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 4) {
        int n = std::atoi(s.c_str());
        if (n >= 0 && n < NSIG) return n;  // 0: is it alive (a liveness probe's)
    }
    // Upper-cased, as runc reads `kill ID term`.
    std::string up = s;
    for (auto &c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string name = up.rfind("SIG", 0) == 0 ? up.substr(3) : up;
    for (int n = 1; n < SIGRTMIN; ++n)
        if (const char *abbrev = ::sigabbrev_np(n); abbrev && name == abbrev) return n;
    throw Error(Errc::invalid_argument, "'" + s + "' is not a signal");
}

}  // namespace ct::oci
