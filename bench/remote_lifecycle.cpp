// bench-remote-lifecycle: what one remote session costs on the hot path. In the same run, on
// the same busybox rootfs, it times the container life cycle (create, start /bin/true, wait,
// destroy)
//   local   through linux:/// in this process,
//   remote  through one open linux+ssh:// session to a real sshd (in a network namespace of
//           this process, with a veth to it: see tests/remote/harness.hpp),
//   crun    as `ssh host crun run` per container, the usual way to drive a runtime remotely
//           (crun refuses this host's hybrid cgroups, so on the far side it runs inside
//           `unshare -m` with /sys/fs/cgroup/unified unmounted),
// interleaved so that drift hits all alike, and checks the targets of libct issue #4:
// remote <= 1.5 x local, crun-over-ssh >= 10 x remote (medians). Needs root.
//
//   bench-remote-lifecycle [-n ITERATIONS] [-m CRUN_ITERATIONS] [--json]
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ct/ct.hpp"
#include "harness.hpp"
#include "stats.hpp"

namespace {

namespace fs = std::filesystem;
using ct::bench::now_ms;
using ct::test::remote::sh;

double lifecycle(ct::Session &s, const std::string &rootfs, const std::string &name) {
    ct::Spec spec;
    spec.name = name;
    spec.rootfs = rootfs;
    spec.process.args = {"/bin/true"};
    double t0 = now_ms();
    auto c = s.create(spec);
    c.start(ct::StartOptions{{-1, -1, -1}, false});
    auto st = c.wait();
    c.destroy();
    double t = now_ms() - t0;
    if (st != ct::ExitStatus{false, 0}) throw std::runtime_error("/bin/true failed in " + name);
    return t;
}

// An OCI bundle for crun with the same rootfs and command.
std::string make_bundle(const std::string &dir, const std::string &rootfs) {
    fs::create_directories(dir);
    std::string out;
    if (sh("cd " + dir + " && crun spec 2>&1", &out) != 0)
        throw std::runtime_error("crun spec: " + out);
    nlohmann::json cfg;
    std::ifstream(dir + "/config.json") >> cfg;
    cfg["root"]["path"] = rootfs;
    cfg["root"]["readonly"] = true;
    cfg["process"]["args"] = {"/bin/true"};
    cfg["process"]["terminal"] = false;
    std::ofstream(dir + "/config.json") << cfg.dump(2);
    return dir;
}

}  // namespace

int main(int argc, char **argv) {
    unsigned n = 40, m = 10;
    bool json = false;
    static option opts[] = {{"json", no_argument, nullptr, 'j'}, {nullptr, 0, nullptr, 0}};
    for (int c; (c = getopt_long(argc, argv, "n:m:", opts, nullptr)) != -1;) {
        if (c == 'n')
            n = ct::bench::parse_count("-n", optarg);
        else if (c == 'm')
            m = ct::bench::parse_count("-m", optarg);
        else if (c == 'j')
            json = true;
        else {
            std::fprintf(stderr, "usage: %s [-n ITERATIONS] [-m CRUN_ITERATIONS] [--json]\n",
                         argv[0]);
            return 2;
        }
    }
    if (geteuid() != 0) {
        std::fprintf(stderr, "bench-remote-lifecycle: needs root (namespaces, cgroups, sshd)\n");
        return 2;
    }
    std::string id = std::to_string(getpid());
    std::string dir = "/tmp/ctrm-bench-" + id;
    fs::remove_all(dir);
    fs::create_directories(dir);
    int rc = 0;
    try {
        std::string rootfs = dir + "/rootfs", out;
        if (sh(std::string(CT_MKROOTFS) + " " + rootfs + " 2>&1", &out) != 0)
            throw std::runtime_error("mkrootfs: " + out);
        ct::test::remote::Keys keys(dir + "/keys");
        ct::test::remote::RemoteHost host;
        ct::test::remote::Sshd sshd(host, keys, 22, dir + "/sshd");
        std::string kh = dir + "/known_hosts";
        std::ofstream(kh) << host.addr() << " " << keys.pub(keys.host) << "\n";
        std::string cg = "ctrm-bench-" + id;
        auto local =
            ct::Session::open("linux:///?root=/run/ctrm-bench-" + id + "-l&cgroup_parent=" + cg);
        auto remote = ct::Session::open("linux+ssh://root@" + host.addr() + "/?agent=" + CT_AGENT +
                                        "&identity=" + keys.client + "&known_hosts=" + kh +
                                        "&root=/run/ctrm-bench-" + id + "-r&cgroup_parent=" + cg);
        std::vector<double> tl, tr, tc;
        for (unsigned i = 0; i < 3; ++i) {  // warm-up: page cache, cgroup parents, the agent
            lifecycle(local, rootfs, "w" + id + "-l" + std::to_string(i));
            lifecycle(remote, rootfs, "w" + id + "-r" + std::to_string(i));
        }
        for (unsigned i = 0; i < n; ++i) {
            tl.push_back(lifecycle(local, rootfs, "b" + id + "-l" + std::to_string(i)));
            tr.push_back(lifecycle(remote, rootfs, "b" + id + "-r" + std::to_string(i)));
        }
        std::string crun_note;
        if (sh("command -v crun >/dev/null") == 0) {
            std::string bundle = make_bundle(dir + "/bundle", rootfs);
            std::string ssh = "ssh -T -o BatchMode=yes -i " + keys.client +
                              " -o UserKnownHostsFile=" + kh + " root@" + host.addr() + " ";
            for (unsigned i = 0; i < m; ++i) {
                std::string name = "ctrm-crun-" + id + "-" + std::to_string(i);
                std::string far =
                    "unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run "
                    "-b " +
                    bundle + " " + name + "'";
                double t0 = now_ms();
                int r = sh(ssh + "\"" + far + "\" 2>&1", &out);
                tc.push_back(now_ms() - t0);
                if (r != 0)
                    throw std::runtime_error("ssh + crun run failed (" + std::to_string(r) +
                                             "): " + out);
            }
        } else {
            crun_note = "crun is not installed (tools/install-deps.sh installs it)";
        }
        auto sl = ct::bench::summarize(tl), sr = ct::bench::summarize(tr);
        double ratio = sr.median / sl.median;
        if (json) {
            std::cout << "{\"local\":" << ct::bench::summary_json(tl)
                      << ",\"remote\":" << ct::bench::summary_json(tr)
                      << ",\"ssh_crun\":" << (tc.empty() ? "null" : ct::bench::summary_json(tc))
                      << ",\"remote_over_local\":" << ratio;
            if (!tc.empty())
                std::cout << ",\"ssh_crun_over_remote\":"
                          << ct::bench::summarize(tc).median / sr.median;
            std::cout << "}\n";
        } else {
            ct::bench::print_table({{"local  (linux:///)", tl},
                                    {"remote (linux+ssh://, one session)", tr},
                                    {"ssh host crun run (per container)", tc}});
            std::printf("remote / local          = %.2f  (target <= 1.5)\n", ratio);
            if (!tc.empty())
                std::printf("ssh+crun / remote       = %.1f  (target >= 10)\n",
                            ct::bench::summarize(tc).median / sr.median);
            else
                std::printf("ssh+crun: not measured: %s\n", crun_note.c_str());
        }
        if (ratio > 1.5) rc = 1;
        if (!tc.empty() && ct::bench::summarize(tc).median / sr.median < 10) rc = 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-remote-lifecycle: %s\n", e.what());
        rc = 1;
    }
    fs::remove_all(dir);
    sh("rmdir /run/ctrm-bench-" + id + "-l /run/ctrm-bench-" + id + "-r 2>/dev/null");
    // The cgroup parent both sessions used, in every hierarchy it may have been made in.
    for (const auto &h : fs::directory_iterator("/sys/fs/cgroup"))
        ::rmdir((h.path() / ("ctrm-bench-" + id)).c_str());
    return rc;
}
