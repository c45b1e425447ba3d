#include "oci_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char **environ;

namespace fs = std::filesystem;

namespace ct::oci::test {

std::string read_file(const std::string &path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const std::string &path, const std::string &text) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
}

Result run(const std::vector<std::string> &argv, const std::string &input,
           std::chrono::seconds timeout, const std::vector<std::string> &env) {
    static std::atomic<int> seq{0};
    std::string base =
        "/tmp/ct-oci-test-run-" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
    std::string in = base + ".in", out = base + ".out", err = base + ".err";
    write_file(in, input);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    std::vector<std::string> envs;
    for (char **e = environ; *e; ++e) envs.push_back(*e);
    for (const auto &e : env) envs.push_back(e);
    std::vector<char *> a, ev;
    for (const auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
    a.push_back(nullptr);
    for (auto &s : envs) ev.push_back(s.data());
    ev.push_back(nullptr);
    pid_t pid;
    Result r;
    int rc = posix_spawnp(&pid, a[0], &fa, &attr, a.data(), ev.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        r.err = "spawn " + argv[0] + ": " + std::strerror(rc);
        return r;
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            status = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    r.code = status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out);
    r.err = read_file(err);
    if (status == -1) r.err += "\n(killed after " + std::to_string(timeout.count()) + " s)";
    ::unlink(in.c_str());
    ::unlink(out.c_str());
    ::unlink(err.c_str());
    return r;
}

const std::string &busybox_rootfs() {
    static const std::string dir = [] {
        std::string d = std::string(CT_TEST_BUILD_DIR) + "/tests/rootfs-busybox";
        std::string cmd = std::string(CT_MKROOTFS) + " " + d + " >/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot build " + d);
        return d;
    }();
    return dir;
}

std::string ct_oci_binary() {
    return CT_TEST_CT_OCI;
}

std::string runc_binary() {
    for (auto p : {"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"})
        if (::access(p, X_OK) == 0) return p;
    return "";
}

bool eventually(const std::function<bool()> &cond, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

bool process_exists(pid_t pid) {
    if (pid <= 0) return false;
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

json bundle_config(const std::vector<std::string> &args, const std::string &out_dir,
                   const std::string &cgroups_path) {
    json caps = {"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",          "CAP_KILL",
                 "CAP_SETGID", "CAP_SETUID",       "CAP_NET_BIND_SERVICE"};
    return {
        {"ociVersion", "1.0.2"},
        {"process",
         {{"terminal", false},
          {"user", {{"uid", 0}, {"gid", 0}}},
          {"args", args},
          {"env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"}},
          {"cwd", "/"},
          {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
          {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
          {"noNewPrivileges", true}}},
        {"root", {{"path", busybox_rootfs()}, {"readonly", true}}},
        {"hostname", "oci-test"},
        {"mounts",
         {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
          {{"destination", "/dev"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
          {{"destination", "/dev/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
          {{"destination", "/dev/shm"},
           {"type", "tmpfs"},
           {"source", "shm"},
           {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
          {{"destination", "/dev/mqueue"},
           {"type", "mqueue"},
           {"source", "mqueue"},
           {"options", {"nosuid", "noexec", "nodev"}}},
          {{"destination", "/sys"},
           {"type", "sysfs"},
           {"source", "sysfs"},
           {"options", {"nosuid", "noexec", "nodev", "ro"}}},
          {{"destination", "/tmp"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "nodev", "size=8m"}}},
          {{"destination", "/out"},
           {"type", "bind"},
           {"source", out_dir},
           {"options", {"rbind", "rw"}}}}},
        {"linux",
         {{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
          {"cgroupsPath", cgroups_path},
          {"namespaces",
           {{{"type", "pid"}},
            {{"type", "network"}},
            {{"type", "ipc"}},
            {{"type", "uts"}},
            {{"type", "mount"}}}},
          {"maskedPaths", {"/proc/kcore", "/proc/keys", "/sys/firmware"}},
          {"readonlyPaths", {"/proc/sys", "/proc/sysrq-trigger"}}}}};
}

std::vector<std::string> cgroup_dirs(const std::string &rel) {
    std::vector<std::string> out;
    for (const auto &h : fs::directory_iterator("/sys/fs/cgroup")) {
        fs::path d = h.path() / rel;
        std::error_code ec;
        if (fs::is_directory(d, ec)) out.push_back(d.string());
    }
    return out;
}

void remove_cgroup_tree(const std::string &rel) {
    for (const auto &h : fs::directory_iterator("/sys/fs/cgroup")) {
        fs::path top = h.path() / rel;
        std::error_code ec;
        if (!fs::is_directory(top, ec)) continue;
        std::vector<fs::path> dirs;
        for (auto it = fs::recursive_directory_iterator(top, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_directory(ec)) dirs.push_back(it->path());
        std::sort(dirs.begin(), dirs.end(), [](const fs::path &a, const fs::path &b) {
            return a.string().size() > b.string().size();
        });
        for (const auto &d : dirs) ::rmdir(d.c_str());
        ::rmdir(top.c_str());
    }
}

}  // namespace ct::oci::test

namespace ct::oci::test {

std::string criu_binary() {
    if (const char *e = std::getenv("CT_CRIU"); e && *e) return e;
    for (auto p : {"/usr/local/lib/ct/criu", "/usr/sbin/criu", "/usr/local/sbin/criu"})
        if (::access(p, X_OK) == 0) return p;
    return "";
}

std::string criu_unusable() {
    std::string criu = criu_binary();
    if (criu.empty()) return "no criu binary (tools/install-criu.sh installs one)";
    Result r = run({criu, "check"}, "", std::chrono::seconds(60));
    if (r.code != 0) return criu + " check fails on this kernel: " + r.err;
    return "";
}

std::string cgroup_value(const std::string &rel, const std::vector<std::string> &files) {
    for (const auto &f : files)
        for (const auto &d : cgroup_dirs(rel)) {
            std::error_code ec;
            if (!fs::exists(d + "/" + f, ec)) continue;
            std::string v = read_file(d + "/" + f);
            while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
            return v;
        }
    return "";
}

std::vector<pid_t> processes_with(const std::string &marker) {
    std::vector<pid_t> out;
    for (const auto &e : fs::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmd = read_file(e.path() / "cmdline");
        std::replace(cmd.begin(), cmd.end(), '\0', ' ');
        if (cmd.find(marker) != std::string::npos && process_exists(std::stoi(name)))
            out.push_back(std::stoi(name));
    }
    return out;
}

ConsoleSocket::ConsoleSocket(std::string path) : path_(std::move(path)) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        ::listen(listener_, 4) != 0)
        throw std::runtime_error("console socket " + path_ + ": " + std::strerror(errno));
    thread_ = std::thread([this] { serve(); });
}

ConsoleSocket::~ConsoleSocket() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
    ::unlink(path_.c_str());
}

void ConsoleSocket::serve() {
    int conn = -1, master = -1;
    while (!stop_) {
        pollfd p{conn < 0 ? listener_ : master < 0 ? conn : master, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        if (conn < 0) {
            conn = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            continue;
        }
        if (master < 0) {
            char name[256];
            iovec iov{name, sizeof name};
            alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
            msghdr m{};
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_control = ctl;
            m.msg_controllen = sizeof ctl;
            if (::recvmsg(conn, &m, MSG_CMSG_CLOEXEC) <= 0) break;
            cmsghdr *c = CMSG_FIRSTHDR(&m);
            if (c && c->cmsg_type == SCM_RIGHTS) {
                std::memcpy(&master, CMSG_DATA(c), sizeof master);
                received_ = true;
            }
            continue;
        }
        char buf[4096];
        ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO: every slave end is closed
        std::lock_guard<std::mutex> l(mu_);
        output_.append(buf, static_cast<size_t>(n));
    }
    if (master >= 0) ::close(master);
    if (conn >= 0) ::close(conn);
}

std::string ConsoleSocket::wait_for(const std::string &needle, std::chrono::milliseconds timeout) {
    std::string out;
    eventually(
        [&] {
            std::lock_guard<std::mutex> l(mu_);
            out = output_;
            return out.find(needle) != std::string::npos;
        },
        timeout);
    return out;
}

}  // namespace ct::oci::test
