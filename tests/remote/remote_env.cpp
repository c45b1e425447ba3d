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
        std::string agent = g_env->agent;
        pid_t sshd = g_env->sshd->pid();
        g_env->sshd.reset();
        g_env->host.reset();
        // Agents end when their connection does; give the last ones a moment.
        bool agents_left = true;
        for (int i = 0; i < 200 && agents_left; ++i) {
            agents_left = false;
            for (const auto &p : std::filesystem::directory_iterator("/proc")) {
                std::error_code ec;
                auto exe = std::filesystem::read_symlink(p.path() / "exe", ec);
                if (!ec && exe == agent) agents_left = true;
            }
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

std::string Env::uri(const std::string &extra, int port) const {
    std::string u = "linux+ssh://root@" + host->addr() +
                    (port == 22 ? "" : ":" + std::to_string(port)) + "/?agent=" + agent +
                    "&identity=" + keys->client + "&known_hosts=" + known_hosts;
    return extra.empty() ? u : u + "&" + extra;
}

}  // namespace ct::test::remote
