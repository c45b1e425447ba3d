#include "session/state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

#include "ct/internal/document.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

constexpr const char kStateFile[] = "state.json";
constexpr const char kExitFile[] = "exit";

nlohmann::json to_json(const ContainerState &s) {
    nlohmann::json j{{"version", 1},
                     {"spec", doc::spec_to_json(s.spec)},
                     {"status", s.status},
                     {"created", s.created},
                     {"pid", s.pid},
                     {"pid_start", s.pid_start},
                     {"monitor_pid", s.monitor_pid},
                     {"monitor_start", s.monitor_start},
                     {"cgroups", s.cgroups}};
    if (s.exit_wstatus) j["exit_wstatus"] = *s.exit_wstatus;
    return j;
}

ContainerState from_json(const nlohmann::json &j) {
    ContainerState s;
    s.spec = doc::spec_from_json(j.at("spec"));
    s.status = j.at("status").get<std::string>();
    s.created = j.value("created", int64_t{0});
    s.pid = j.value("pid", int64_t{0});
    s.pid_start = j.value("pid_start", 0ULL);
    s.monitor_pid = j.value("monitor_pid", int64_t{0});
    s.monitor_start = j.value("monitor_start", 0ULL);
    if (j.contains("exit_wstatus")) s.exit_wstatus = j.at("exit_wstatus").get<int>();
    if (j.contains("cgroups")) s.cgroups = j.at("cgroups").get<ContainerCgroups::Paths>();
    return s;
}

void mkdir_p(const std::string &path, mode_t mode) {
    std::string cur;
    std::istringstream in(path);
    std::string comp;
    while (std::getline(in, comp, '/')) {
        if (comp.empty()) continue;
        cur += "/" + comp;
        if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST)
            throw_sys("create state directory " + cur, errno);
    }
}

}  // namespace

StateStore::StateStore(std::string root) : root_(std::move(root)) {
    mkdir_p(root_, 0700);
}

void StateStore::Entry::save() const {
    write_file_atomic(fd_.get(), dir_, kStateFile, to_json(state).dump());
}

std::optional<int> StateStore::Entry::read_exit_file() const {
    std::string text;
    if (!read_file(dir_ + "/" + kExitFile, text) || text.empty()) return std::nullopt;
    return std::atoi(text.c_str());
}

StateStore::Entry StateStore::create(const std::string &name) const {
    Entry e;
    e.dir_ = root_ + "/" + name;
    if (::mkdir(e.dir_.c_str(), 0700) != 0) {
        if (errno == EEXIST)
            throw Error(Errc::exists, "container '" + name + "' already exists (" + e.dir_ + ")");
        throw_sys("create state directory " + e.dir_, errno);
    }
    e.fd_.reset(::open(e.dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!e.fd_ || ::flock(e.fd_.get(), LOCK_EX) != 0) {
        int err = errno;
        ::rmdir(e.dir_.c_str());
        throw_sys("lock state directory " + e.dir_, err);
    }
    return e;
}

StateStore::Entry StateStore::open(const std::string &name, bool lock) const {
    Entry e;
    e.dir_ = root_ + "/" + name;
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        throw Error(Errc::invalid_argument, "'" + name + "' is not a container name");
    e.fd_.reset(::open(e.dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!e.fd_) {
        if (errno == ENOENT)
            throw Error(Errc::not_found,
                        "no container named '" + name + "' (state root " + root_ + ")");
        throw_sys("open state directory " + e.dir_, errno);
    }
    if (lock && ::flock(e.fd_.get(), LOCK_EX) != 0) throw_sys("lock " + e.dir_, errno);
    std::string text;
    if (!read_file(e.dir_ + "/" + kStateFile, text)) {
        // Created but not yet written (a create in progress, or one that crashed mid-way).
        throw Error(Errc::not_found, "container '" + name + "' has no state file in " + e.dir_ +
                                         " (being created, or left over by a crash: remove "
                                         "the directory)");
    }
    try {
        e.state = from_json(nlohmann::json::parse(text));
    } catch (const std::exception &ex) {
        throw Error(Errc::backend,
                    "corrupt state file " + e.dir_ + "/" + kStateFile + ": " + ex.what());
    }
    return e;
}

void StateStore::remove(const std::string &name) const {
    std::string dir = root_ + "/" + name;
    for (const char *f : {kStateFile, kExitFile})
        if (::unlink((dir + "/" + f).c_str()) != 0 && errno != ENOENT)
            throw_sys("remove " + dir + "/" + f, errno);
    // Leftover temp files of an interrupted atomic write.
    if (DIR *d = ::opendir(dir.c_str())) {
        while (auto *ent = ::readdir(d))
            if (ent->d_name[0] == '.' && std::string(ent->d_name) != "." &&
                std::string(ent->d_name) != "..")
                ::unlinkat(dirfd(d), ent->d_name, 0);
        ::closedir(d);
    }
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) throw_sys("remove " + dir, errno);
}

std::vector<std::string> StateStore::names() const {
    std::vector<std::string> out;
    DIR *d = ::opendir(root_.c_str());
    if (!d) {
        if (errno == ENOENT) return out;
        throw_sys("list state root " + root_, errno);
    }
    while (auto *ent = ::readdir(d))
        if (ent->d_name[0] != '.' && ent->d_type == DT_DIR) out.push_back(ent->d_name);
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ct::linux_native
