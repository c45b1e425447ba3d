#include "log.hpp"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

namespace ct::oci {
namespace {

std::string now_rfc3339() {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    ::gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
    return buf;
}

// Go's %q-like quoting for the text format: what logrus writes.
std::string quoted(const std::string &s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_all(int fd, const std::string &line) {
    size_t off = 0;
    while (off < line.size()) {
        ssize_t n = ::write(fd, line.data() + off, line.size() - off);
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

}  // namespace

void Log::write(const char *level, const std::string &msg) const {
    if (path_.empty()) return;
    std::string line;
    if (format_ == "json")
        line = nlohmann::json{{"level", level}, {"msg", msg}, {"time", now_rfc3339()}}.dump(
                   -1, ' ', false, nlohmann::json::error_handler_t::replace) +
               "\n";
    else
        line = "time=\"" + now_rfc3339() + "\" level=" + level + " msg=" + quoted(msg) + "\n";
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    write_all(fd, line);
    ::close(fd);
}

std::string Log::check() const {
    if (path_.empty()) return "";
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return std::strerror(errno);
    ::close(fd);
    return "";
}

void Log::error(const std::string &msg) const {
    write("error", msg);
    write_all(2, "ct-oci: " + msg + "\n");
}

void Log::warning(const std::string &msg) const {
    write("warning", msg);
}

void Log::debug(const std::string &msg) const {
    if (debug_) write("debug", msg);
}

}  // namespace ct::oci
