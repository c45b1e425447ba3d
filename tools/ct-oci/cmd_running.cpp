// pause, resume, update, events: a running container.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "config.hpp"
#include "ct/error.hpp"
#include "state.hpp"

namespace ct::oci {
namespace {

int64_t number(const std::string &text, const char *option) {
    char *end = nullptr;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end || errno)
        throw Error(Errc::invalid_argument,
                    std::string("--") + option + ": '" + text + "' is not a number");
    return v;
}

// update's single options, as runc's: the same meaning as --resources' fields.
Resources resources_from_flags(const CommandLine &cl) {
    Resources r;
    if (cl.has("memory")) r.memory = parse_size(cl.value("memory"), "--memory");
    if (cl.has("memory-swap")) r.memory_swap = parse_size(cl.value("memory-swap"), "--memory-swap");
    // runc's spelling is --cpu-share; --cpu-shares (Docker's) is taken too.
    for (const char *o : {"cpu-share", "cpu-shares"})
        if (cl.has(o)) r.cpu.shares = static_cast<uint64_t>(number(cl.value(o), o));
    if (cl.has("cpu-quota")) r.cpu.quota_us = number(cl.value("cpu-quota"), "cpu-quota");
    if (cl.has("cpu-period"))
        r.cpu.period_us = static_cast<uint64_t>(number(cl.value("cpu-period"), "cpu-period"));
    if (cl.has("cpuset-cpus")) r.cpu.cpus = cl.value("cpuset-cpus");
    if (cl.has("cpuset-mems")) r.cpu.mems = cl.value("cpuset-mems");
    if (cl.has("pids-limit")) {
        int64_t v = number(cl.value("pids-limit"), "pids-limit");
        r.pids = v <= 0 ? -1 : v;
    }
    if (cl.has("blkio-weight")) {
        int64_t w = number(cl.value("blkio-weight"), "blkio-weight");
        auto v = w < 0 ? std::nullopt : io_weight_of_blkio(static_cast<uint64_t>(w));
        if (!v)
            throw Error(Errc::invalid_argument, "--blkio-weight: " + std::to_string(w) +
                                                    " is not a blkio weight (10..1000)");
        if (*v) r.io_weight = *v;
    }
    if (cl.has("memory-reservation")) {
        int64_t v = parse_size(cl.value("memory-reservation"), "--memory-reservation");
        r.memory_reservation = v < 0 ? -1 : v;
    }
    if (cl.has("cpu-rt-period"))
        r.cpu.rt_period_us =
            static_cast<uint64_t>(number(cl.value("cpu-rt-period"), "cpu-rt-period"));
    if (cl.has("cpu-rt-runtime")) {
        int64_t v = number(cl.value("cpu-rt-runtime"), "cpu-rt-runtime");
        r.cpu.rt_runtime_us = v < 0 ? -1 : v;
    }
    for (auto opt : {"kernel-memory", "kernel-memory-tcp", "l3-cache-schema", "mem-bw-schema"})
        if (cl.has(opt))
            throw Error(Errc::unsupported,
                        std::string("update --") + opt + ": libct has no such limit");
    return r;
}

// runc's stats event ({"type": "stats", "id": ..., "data": {...}}): what containerd and
// `runc events --stats` readers expect.
nlohmann::json stats_event(const std::string &id, const Stats &s) {
    nlohmann::json data;
    data["cpu"] = {
        {"usage",
         {{"total", s.cpu.usage_ns}, {"kernel", s.cpu.system_ns}, {"user", s.cpu.user_ns}}},
        {"throttling", nlohmann::json::object()}};
    uint64_t limit = s.memory.limit < 0 ? UINT64_MAX : static_cast<uint64_t>(s.memory.limit);
    data["memory"] = {{"usage",
                       {{"usage", s.memory.usage},
                        {"max", s.memory.max_usage},
                        {"failcnt", s.memory.failcnt},
                        {"limit", limit}}}};
    data["pids"] = {{"current", s.pids.current},
                    {"limit", s.pids.limit < 0 ? 0 : static_cast<uint64_t>(s.pids.limit)}};
    data["blkio"] = nlohmann::json::object();
    nlohmann::json net = nlohmann::json::array();
    for (const auto &[name, n] : s.network)
        net.push_back({{"name", name},
                       {"rx_bytes", n.rx_bytes},
                       {"rx_packets", n.rx_packets},
                       {"tx_bytes", n.tx_bytes},
                       {"tx_packets", n.tx_packets}});
    if (!net.empty()) data["network_interfaces"] = net;
    return {{"type", "stats"}, {"id", id}, {"data", data}};
}

std::chrono::milliseconds interval(const std::string &text) {
    // Go durations as runc takes them: "5s", "500ms", "1m"; a plain number is seconds.
    char *end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    std::string unit = end ? end : "";
    double ms = unit == "ms"                  ? v
                : unit == "m"                 ? v * 60000
                : unit == "s" || unit.empty() ? v * 1000
                                              : -1;
    if (text.empty() || ms <= 0 || ms > 86400e3)
        throw Error(Errc::invalid_argument, "--interval: '" + text + "' is not a duration (5s)");
    return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

}  // namespace

int cmd_pause(Context &c) {
    c.container(c.id()).pause();
    return 0;
}

int cmd_resume(Context &c) {
    c.container(c.id()).resume();
    return 0;
}

int cmd_update(Context &c) {
    Container ct = c.container(c.id());
    Resources r;
    if (c.cl.has("resources")) {
        std::string path = c.cl.value("resources");
        std::string text;
        FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "re");
        if (!f)
            throw Error(Errc::not_found, "resources file " + path + ": " + std::strerror(errno),
                        errno);
        char buf[65536];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() < (1u << 20))
            text.append(buf, n);
        if (f != stdin) std::fclose(f);
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception &e) {
            throw Error(Errc::invalid_spec,
                        "resources file " + path + ": not valid JSON: " + e.what());
        }
        r = resources_from_config(j, path, "");
    }
    Resources flags = resources_from_flags(c.cl);
    // The single options win over the file, as runc's.
    if (flags.memory) r.memory = flags.memory;
    if (flags.memory_swap) r.memory_swap = flags.memory_swap;
    if (flags.pids) r.pids = flags.pids;
    if (flags.io_weight) r.io_weight = flags.io_weight;
    if (flags.cpu.shares) r.cpu.shares = flags.cpu.shares;
    if (flags.cpu.quota_us) r.cpu.quota_us = flags.cpu.quota_us;
    if (flags.cpu.period_us) r.cpu.period_us = flags.cpu.period_us;
    if (!flags.cpu.cpus.empty()) r.cpu.cpus = flags.cpu.cpus;
    if (!flags.cpu.mems.empty()) r.cpu.mems = flags.cpu.mems;
    if (flags.memory_reservation) r.memory_reservation = flags.memory_reservation;
    if (flags.cpu.rt_period_us) r.cpu.rt_period_us = flags.cpu.rt_period_us;
    if (flags.cpu.rt_runtime_us) r.cpu.rt_runtime_us = flags.cpu.rt_runtime_us;
    // A device list cannot be changed on a running container (libct applies it at create).
    if (!r.devices.empty())
        throw Error(Errc::unsupported,
                    "update: linux.resources.devices cannot be changed on a "
                    "running container");
    ct.update(r);
    return 0;
}

int cmd_events(Context &c) {
    std::string id = c.id();
    Container ct = c.container(id);
    if (c.cl.flag("stats")) {
        std::cout << stats_event(id, ct.stats()).dump() << std::endl;
        return 0;
    }
    auto every = interval(c.cl.value("interval", "5s"));
    for (;;) {
        std::string status = oci_status(ct.info());
        if (status == "stopped") return 0;
        std::cout << stats_event(id, ct.stats()).dump() << std::endl;
        std::this_thread::sleep_for(every);
    }
}

}  // namespace ct::oci
