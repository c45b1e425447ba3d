#include "cli_fixture.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace ct::test {
namespace {

std::atomic<int> g_seq{0};

std::string read_text(const std::string &path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// The host's mount points (ids left out: they never repeat).
std::string mount_table() {
    std::istringstream in(read_text("/proc/self/mountinfo"));
    std::string line, out;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string id, parent, dev, root, point;
        ls >> id >> parent >> dev >> root >> point;
        out += root + " " + point + "\n";
    }
    return out;
}

}  // namespace

const std::string &busybox_rootfs() {
    static const std::string dir = [] {
        std::string d = std::string(CT_TEST_BUILD_DIR) + "/tests/rootfs-busybox";
        std::string cmd = std::string(CT_MKROOTFS) + " " + d + " >/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot build " + d);
        return d;
    }();
    return dir;
}

void CliTest::SetUp() {
    if (geteuid() != 0) GTEST_SKIP() << "ct command tests need root (namespaces, cgroups)";
    std::string tag = "ct-cli-" + std::to_string(getpid()) + "-" + std::to_string(g_seq++);
    state_root_ = "/run/" + tag;
    cgroup_parent_ = tag;
    uri_ = "linux:///?root=" + state_root_ + "&cgroup_parent=" + cgroup_parent_;
    scratch_ = "/tmp/" + tag;
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
    rootfs_ = busybox_rootfs();
    mounts_before_ = mount_table();
}

void CliTest::TearDown() {
    if (uri_.empty()) return;
    // Whatever a test leaves is a leak: report it, then clean up so that it does not cascade.
    auto left = run_ct({"-c", uri_, "list", "-q"});
    EXPECT_EQ(left.code, 0) << left.text();
    EXPECT_EQ(left.out, "") << "containers left behind";
    std::istringstream names(left.out);
    for (std::string n; std::getline(names, n);) run_ct({"-c", uri_, "destroy", "--force", n});
    std::string state;
    if (fs::exists(state_root_))
        for (const auto &e : fs::directory_iterator(state_root_)) state += e.path().string() + " ";
    EXPECT_EQ(state, "") << "state files left behind";
    fs::remove_all(state_root_);
    for (const auto &h : fs::directory_iterator("/sys/fs/cgroup")) {
        fs::path d = h.path() / cgroup_parent_;
        if (!fs::exists(d)) continue;
        std::string sub;
        for (const auto &e : fs::directory_iterator(d))
            if (e.is_directory()) sub += e.path().string() + " ";
        EXPECT_EQ(sub, "") << "cgroups left behind";
        // A cgroup whose last child just went can be busy for a moment.
        int rc = -1;
        for (int i = 0; i < 200 && (rc = rmdir(d.c_str())) != 0 && errno == EBUSY; ++i)
            usleep(5000);
        EXPECT_EQ(rc, 0) << "cannot remove " << d << ": " << std::strerror(errno);
    }
    EXPECT_EQ(mount_table(), mounts_before_) << "host mounts changed";
    fs::remove_all(scratch_);
}

CtResult CliTest::ct(std::vector<std::string> args, const std::vector<std::string> &env,
                     const std::string &input) {
    args.insert(args.begin(), {"-c", uri_});
    return run_ct(args, env, input);
}

std::string CliTest::write_file(const std::string &name, const std::string &text) {
    std::string path = scratch_ + "/" + name;
    std::ofstream(path) << text;
    return path;
}

}  // namespace ct::test
