// bench-exec-timer: times several command lines against each other, interleaved.
//
// Each command runs once per round, round after round, so a slow period of the machine (another
// job, writeback, the kernel's deferred network-namespace cleanup) hits every command alike
// instead of whichever happened to run then. The order inside a round rotates so no command is
// always the one that follows a particular other one.
//
// A command may run inside an existing mount namespace (--mntns FILE, e.g. a bind-mounted
// /proc/PID/ns/mnt): the child setns()es into it before exec, so the measured time has no extra
// nsenter/unshare process in it.

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "exec_run.hpp"
#include "stats.hpp"

namespace {

using ct::bench::now_ms;

const char kUsage[] =
    "usage: bench-exec-timer [-n N] [-w N] [--ref NAME] [--json]\n"
    "           --cmd NAME [--mntns FILE] -- ARG... \\; [--cmd NAME ... \\;]...\n"
    "Runs every command N times (default 100), round-robin, after W warm-up rounds\n"
    "(default 2, not counted). Each run is fork+exec+wait, timed with CLOCK_MONOTONIC; a\n"
    "non-zero exit status stops the benchmark with an error.\n"
    "  --cmd NAME      starts a command; its arguments follow '--' up to a lone ';' (or the end)\n"
    "  --mntns FILE    the child enters this mount namespace (setns) before exec\n"
    "  --ref NAME      ratios are relative to this command (default: the first)\n"
    "  --json          machine-readable output, with every sample\n"
    "In arguments, {i} is replaced by the round number (warm-up rounds included), which makes\n"
    "container names unique per run.\n";

using Command = ct::bench::ExternalCommand;
using ct::bench::UsageError;

struct Options {
    unsigned iterations = 100;
    unsigned warmup = 2;
    std::string ref;
    bool json = false;
    std::vector<Command> commands;
};

Options parse(int argc, char **argv) {
    Options o;
    int i = 1;
    auto value = [&](const char *opt) -> const char * {
        if (i + 1 >= argc) throw UsageError(std::string(opt) + " needs a value");
        return argv[++i];
    };
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else if (a == "-n" || a == "--iterations") {
            o.iterations = ct::bench::parse_count("--iterations", value("--iterations"));
        } else if (a == "-w" || a == "--warmup") {
            o.warmup = ct::bench::parse_count("--warmup", value("--warmup"));
        } else if (a == "--ref") {
            o.ref = value("--ref");
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--cmd") {
            o.commands.push_back(ct::bench::parse_command(argc, argv, i, o.commands));
        } else {
            throw UsageError("unknown argument '" + a + "'");
        }
    }
    if (o.commands.empty()) throw UsageError("no --cmd given");
    if (o.iterations == 0) throw UsageError("--iterations must be at least 1");
    if (o.ref.empty()) o.ref = o.commands.front().name;
    bool found = false;
    for (const auto &c : o.commands) found |= c.name == o.ref;
    if (!found) throw UsageError("--ref " + o.ref + ": no command of that name");
    return o;
}

void report_text(const Options &o) {
    std::vector<ct::bench::Series> series;
    for (const auto &c : o.commands) series.push_back({c.name, c.samples_ms});
    for (const auto &c : o.commands) series.push_back({c.name + " (cpu)", c.cpu_ms});
    std::printf("%u interleaved rounds (+%u warm-up), %zu commands\n", o.iterations, o.warmup,
                o.commands.size());
    ct::bench::print_table(series);
    const Command *ref = nullptr;
    for (const auto &c : o.commands)
        if (c.name == o.ref) ref = &c;
    auto rm = ct::bench::summarize(ref->samples_ms);
    for (const auto &c : o.commands) {
        if (&c == ref) continue;
        auto m = ct::bench::summarize(c.samples_ms);
        std::printf("%s/%s: median %.3f, p90 %.3f\n", c.name.c_str(), ref->name.c_str(),
                    m.median / rm.median, m.p90 / rm.p90);
    }
}

void report_json(const Options &o) {
    const Command *ref = nullptr;
    for (const auto &c : o.commands)
        if (c.name == o.ref) ref = &c;
    auto rm = ct::bench::summarize(ref->samples_ms);
    std::printf("{\"iterations\":%u,\"warmup\":%u,\"reference\":%s,\"commands\":[", o.iterations,
                o.warmup, ct::bench::json_quote(o.ref).c_str());
    for (size_t k = 0; k < o.commands.size(); ++k) {
        const auto &c = o.commands[k];
        auto m = ct::bench::summarize(c.samples_ms);
        std::string argv;
        for (const auto &a : c.args) argv += (argv.empty() ? "" : ",") + ct::bench::json_quote(a);
        std::printf(
            "%s{\"name\":%s,\"argv\":[%s],\"mntns\":%s,\"ratio_median\":%.4f,"
            "\"ratio_p90\":%.4f,\"summary\":%s,\"cpu\":%s}",
            k ? "," : "", ct::bench::json_quote(c.name).c_str(), argv.c_str(),
            ct::bench::json_quote(c.mntns).c_str(), m.median / rm.median, m.p90 / rm.p90,
            ct::bench::summary_json(c.samples_ms).c_str(),
            ct::bench::summary_json(c.cpu_ms).c_str());
    }
    std::printf("]}\n");
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-exec-timer: %s\n%s", e.what(), kUsage);
        return 2;
    }
    try {
        ct::bench::open_namespaces(o.commands);
        const size_t k = o.commands.size();
        for (unsigned round = 0; round < o.warmup + o.iterations; ++round) {
            for (size_t j = 0; j < k; ++j) {
                auto &c = o.commands[(round + j) % k];
                auto t = ct::bench::run_external(c, round);
                if (round >= o.warmup) {
                    c.samples_ms.push_back(t.wall_ms);
                    c.cpu_ms.push_back(t.cpu_ms);
                }
            }
        }
        ct::bench::close_namespaces(o.commands);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-exec-timer: FAILED: %s\n", e.what());
        return 1;
    }
    if (o.json)
        report_json(o);
    else
        report_text(o);
    return 0;
}
