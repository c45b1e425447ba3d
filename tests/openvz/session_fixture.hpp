// The openvz session with a recorder in place of process spawning (recorder.hpp), on a private
// root holding the fixtures' host files (fixtures/README.md).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "ct/error.hpp"
#include "ct/internal/document.hpp"
#include "recorder.hpp"

namespace ct::openvz::test {

namespace fs = std::filesystem;
using Calls = std::vector<std::vector<std::string>>;

inline const std::string V = "/opt/vz/vzctl";
inline const std::string L = "/opt/vz/vzlist";
inline const std::string M = "/opt/vz/vzmigrate";
inline const std::string kVz7Version = "vzctl v.7.0.205.2\n";

inline std::string slurp(const std::string &p) {
    std::ifstream in(p);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline ct_proc_args no_args() {
    ct_proc_args a{};
    a.size = sizeof a;
    a.stdin_fd = a.stdout_fd = a.stderr_fd = -1;
    a.console_socket = -1;
    return a;
}

class Session : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/ct-openvz-unit-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        root = tmpl;
        fs::copy(CT_OPENVZ_FIXTURES, root, fs::copy_options::recursive);
        open("vzctl version 4.11\n");
    }
    // A session on the same root whose vzctl prints `version` for --version. Nothing it ran
    // to find that out stays in the log.
    void open(const std::string &version) {
        s.reset();
        log = std::make_shared<Log>();
        log->version = version;
        SessionOptions o;
        o.root = root;
        s = std::make_unique<OpenVzSession>(o, Tools{V, L, M}, std::make_unique<Recorder>(log));
        log->calls.clear();
    }
    void TearDown() override {
        s.reset();
        fs::remove_all(root);
    }
    // Error code and message of `fn`, which must throw ct::Error.
    template <class F>
    std::pair<ct::Errc, std::string> error_of(F &&fn) {
        try {
            fn();
        } catch (const ct::Error &e) {
            return {e.code(), e.what()};
        }
        ADD_FAILURE() << "no error";
        return {};
    }
    std::string state_dir(const std::string &ctid) { return root + "/var/lib/ct/openvz/" + ctid; }

    std::string root;
    std::shared_ptr<Log> log;
    std::unique_ptr<OpenVzSession> s;
};

inline ct::Spec template_spec() {
    ct::Spec sp;
    sp.name = "7001";
    sp.hostname = "web";
    ct::OpenVzSpec o;
    o.ostemplate = "centos-7-x86_64";
    o.config = "vswap-1g";
    o.layout = "ploop";
    o.ip = {"10.0.0.2", "fd00::2/64"};
    o.nameservers = {"8.8.8.8"};
    o.searchdomains = {"example.com"};
    o.diskspace = int64_t{10} << 30;
    o.diskinodes = 200000;
    o.cpus = 2;
    o.ioprio = 6;
    o.onboot = true;
    o.beancounters = {{"numtcpsock", "360"}, {"kmemsize", "14M:16M"}};
    sp.openvz = o;
    sp.resources.memory = int64_t{512} << 20;
    sp.resources.memory_swap = int64_t{1} << 30;
    sp.resources.pids = 100;
    sp.resources.cpu.shares = 500;
    sp.resources.cpu.quota_us = 50000;
    sp.resources.cpu.period_us = 100000;
    sp.resources.cpu.cpus = "0-1";
    sp.network.push_back(
        {"veth", "eth0", "veth7001.0", "", "vmbr0", "02:00:00:00:70:01", 0, 0, "", {}, ""});
    sp.network.push_back({"hostnic", "", "eth3", "", "", "", 0, 0, "", {}, ""});
    return sp;
}

}  // namespace ct::openvz::test
