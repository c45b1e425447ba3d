#include "harness.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ct::test::remote {
namespace {

std::string slurp(const std::string &path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void must(const std::string &cmd) {
    std::string out;
    if (sh(cmd + " 2>&1", &out) != 0) throw std::runtime_error("'" + cmd + "' failed: " + out);
}

std::map<pid_t, pid_t> parents() {
    std::map<pid_t, pid_t> m;
    if (DIR *d = opendir("/proc")) {
        while (auto *e = readdir(d)) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
            std::string st = slurp(std::string("/proc/") + e->d_name + "/stat");
            auto rp = st.rfind(')');
            if (rp == std::string::npos) continue;
            std::istringstream in(st.substr(rp + 2));
            std::string state;
            pid_t ppid = 0;
            in >> state >> ppid;
            m[std::stoi(e->d_name)] = ppid;
        }
        closedir(d);
    }
    return m;
}

std::string exe_of(pid_t p) {
    char buf[4096];
    ssize_t n = readlink(("/proc/" + std::to_string(p) + "/exe").c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

bool can_connect(const std::string &addr, int port) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, addr.c_str(), &a.sin_addr);
    bool ok = connect(s, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    close(s);
    return ok;
}

}  // namespace

int sh(const std::string &cmd, std::string *out) {
    FILE *p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    int st = pclose(p);
    if (out) *out = text;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Keys::Keys(const std::string &d) : dir(d) {
    mkdir(dir.c_str(), 0700);
    client = dir + "/id_client";
    stranger = dir + "/id_stranger";
    host = dir + "/host_key";
    other_host = dir + "/other_host_key";
    for (const auto &k : {client, stranger, host, other_host})
        must("ssh-keygen -q -t ed25519 -N '' -C ctrm-test -f " + k);
}

std::string Keys::pub(const std::string &key) const {
    std::string s = slurp(key + ".pub");
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

RemoteHost::RemoteHost() {
    pid_t pid = getpid();
    std::string id = std::to_string(pid);
    ns_ = "ctrm-" + id;
    near_dev_ = "ctrm" + id + "a";
    far_dev_ = "ctrm" + id + "b";
    // A /29 of 10/8 of this process's own (by pid): .1 near, .2 far, .3 nobody.
    unsigned idx = static_cast<unsigned>(pid) & 0x1fffff;
    std::string net =
        "10." + std::to_string(idx >> 13) + "." + std::to_string((idx >> 5) & 0xff) + ".";
    unsigned base = (idx & 0x1f) << 3;
    near_ = net + std::to_string(base + 1);
    far_ = net + std::to_string(base + 2);
    unused_ = net + std::to_string(base + 3);
    try {
        must("ip netns add " + ns_);
        must("ip link add " + near_dev_ + " type veth peer name " + far_dev_ + " netns " + ns_);
        must("ip addr add " + near_ + "/29 dev " + near_dev_);
        must("ip link set " + near_dev_ + " up");
        must("ip -n " + ns_ + " addr add " + far_ + "/29 dev " + far_dev_);
        must("ip -n " + ns_ + " link set " + far_dev_ + " up");
        must("ip -n " + ns_ + " link set lo up");
    } catch (...) {
        sh("ip link del " + near_dev_ + " 2>/dev/null; ip netns del " + ns_ + " 2>/dev/null");
        throw;
    }
}

RemoteHost::~RemoteHost() {
    sh("ip link del " + near_dev_ + " 2>/dev/null");
    sh("ip netns del " + ns_ + " 2>/dev/null");
}

void RemoteHost::set_link(bool up) {
    must("ip link set " + near_dev_ + (up ? " up" : " down"));
}

Sshd::Sshd(const RemoteHost &host, const Keys &keys, int port, const std::string &dir)
    : host_(host), port_(port), dir_(dir) {
    mkdir(dir_.c_str(), 0700);
    mkdir("/run/sshd", 0755);  // sshd's privilege separation directory (the package's own)
    {
        std::ofstream ak(dir_ + "/authorized_keys");
        ak << keys.pub(keys.client) << "\n";
    }
    std::string cfg = dir_ + "/sshd_config";
    {
        std::ofstream c(cfg);
        c << "Port " << port << "\nListenAddress " << host.addr() << "\nHostKey " << keys.host
          << "\nAuthorizedKeysFile " << dir_ << "/authorized_keys\nPidFile none\n"
          << "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
          << "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPrintMotd no\n"
          << "PrintLastLog no\nMaxStartups 200\nMaxSessions 200\nLogLevel ERROR\n";
    }
    std::string log = dir_ + "/sshd.log";
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no sshd behind
        int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(fd, 2);
        int nul = open("/dev/null", O_RDWR);
        dup2(nul, 0);
        dup2(nul, 1);
        std::string net = "--net=/run/netns/" + host.netns();
        execl("/usr/bin/nsenter", "nsenter", net.c_str(), "/usr/sbin/sshd", "-D", "-e", "-f",
              cfg.c_str(), static_cast<char *>(nullptr));
        _exit(127);
    }
    for (int i = 0; i < 500; ++i) {
        int st;
        if (waitpid(pid_, &st, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("sshd exited at start: " + slurp(log));
        }
        if (can_connect(host.addr(), port)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill_all();
    throw std::runtime_error("sshd does not accept connections: " + slurp(log));
}

Sshd::~Sshd() {
    kill_all();
}

std::vector<pid_t> descendants(pid_t root) {
    auto pp = parents();
    std::vector<pid_t> out;
    for (const auto &[p, parent] : pp) {
        for (pid_t q = parent, hops = 0; q > 1 && hops < 64; ++hops) {
            if (q == root) {
                out.push_back(p);
                break;
            }
            auto it = pp.find(q);
            if (it == pp.end()) break;
            q = it->second;
        }
    }
    return out;
}

std::vector<pid_t> Sshd::sshd_processes() const {
    std::vector<pid_t> out;
    if (pid_ <= 0) return out;
    out.push_back(pid_);
    for (pid_t p : descendants(pid_))
        if (exe_of(p) == "/usr/sbin/sshd") out.push_back(p);
    return out;
}

std::vector<pid_t> Sshd::processes_of(const std::string &exe) const {
    std::vector<pid_t> out;
    if (pid_ <= 0) return out;
    for (pid_t p : descendants(pid_))
        if (exe_of(p) == exe) out.push_back(p);
    return out;
}

void Sshd::kill_all() {
    if (pid_ <= 0) return;
    for (pid_t p : sshd_processes()) ::kill(p, SIGKILL);
    int st;
    waitpid(pid_, &st, 0);
    pid_ = -1;
}

std::string Sshd::known_hosts_line(const std::string &host_key_pub) const {
    std::string h = port_ == 22 ? host_.addr() : "[" + host_.addr() + "]:" + std::to_string(port_);
    return h + " " + host_key_pub;
}

}  // namespace ct::test::remote
