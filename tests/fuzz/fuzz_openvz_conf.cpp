// OpenVZ configuration files (backends/openvz/conf.cpp): /etc/vz/vz.conf and the CTID.conf
// files that vzctl and people edit by hand, and the description `ct info` and `ct list` make
// of a container that vzctl created, from nothing but its conf (describe.cpp). Whatever the
// file holds, parsing skips what it does not understand, and describing the container either
// succeeds or throws ct::Error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "conf.hpp"
#include "ct/error.hpp"
#include "ct/internal/document.hpp"
#include "openvz_host.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    namespace vz = ct::openvz;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    vz::Conf c = vz::Conf::parse(text);
    for (const auto &[key, value] : c.values()) {
        (void)vz::expand_veid(value, "101");
        (void)vz::split_words(value);
    }
    for (const auto &k : ct::ubc::kKnown) (void)vz::conf_beancounter(c, k.name);
    (void)vz::parse_netif(c.get_or("NETIF", ""));

    static ct::fuzz::VzHost host("unmounted down");
    static const bool once = [] {
        host.put("/etc/vz/vz.conf", "VE_ROOT=/vz/root/$VEID\nVE_PRIVATE=/vz/private/$VEID\n");
        return true;
    }();
    (void)once;
    host.put("/etc/vz/conf/101.conf", text);
    try {
        auto info = ct::doc::info_from_json(nlohmann::json::parse(host.session().info("101")));
        if (info.name != "101") ct::fuzz::fail("described as " + info.name);
    } catch (const ct::Error &) {
    }
    return 0;
}
