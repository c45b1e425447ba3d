#include "remote_env.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace ct::test::remote {
namespace {

Env *g_env = nullptr;

bool gone(const std::string &path) {
    return !std::filesystem::exists(path);
}

class Environment : public ::testing::Environment {
  public:
    void SetUp() override {
        if (geteuid() != 0) return;  // LinuxTest and the remote tests skip
        auto *e = new Env;
        e->dir = "/tmp/ctrm-" + std::to_string(getpid());
        std::filesystem::remove_all(e->dir);
        mkdir(e->dir.c_str(), 0700);
        e->agent = CT_TEST_AGENT;
        e->keys = std::make_unique<Keys>(e->dir + "/keys");
        e->host = std::make_unique<RemoteHost>();
        struct stat ns {};
        if (::stat(("/run/netns/" + e->host->netns()).c_str(), &ns) == 0) {
            e->netns_dev = ns.st_dev;
            e->netns_ino = ns.st_ino;
        }
        e->sshd = std::make_unique<Sshd>(*e->host, *e->keys, 22, e->dir + "/sshd22");
        e->known_hosts = e->dir + "/known_hosts";
        std::ofstream(e->known_hosts)
            << e->host->addr() << " " << e->keys->pub(e->keys->host) << "\n[" << e->host->addr()
            << "]:* " << e->keys->pub(e->keys->host) << "\n";
        g_env = e;
        setenv("CT_TEST_REMOTE_URI", e->uri().c_str(), 1);
    }

    void TearDown() override {
        if (!g_env) return;
        std::string ns = g_env->host->netns(), dev = g_env->host->near_dev(), dir = g_env->dir;
        pid_t sshd = g_env->sshd->pid();
        g_env->sshd.reset();
        g_env->host.reset();
        // Agents end when their connection does; give the last ones a moment.
        bool agents_left = true;
        for (int i = 0; i < 200 && agents_left; ++i) {
            agents_left = !g_env->own_agents().empty();
            if (agents_left) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        EXPECT_FALSE(agents_left) << "ct-agent processes left running";
        EXPECT_NE(::kill(sshd, 0), 0) << "sshd still running";
        EXPECT_TRUE(gone("/run/netns/" + ns)) << "netns " << ns << " left behind";
        EXPECT_TRUE(gone("/sys/class/net/" + dev)) << "veth " << dev << " left behind";
        std::filesystem::remove_all(dir);
        EXPECT_TRUE(gone(dir));
        delete g_env;
        g_env = nullptr;
    }
};

[[maybe_unused]] auto *const kRegistered = ::testing::AddGlobalTestEnvironment(new Environment);

}  // namespace

Env *env() {
    return g_env;
}

std::vector<pid_t> Env::own_agents() const {
    std::vector<pid_t> out;
    if (netns_ino == 0) return out;
    for (const auto &p : std::filesystem::directory_iterator("/proc")) {
        const std::string n = p.path().filename();
        if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec;
        if (std::filesystem::read_symlink(p.path() / "exe", ec) != agent || ec) continue;
        // The namespace file of /proc/PID/ns is the nsfs inode that /run/netns/NAME was bound to.
        struct stat st {};
        if (::stat((p.path() / "ns/net").c_str(), &st) == 0 && st.st_ino == netns_ino &&
            st.st_dev == netns_dev)
            out.push_back(static_cast<pid_t>(std::stol(n)));
    }
    return out;
}

std::string Env::uri(const std::string &extra, int port) const {
    std::string u = "linux+ssh://root@" + host->addr() +
                    (port == 22 ? "" : ":" + std::to_string(port)) + "/?agent=" + agent +
                    "&identity=" + keys->client + "&known_hosts=" + known_hosts;
    return extra.empty() ? u : u + "&" + extra;
}

}  // namespace ct::test::remote
