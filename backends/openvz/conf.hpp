// OpenVZ configuration files: /etc/vz/vz.conf and /etc/vz/conf/<CTID>.conf. Shell-style
// assignments, one a line: KEY="value", KEY='value' or KEY=value. '#' starts a comment, a key
// given twice keeps its last value (vzctl --save appends), and lines vzctl would not understand
// are skipped, as vzctl skips them (ctid.conf(5): "All unrecognized lines will be ignored").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ct/internal/beancounters.hpp"

namespace ct::openvz {

class Conf {
  public:
    static Conf parse(std::string_view text);
    // Reads and parses `path`; a missing file is an empty Conf when `optional`, else
    // Errc::not_found. Other read errors are Errc::backend.
    static Conf load(const std::string &path, bool optional = false);

    std::optional<std::string> get(const std::string &key) const;
    std::string get_or(const std::string &key, const std::string &fallback) const;
    const std::map<std::string, std::string> &values() const { return values_; }
    // 1-based numbers of the lines that were skipped as unrecognized (for diagnostics).
    const std::vector<int> &skipped_lines() const { return skipped_; }

  private:
    std::map<std::string, std::string> values_;
    std::vector<int> skipped_;
};

// Substitutes $VEID / ${VEID} (and the older $VE_ID) with the CTID, as vzctl does in VE_ROOT and
// VE_PRIVATE.
std::string expand_veid(const std::string &value, const std::string &ctid);

// A beancounter value of a CTID.conf (PHYSPAGES="0:262144", KMEMSIZE="14372700:14790164"),
// in the resource's unit; nullopt when malformed.
std::optional<ubc::Pair> conf_beancounter(const Conf &c, const std::string &name);

// Space-separated list values (IP_ADDRESS, NAMESERVER, SEARCHDOMAIN).
std::vector<std::string> split_words(const std::string &value);

// NETIF="ifname=eth0,mac=..,host_ifname=veth101.0,host_mac=..,bridge=vmbr0;ifname=eth1,..."
struct NetIf {
    std::string ifname, mac, host_ifname, host_mac, bridge;
};
std::vector<NetIf> parse_netif(const std::string &value);

}  // namespace ct::openvz
