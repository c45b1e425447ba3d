// bench-lifecycle: the container life cycle through libct's public C++ API — create, start
// /bin/true, wait, destroy — timed per phase, with external commands (`ct run`, `crun run`,
// `runc run`, ...) interleaved round by round, so that every figure comes from the same period
// of the machine and the ratios are fair even while other jobs run.

#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ct/ct.hpp"
#include "exec_run.hpp"
#include "stats.hpp"

namespace {

using ct::bench::now_ms;

const char kUsage[] =
    "usage: bench-lifecycle [-n N] [-w N] [--rootfs DIR] [--uri URI] [--net] [--binds]\n"
    "           [--no-limits] [--unconfined] [--ref NAME] [--json]\n"
    "           [--cmd NAME [--mntns FILE] -- ARG... \\;]...\n"
    "Times N container life cycles through the public C++ API (default 100, after 3 warm-up\n"
    "rounds): create, start /bin/true, wait, destroy; default namespaces (mount, uts, ipc,\n"
    "pid, net, cgroup); memory 64M, pids 100, cpu shares 512 (as bench-bare); busybox rootfs.\n"
    "Each --cmd runs once per round as well (fork+exec+wait, stdin /dev/null), interleaved\n"
    "with the API life cycle in an order that rotates every round; {i} in its arguments is the\n"
    "round number. A failure of any run stops the benchmark.\n"
    "  --rootfs DIR   root filesystem with /bin/true (default /var/lib/ct/rootfs/busybox)\n"
    "  --uri URI      session URI (default: linux:///?root=/run/ct-bench-PID&cgroup_parent=\n"
    "                 ct-bench-PID, both removed at the end)\n"
    "  --net          give each container a veth interface (host end ctb<pid>-<i>)\n"
    "  --binds        add two read-only bind mounts (/home and /run inside)\n"
    "  --no-limits    no cgroup limits\n"
    "  --unconfined   no confinement: every capability, no seccomp filter, nothing masked\n"
    "                 (what the default cost before docs/security.md's defaults)\n"
    "  --ref NAME     ratios are relative to this --cmd (default: the first)\n"
    "  --json         machine-readable output with every sample\n";

volatile sig_atomic_t g_stop = 0;

struct Options {
    unsigned iterations = 100, warmup = 3;
    std::string rootfs = "/var/lib/ct/rootfs/busybox";
    std::string uri;
    bool net = false, binds = false, limits = true, json = false, unconfined = false;
    std::string ref;
    std::vector<ct::bench::ExternalCommand> commands;
};

Options parse(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) throw ct::bench::UsageError(a + " needs a value");
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else if (a == "-n" || a == "--iterations") {
            o.iterations = ct::bench::parse_count("--iterations", value());
        } else if (a == "-w" || a == "--warmup") {
            o.warmup = ct::bench::parse_count("--warmup", value());
        } else if (a == "--rootfs") {
            o.rootfs = value();
        } else if (a == "--uri") {
            o.uri = value();
        } else if (a == "--net") {
            o.net = true;
        } else if (a == "--binds") {
            o.binds = true;
        } else if (a == "--unconfined") {
            o.unconfined = true;
        } else if (a == "--no-limits") {
            o.limits = false;
        } else if (a == "--ref") {
            o.ref = value();
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--cmd") {
            o.commands.push_back(ct::bench::parse_command(argc, argv, i, o.commands));
        } else {
            throw ct::bench::UsageError("unknown argument '" + a + "'");
        }
    }
    if (o.iterations == 0) throw ct::bench::UsageError("--iterations must be at least 1");
    if (o.ref.empty() && !o.commands.empty()) o.ref = o.commands.front().name;
    bool found = o.ref.empty();
    for (const auto &c : o.commands) found |= c.name == o.ref;
    if (!found) throw ct::bench::UsageError("--ref " + o.ref + ": no command of that name");
    return o;
}

struct Phases {
    std::vector<double> create, start, wait, destroy, total;
    std::vector<double> cpu;  // CPU time of the cycle: this process and the container's init
};

// Everything the benchmark makes on the host, removed at the end (also after a failure).
class Scratch {
  public:
    explicit Scratch(const Options &o) : pid_(std::to_string(getpid())) {
        if (o.uri.empty()) {
            state_root_ = "/run/ct-bench-" + pid_;
            cgroup_parent_ = "ct-bench-" + pid_;
            uri_ = "linux:///?root=" + state_root_ + "&cgroup_parent=" + cgroup_parent_;
        } else {
            uri_ = o.uri;
        }
        if (o.binds) {
            binds_ = "/tmp/ct-bench-" + pid_;
            std::filesystem::create_directories(binds_ + "/a");
            std::filesystem::create_directories(binds_ + "/b");
        }
    }
    ~Scratch() {
        if (!binds_.empty()) std::filesystem::remove_all(binds_);
        if (state_root_.empty()) return;
        std::error_code ec;
        std::filesystem::remove(state_root_, ec);
        if (DIR *d = opendir("/sys/fs/cgroup")) {
            while (auto *e = readdir(d)) {
                std::string dir = std::string("/sys/fs/cgroup/") + e->d_name + "/" + cgroup_parent_;
                if (e->d_name[0] != '.' && rmdir(dir.c_str()) < 0 && errno != ENOENT &&
                    errno != ENOTDIR)
                    std::fprintf(stderr, "bench-lifecycle: rmdir %s: %s\n", dir.c_str(),
                                 std::strerror(errno));
            }
            closedir(d);
        }
    }
    const std::string &uri() const { return uri_; }
    const std::string &binds() const { return binds_; }
    const std::string &pid() const { return pid_; }

  private:
    std::string pid_, uri_, state_root_, cgroup_parent_, binds_;
};

ct::Spec base_spec(const Options &o, const Scratch &s) {
    ct::Spec spec;
    spec.rootfs = o.rootfs;
    spec.process.args = {"/bin/true"};
    spec.process.env = {"PATH=/bin:/usr/bin"};
    if (o.limits) {
        spec.resources.memory = 64 << 20;
        spec.resources.pids = 100;
        spec.resources.cpu.shares = 512;
    }
    if (o.unconfined) {
        spec.process.capabilities = ct::Capabilities::all_sets({"all"});
        spec.seccomp = ct::SeccompSpec{true};
        spec.masked_paths = std::vector<std::string>{};
        spec.readonly_paths = std::vector<std::string>{};
    }
    if (o.binds) {
        spec.mounts.push_back({s.binds() + "/a", "/home", "bind", {"ro"}});
        spec.mounts.push_back({s.binds() + "/b", "/run", "bind", {"ro"}});
    }
    return spec;
}

// One API life cycle; phases appended to `ph` when it is not null.
void api_cycle(ct::Session &session, const Options &o, const Scratch &s, const ct::Spec &base,
               unsigned round, Phases *ph) {
    ct::Spec spec = base;
    spec.name = "b" + s.pid() + "-" + std::to_string(round);
    if (o.net) {
        ct::NetInterfaceSpec veth;
        veth.type = "veth";
        veth.name = "eth0";
        veth.host_name = "ctb" + s.pid() + "-" + std::to_string(round % 1000);
        veth.host_name.resize(std::min<size_t>(veth.host_name.size(), 15));
        veth.addresses = {"10.251.0.2/30"};
        spec.network.push_back(veth);
    }
    double cpu0 = ct::bench::cpu_self_and_children_ms();
    double t0 = now_ms();
    auto c = session.create(spec);
    double t1 = now_ms(), t2 = t1, t3 = t1;
    try {
        ct::StartOptions so;
        so.stdio = {-1, -1, -1};
        c.start(so);
        t2 = now_ms();
        auto st = c.wait();
        t3 = now_ms();
        if (st != ct::ExitStatus{false, 0})
            throw std::runtime_error("container " + spec.name + ": /bin/true ended with " +
                                     std::to_string(st.shell_code()));
    } catch (...) {
        c.destroy(true);
        throw;
    }
    c.destroy();
    double t4 = now_ms();
    double cpu1 = ct::bench::cpu_self_and_children_ms();
    if (!ph) return;
    ph->cpu.push_back(cpu1 - cpu0);
    ph->create.push_back(t1 - t0);
    ph->start.push_back(t2 - t1);
    ph->wait.push_back(t3 - t2);
    ph->destroy.push_back(t4 - t3);
    ph->total.push_back(t4 - t0);
}

void report(const Options &o, const Phases &ph) {
    const ct::bench::ExternalCommand *ref = nullptr;
    for (const auto &c : o.commands)
        if (c.name == o.ref) ref = &c;
    auto api = ct::bench::summarize(ph.total);
    if (o.json) {
        std::printf(
            "{\"iterations\":%u,\"warmup\":%u,\"rootfs\":%s,\"net\":%s,\"binds\":%s,"
            "\"limits\":%s,\"api\":{",
            o.iterations, o.warmup, ct::bench::json_quote(o.rootfs).c_str(),
            o.net ? "true" : "false", o.binds ? "true" : "false", o.limits ? "true" : "false");
        std::printf("\"create\":%s,", ct::bench::summary_json(ph.create).c_str());
        std::printf("\"start\":%s,", ct::bench::summary_json(ph.start).c_str());
        std::printf("\"wait\":%s,", ct::bench::summary_json(ph.wait).c_str());
        std::printf("\"destroy\":%s,", ct::bench::summary_json(ph.destroy).c_str());
        std::printf("\"total\":%s,\"cpu\":%s},\"reference\":%s,\"commands\":[",
                    ct::bench::summary_json(ph.total).c_str(),
                    ct::bench::summary_json(ph.cpu).c_str(), ct::bench::json_quote(o.ref).c_str());
        for (size_t k = 0; k < o.commands.size(); ++k) {
            const auto &c = o.commands[k];
            auto m = ct::bench::summarize(c.samples_ms);
            std::printf(
                "%s{\"name\":%s,\"api_over_this_median\":%.4f,\"summary\":%s,"
                "\"cpu\":%s}",
                k ? "," : "", ct::bench::json_quote(c.name).c_str(), api.median / m.median,
                ct::bench::summary_json(c.samples_ms).c_str(),
                ct::bench::summary_json(c.cpu_ms).c_str());
        }
        std::printf("]}\n");
        return;
    }
    std::printf("%u interleaved rounds (+%u warm-up): API life cycle%s%s%s", o.iterations, o.warmup,
                o.limits ? " with limits" : "", o.net ? " +veth" : "", o.binds ? " +2 binds" : "");
    for (const auto &c : o.commands) std::printf(", %s", c.name.c_str());
    std::printf("\n");
    std::vector<ct::bench::Series> series = {{"api.create", ph.create},
                                             {"api.start", ph.start},
                                             {"api.wait", ph.wait},
                                             {"api.destroy", ph.destroy},
                                             {"api.total", ph.total}};
    for (const auto &c : o.commands) series.push_back({c.name, c.samples_ms});
    series.push_back({"api.total (cpu)", ph.cpu});
    for (const auto &c : o.commands) series.push_back({c.name + " (cpu)", c.cpu_ms});
    ct::bench::print_table(series);
    if (!ref) return;
    auto rm = ct::bench::summarize(ref->samples_ms);
    std::printf("ratios of medians to %s: api.total %.3f", ref->name.c_str(),
                api.median / rm.median);
    for (const auto &c : o.commands)
        if (&c != ref)
            std::printf(", %s %.3f", c.name.c_str(),
                        ct::bench::summarize(c.samples_ms).median / rm.median);
    std::printf("\n");
    auto rc = ct::bench::summarize(ref->cpu_ms);
    std::printf("ratios of CPU time medians to %s: api.total %.3f", ref->name.c_str(),
                ct::bench::summarize(ph.cpu).median / rc.median);
    for (const auto &c : o.commands)
        if (&c != ref)
            std::printf(", %s %.3f", c.name.c_str(),
                        ct::bench::summarize(c.cpu_ms).median / rc.median);
    std::printf("\n");
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-lifecycle: %s\n%s", e.what(), kUsage);
        return 2;
    }
    struct sigaction sa {};
    sa.sa_handler = [](int) { g_stop = 1; };
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    Phases ph;
    try {
        if (access((o.rootfs + "/bin/true").c_str(), X_OK) < 0)
            throw std::runtime_error("rootfs " + o.rootfs +
                                     " has no executable /bin/true (make one with "
                                     "tools/mkrootfs-busybox.sh)");
        Scratch scratch(o);
        auto session = ct::Session::open(scratch.uri());
        ct::Spec base = base_spec(o, scratch);
        ct::bench::open_namespaces(o.commands);
        // Entry k of a round is the API cycle when k == api_slot, else a command; the order
        // rotates so that nothing always runs right after the same other thing.
        const size_t k = o.commands.size() + 1;
        for (unsigned round = 0; round < o.warmup + o.iterations && !g_stop; ++round) {
            bool timed = round >= o.warmup;
            for (size_t j = 0; j < k && !g_stop; ++j) {
                size_t slot = (round + j) % k;
                if (slot == o.commands.size()) {
                    api_cycle(session, o, scratch, base, round, timed ? &ph : nullptr);
                } else {
                    auto &c = o.commands[slot];
                    auto t = ct::bench::run_external(c, round);
                    if (timed) {
                        c.samples_ms.push_back(t.wall_ms);
                        c.cpu_ms.push_back(t.cpu_ms);
                    }
                }
            }
        }
        ct::bench::close_namespaces(o.commands);
        if (g_stop) throw std::runtime_error("interrupted");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-lifecycle: FAILED: %s\n", e.what());
        return 1;
    }
    report(o, ph);
    return 0;
}
