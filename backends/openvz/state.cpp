#include "state.hpp"

#include <signal.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ct/backend/sys.hpp"
#include "ct/error.hpp"
#include "ct/internal/document.hpp"

namespace ct::openvz {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> read_text(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_atomic(const std::string &path, const std::string &text) {
    backend::write_file_atomic(path, text);
}

void make_dirs(const std::string &dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(Errc::backend, "cannot create " + dir + ": " + ec.message(), ec.value());
}

}  // namespace

std::optional<CtState> StateStore::load(const std::string &ctid) const {
    auto text = read_text(dir(ctid) + "/state.json");
    if (!text) return std::nullopt;
    CtState s;
    try {
        auto j = nlohmann::json::parse(*text);
        s.created = j.value("created", int64_t{0});
        s.started = j.value("started", false);
        s.adopted = j.value("adopted", false);
        s.init_pid = j.value("init_pid", int64_t{0});
        if (j.contains("spec")) s.spec = doc::spec_from_json(j["spec"]);
    } catch (const std::exception &e) {
        throw Error(Errc::backend, dir(ctid) + "/state.json is damaged: " + e.what());
    }
    return s;
}

void StateStore::save(const std::string &ctid, const CtState &s) const {
    make_dirs(dir(ctid));
    nlohmann::json j{{"created", s.created},
                     {"started", s.started},
                     {"adopted", s.adopted},
                     {"init_pid", s.init_pid}};
    if (s.spec) j["spec"] = doc::spec_to_json(*s.spec);
    write_atomic(dir(ctid) + "/state.json", j.dump());
}

void StateStore::remove(const std::string &ctid) const {
    std::error_code ec;
    fs::remove_all(dir(ctid), ec);
    if (ec)
        throw Error(Errc::backend, "cannot remove " + dir(ctid) + ": " + ec.message(), ec.value());
}

void StateStore::prepare_processes(const std::string &ctid) const {
    make_dirs(dir(ctid) + "/proc");
}

void StateStore::add_process(const std::string &ctid, const Spawned &p) const {
    prepare_processes(ctid);
    // With its start time: the pid alone could be another process's by the time it is read.
    write_atomic(dir(ctid) + "/proc/" + std::to_string(p.pid) + ".monitor",
                 std::to_string(p.monitor) + " " +
                     std::to_string(backend::process_start_time(p.monitor)) + "\n");
}

std::optional<Monitor> StateStore::monitor_of(const std::string &ctid, int64_t pid) const {
    auto t = read_text(dir(ctid) + "/proc/" + std::to_string(pid) + ".monitor");
    if (!t) return std::nullopt;
    Monitor m;
    std::istringstream in(*t);
    if (!(in >> m.pid)) return std::nullopt;
    if (!(in >> m.start)) m.start = 0;  // a record of an older libct: the pid alone
    return m;
}

bool Monitor::alive() const {
    if (start) return backend::process_alive(pid, start);
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

std::string StateStore::exit_file(const std::string &ctid, int64_t pid) const {
    return dir(ctid) + "/proc/" + std::to_string(pid) + ".exit";
}

std::optional<int> StateStore::exit_status(const std::string &ctid, int64_t pid) const {
    auto t = read_text(exit_file(ctid, pid));
    if (!t || t->empty() || t->back() != '\n') return std::nullopt;  // written whole, by rename
    try {
        return std::stoi(*t);
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

void StateStore::forget_process(const std::string &ctid, int64_t pid) const {
    std::error_code ec;
    fs::remove(dir(ctid) + "/proc/" + std::to_string(pid) + ".monitor", ec);
    fs::remove(exit_file(ctid, pid), ec);
}

}  // namespace ct::openvz
