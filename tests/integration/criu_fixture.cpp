#include "criu_fixture.hpp"

#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <thread>

namespace fs = std::filesystem;

namespace ct::test {

const std::string &criu_unavailable(Session &s, const std::string &tag) {
    static std::optional<std::string> verdict;
    if (verdict) return *verdict;
    std::string name = "criu-probe-" + std::to_string(getpid()) + "-" + tag;
    std::string dir = "/tmp/ct-it-criu-probe-" + std::to_string(getpid());
    fs::remove_all(dir);
    Spec spec;
    spec.name = name;
    spec.rootfs = busybox_rootfs();
    spec.process.args = {"/bin/sleep", "1000"};
    try {
        auto c = s.create(spec);
        try {
            StartOptions o;
            o.stdio = {-1, -1, -1};
            o.detach = true;
            c.start(o);
            c.checkpoint({dir, false, false, false});
            RestoreOptions r;
            r.dir = dir;
            r.stdio = {-1, -1, -1};
            s.restore(name, r);
            if (c.state() != State::running) throw std::runtime_error("restored, but not running");
            c.destroy(true);
            verdict = "";
        } catch (...) {
            c.destroy(true);
            throw;
        }
    } catch (const std::exception &e) {
        verdict = e.what();
    }
    fs::remove_all(dir);
    return *verdict;
}

Spec counter_spec(Spec base, const std::string &rootfs) {
    base.rootfs = rootfs;
    base.process.args = {"/bin/sh", "-c",
                         "i=0; while :; do i=$((i+1)); echo $i > /count.new; mv /count.new /count;"
                         " sleep 0.1; done"};
    return base;
}

long read_counter(const std::string &rootfs) {
    std::string s = read_text(rootfs + "/count");
    if (s.empty()) return -1;
    try {
        return std::stol(s);
    } catch (...) {
        return -1;
    }
}

long wait_counter(const std::string &rootfs, long value, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    long v = read_counter(rootfs);
    while (v < value && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        v = read_counter(rootfs);
    }
    return v;
}

std::string temp_dir(std::vector<std::string> &temp_dirs, const std::string &tag) {
    std::string d = "/tmp/ct-it-criu-" + std::to_string(getpid()) + "-" + tag;
    fs::remove_all(d);
    fs::create_directories(d);
    temp_dirs.push_back(d);
    return d;
}

std::vector<std::string> migration_leftovers(const std::string &name) {
    std::vector<std::string> out;
    std::string prefix = "ct-migrate." + name + ".";
    if (DIR *d = opendir("/var/tmp")) {
        while (auto *e = readdir(d))
            if (std::string(e->d_name).rfind(prefix, 0) == 0) out.push_back(e->d_name);
        closedir(d);
    }
    return out;
}

}  // namespace ct::test
