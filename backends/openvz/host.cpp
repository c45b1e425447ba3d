#include "host.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ct/error.hpp"

namespace ct::openvz {

void Host::check_openvz() const {
    struct stat st {};
    std::string vz = path("/proc/vz");
    if (::stat(vz.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(Errc::unsupported, "not an OpenVZ host: " + vz + " missing", ENOENT);
}

std::string Host::conf_path(const std::string &ctid) const {
    return path("/etc/vz/conf/" + ctid + ".conf");
}

std::string Host::sample_path(const std::string &config) const {
    return path("/etc/vz/conf/ve-" + config + ".conf-sample");
}

Conf Host::vz_conf() const {
    return Conf::load(path("/etc/vz/vz.conf"), true);
}

std::optional<Conf> Host::ct_conf(const std::string &ctid) const {
    try {
        return Conf::load(conf_path(ctid));
    } catch (const Error &e) {
        if (e.code() == Errc::not_found) return std::nullopt;
        throw;
    }
}

std::string Host::read(const std::string &abs) const {
    std::string p = path(abs);
    std::ifstream in(p, std::ios::binary);
    if (!in) throw Error(Errc::backend, "cannot read " + p + ": " + std::strerror(errno), errno);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<VeInfo> Host::veinfo() const {
    return parse_veinfo(read("/proc/vz/veinfo"));
}

std::map<std::string, VeStat> Host::vestat() const {
    return parse_vestat(read("/proc/vz/vestat"));
}

std::optional<uint64_t> Host::cpu_hz() const {
    try {
        return cpuinfo_hz(read("/proc/cpuinfo"));
    } catch (const Error &) {
        return std::nullopt;
    }
}

std::map<std::string, Beancounters> Host::beancounters() const {
    return parse_user_beancounters(read("/proc/user_beancounters"));
}

template <class F>
void Host::each_process(F &&fn) const {
    std::string proc = path("/proc");
    DIR *d = ::opendir(proc.c_str());
    if (!d) throw Error(Errc::backend, "cannot read " + proc + ": " + std::strerror(errno), errno);
    std::vector<std::string> pids;
    while (auto *e = ::readdir(d)) {
        std::string name = e->d_name;
        if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) pids.push_back(name);
    }
    ::closedir(d);
    for (const auto &name : pids) {
        std::ifstream in(proc + "/" + name + "/status");
        if (!in) continue;  // the process ended meanwhile
        std::ostringstream ss;
        ss << in.rdbuf();
        if (auto st = parse_proc_status(ss.str())) fn(std::stoll(name), *st);
    }
}

std::vector<ProcessInfo> Host::processes(const std::string &ctid) const {
    std::vector<ProcessInfo> out;
    each_process([&](int64_t pid, const ProcStatus &st) {
        if (st.envid == ctid) out.push_back({pid, st.vpid, st.name});
    });
    std::sort(out.begin(), out.end(),
              [](const ProcessInfo &a, const ProcessInfo &b) { return a.pid < b.pid; });
    return out;
}

std::map<std::string, int64_t> Host::init_pids() const {
    std::map<std::string, int64_t> out;
    each_process([&](int64_t pid, const ProcStatus &st) {
        if (st.envid != "0" && st.vpid == 1) out[st.envid] = pid;
    });
    return out;
}

}  // namespace ct::openvz
