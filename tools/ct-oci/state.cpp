#include "state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>

#include "config.hpp"

namespace ct::oci {
namespace {

// The state letter of /proc/<pid>/stat ('Z' for a zombie), 0 when there is no such process.
char proc_state(int64_t pid) {
    char path[64], buf[512];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    const char *paren = std::strrchr(buf, ')');  // the command may hold spaces and parentheses
    return paren && paren[1] == ' ' ? paren[2] : 0;
}

std::string rfc3339(int64_t t) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm;
    ::gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

std::string oci_status(const ContainerInfo &info) {
    // A step cut short by a crash (libct's "incomplete") is one an engine can only delete; so
    // is a create killed between libct's create and the spawn of the process that waits for
    // `start` (libct's "created" without a process: `start` cannot run it).
    if (info.state == State::stopped || info.state == State::incomplete) return "stopped";
    if (info.state == State::created && info.pid <= 0) return "stopped";
    if (info.pid > 0) {
        char s = proc_state(info.pid);
        if (s == 0 || s == 'Z' || s == 'X') return "stopped";
    }
    return state_name(info.state);
}

nlohmann::json state_json(const ContainerInfo &info) {
    std::string status = oci_status(info);
    nlohmann::json j{{"ociVersion", kSpecVersion}, {"id", info.name}};
    j["pid"] = status == "stopped" ? 0 : info.pid;
    j["status"] = status;
    j["bundle"] = info.spec.bundle;
    j["rootfs"] = info.spec.rootfs;
    j["created"] = rfc3339(info.created);
    j["owner"] = "";
    if (!info.spec.annotations.empty()) j["annotations"] = info.spec.annotations;
    return j;
}

}  // namespace ct::oci
