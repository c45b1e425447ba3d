// The OpenVZ host's files, under the session's root: /proc/vz/{veinfo,vestat},
// /proc/user_beancounters, /proc/<pid>/status, /etc/vz/vz.conf, /etc/vz/conf/<CTID>.conf.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conf.hpp"
#include "ct/info.hpp"
#include "options.hpp"
#include "procfs.hpp"

namespace ct::openvz {

class Host {
  public:
    explicit Host(SessionOptions o) : o_(std::move(o)) {}
    const SessionOptions &options() const { return o_; }
    std::string path(const std::string &abs) const { return o_.host_path(abs); }

    // Throws Errc::unsupported "not an OpenVZ host: /proc/vz missing" (the path under root).
    void check_openvz() const;

    std::string conf_path(const std::string &ctid) const;
    std::string sample_path(const std::string &config) const;
    Conf vz_conf() const;  // empty when the file is missing
    std::optional<Conf> ct_conf(const std::string &ctid) const;

    std::vector<VeInfo> veinfo() const;
    std::map<std::string, VeStat> vestat() const;
    // The CPU's clock from /proc/cpuinfo, for vestat's cycle columns; nullopt when unknown.
    std::optional<uint64_t> cpu_hz() const;
    std::map<std::string, Beancounters> beancounters() const;
    // Every process whose /proc/<pid>/status says envID: <ctid>.
    std::vector<ProcessInfo> processes(const std::string &ctid) const;
    // The host pid of every container's init (its pid 1), by CTID.
    std::map<std::string, int64_t> init_pids() const;

    // Where libct keeps its own per-container state.
    std::string state_root() const { return path("/var/lib/ct/openvz"); }

  private:
    template <class F>
    void each_process(F &&fn) const;  // fn(host pid, status) for every /proc/<pid>/status
    std::string read(const std::string &abs) const;
    SessionOptions o_;
};

}  // namespace ct::openvz
