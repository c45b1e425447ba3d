// The fixture of the runtime command-line tests: each test runs with ct-oci and with runc (the
// reference) on the same bundle, in a directory of its own (state root, --log file, bundle,
// /out), and ends with nothing of it left: no container in the state root, no cgroup, no
// process.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "oci_fixture.hpp"

namespace ct::oci::test {

class RuntimeTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, cgroups)";
        bin_ = GetParam() == "ct-oci" ? ct_oci_binary() : runc_binary();
        if (bin_.empty()) GTEST_SKIP() << "no runc on this host (the reference)";
        char tmpl[] = "/tmp/ct-oci-rt-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        root_ = dir_ + "/root";
        log_ = dir_ + "/log.json";
        bundle_ = dir_ + "/bundle";
        out_ = dir_ + "/out";
        std::filesystem::create_directories(bundle_);
        std::filesystem::create_directories(out_);
        id_ = "oci-rt-" + std::to_string(::getpid()) + "-" + GetParam();
        cgroup_ = "ct-oci-test/" + id_;
    }

    void TearDown() override {
        if (dir_.empty()) return;
        for (const auto &id : extra_ids_) rt({"delete", "--force", id});
        rt({"delete", "--force", id_});
        remove_cgroup_tree("ct-oci-test/" + id_);
        // The parent both runtimes' cgroupsPath made (kept while another test uses it).
        for (const auto &h : std::filesystem::directory_iterator("/sys/fs/cgroup"))
            ::rmdir((h.path() / "ct-oci-test").c_str());
        std::filesystem::remove_all(dir_);
    }

    json config(const std::vector<std::string> &args) const {
        return bundle_config(args, out_, "/" + cgroup_);
    }
    void write_config_json(const json &config) {
        write_file(bundle_ + "/config.json", config.dump(2));
    }
    void write_config(const std::vector<std::string> &args) { write_config_json(config(args)); }

    // The runtime's global options engines pass (containerd's shim: --root, --log,
    // --log-format json); runc is given the CRIU that works on this kernel.
    std::vector<std::string> global_options() const {
        std::vector<std::string> g = {bin_, "--root", root_, "--log", log_, "--log-format", "json"};
        if (GetParam() == "runc" && !criu_binary().empty()) {
            g.push_back("--criu");
            g.push_back(criu_binary());
        }
        return g;
    }
    // The runtime's command line as one shell word list (for tests that need a shell around
    // it: extra fds).
    std::string shell_command(const std::vector<std::string> &args) const {
        std::string s;
        auto all = global_options();
        all.insert(all.end(), args.begin(), args.end());
        for (const auto &a : all) s += "'" + a + "' ";
        return s;
    }

    // The runtime with the global options engines pass (containerd's shim: --root, --log,
    // --log-format json).
    Result rt(std::vector<std::string> args) {
        std::vector<std::string> argv = global_options();
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, "", std::chrono::seconds(30));
    }

    json state() {
        Result r = rt({"state", id_});
        EXPECT_EQ(r.code, 0) << r.text();
        return r.code == 0 ? json::parse(r.out) : json();
    }

    // The last error the runtime logged, as engines read it: the last JSON line of level
    // "error" in the --log file.
    std::string last_logged_error() {
        std::istringstream in(read_file(log_));
        std::string line, msg;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            json j = json::parse(line, nullptr, false);
            EXPECT_FALSE(j.is_discarded()) << "not JSON in the log: " << line;
            if (!j.is_discarded() && j.value("level", "") == "error") msg = j.value("msg", "");
        }
        return msg;
    }

    void expect_nothing_left() {
        Result l = rt({"list", "--format", "json"});
        EXPECT_EQ(l.code, 0) << l.text();
        json a = json::parse(l.out.empty() ? "null" : l.out, nullptr, false);
        bool none = a.is_null() || (a.is_array() && a.empty());
        EXPECT_TRUE(none) << "containers left: " << l.out;
        EXPECT_TRUE(cgroup_dirs(cgroup_).empty()) << "cgroup left: " << cgroup_dirs(cgroup_)[0];
    }

    std::vector<std::string> extra_ids_;  // more containers a test made (deleted too)
    std::string bin_, dir_, root_, log_, bundle_, out_, id_, cgroup_;
};

}  // namespace ct::oci::test
