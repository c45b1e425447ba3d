// The OpenVZ kernel's files the backend reads for stats, ps and list
// (backends/openvz/procfs.cpp: /proc/vz/veinfo, /proc/user_beancounters, /proc/<pid>/status;
// vestat.cpp: /proc/vz/vestat and the HZ its uptime columns give), what the tools print
// (status.cpp: vzctl status and vzlist of both generations; generation.cpp: vzctl --version),
// and what a container's terminal shows through vzctl enter (enter_filter.cpp). A kernel of
// another version, a
// file read while it changes, or a process inside a container naming itself gives text of any
// shape: a parser returns what it understood or throws ct::Error, and so do `ct stats` and
// `ct ps` over it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ct/error.hpp"
#include "ct/internal/document.hpp"
#include "enter_filter.hpp"
#include "generation.hpp"
#include "openvz_host.hpp"
#include "procfs.hpp"
#include "status.hpp"
#include "vestat.hpp"

namespace {

namespace vz = ct::openvz;

template <class F>
void refused_with_ct_error(F &&parse) {
    try {
        parse();
    } catch (const ct::Error &) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    refused_with_ct_error([&] { (void)vz::parse_veinfo(text); });
    refused_with_ct_error([&] { (void)vz::kernel_hz(vz::parse_vestat(text)); });
    refused_with_ct_error([&] { (void)vz::parse_vzctl_version(text); });
    for (auto g : {vz::Generation::legacy, vz::Generation::vz7}) {
        refused_with_ct_error([&] { (void)vz::parse_vzlist({0, text, ""}, g); });
        refused_with_ct_error([&] { (void)vz::parse_vzlist({0, "", text}, g); });
    }
    {
        // The filter keeps its promise: never more out than n + kMaxMarker per feed.
        vz::EnterFilter f("__libct_begin_0123456789abcdef", "__libct_end_0123456789abcdef:");
        static char out[1 << 16];
        size_t n = size < sizeof out - vz::EnterFilter::kKeep - vz::EnterFilter::kMaxMarker
                       ? size
                       : sizeof out - vz::EnterFilter::kKeep - vz::EnterFilter::kMaxMarker;
        if (f.feed(text.data(), n, out) > n + vz::EnterFilter::kMaxMarker)
            ct::fuzz::fail("EnterFilter::feed wrote more than it may");
        if (f.finish(out) > vz::EnterFilter::kKeep + vz::EnterFilter::kMaxMarker)
            ct::fuzz::fail("EnterFilter::finish wrote more than it may");
        (void)f.wait_status(0);
    }
    refused_with_ct_error([&] { (void)vz::parse_user_beancounters(text); });
    (void)vz::parse_proc_status(text);
    refused_with_ct_error([&] { (void)vz::parse_vzctl_status(text, "101"); });

    // Container 101 running; the input is its beancounters and the status of a process of it.
    // vestat and veinfo stay well-formed, so that stats gets as far as the beancounters.
    static ct::fuzz::VzHost host("mounted running");
    static const bool once = [] {
        host.put("/proc/vz/vestat",
                 "Version: 2.2\n      VEID user nice system uptime idle strv uptime used maxlat "
                 "totlat numsched\n       101 4172 25 2951 61389733 1464614327556 0 "
                 "61389733402981 24467630448 0 0 0\n");
        host.put("/proc/vz/veinfo", "       101     0    31   10.0.1.101\n");
        return true;
    }();
    (void)once;
    host.put("/proc/user_beancounters", text);
    host.put("/proc/4242/status", text);
    refused_with_ct_error([&] {
        (void)ct::doc::stats_from_json(nlohmann::json::parse(host.session().stats("101")));
    });
    refused_with_ct_error([&] {
        (void)ct::doc::processes_from_json(nlohmann::json::parse(host.session().processes("101")));
    });
    return 0;
}
