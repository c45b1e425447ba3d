#include "criu/options.hpp"

#include "ct/internal/document.hpp"

namespace ct::linux_native::criu {
namespace {

nlohmann::json object(const std::string &doc, const char *what) {
    auto j = doc::parse(doc, what);
    if (!j.is_object())
        throw Error(Errc::invalid_argument, std::string(what) + ": not a JSON object");
    return j;
}

template <class T>
void field(const nlohmann::json &j, const char *what, const char *key, T &out) {
    auto it = j.find(key);
    if (it == j.end()) return;
    try {
        out = it->get<T>();
    } catch (const std::exception &) {
        throw Error(Errc::invalid_argument,
                    std::string(what) + ": field '" + key + "' has the wrong type");
    }
}

void only(const nlohmann::json &j, const char *what, std::initializer_list<const char *> keys) {
    for (const auto &[k, v] : j.items()) {
        bool known = false;
        for (const char *n : keys) known |= k == n;
        if (!known)
            throw Error(Errc::invalid_argument, std::string(what) + ": unknown field '" + k + "'");
    }
}

void check_dir(const std::string &dir, const char *what) {
    if (dir.empty() || dir[0] != '/')
        throw Error(Errc::invalid_argument,
                    std::string(what) + ": the image directory must be an absolute path, not '" +
                        dir + "'");
}

}  // namespace

CheckpointOptions parse_checkpoint_options(const std::string &doc) {
    const char *what = "checkpoint options";
    auto j = object(doc, what);
    only(j, what, {"dir", "leave_running", "tcp_established", "file_locks"});
    CheckpointOptions o;
    field(j, what, "dir", o.dir);
    field(j, what, "leave_running", o.leave_running);
    field(j, what, "tcp_established", o.tcp_established);
    field(j, what, "file_locks", o.file_locks);
    check_dir(o.dir, what);
    return o;
}

RestoreOptions parse_restore_options(const std::string &doc) {
    const char *what = "restore options";
    auto j = object(doc, what);
    only(j, what, {"dir", "detach", "stdio", "console_socket", "spec"});
    RestoreOptions o;
    field(j, what, "dir", o.dir);
    field(j, what, "detach", o.detach);
    field(j, what, "stdio", o.stdio);
    field(j, what, "console_socket", o.console_socket);
    if (auto it = j.find("spec"); it != j.end()) {
        if (!it->is_object())
            throw Error(Errc::invalid_argument, std::string(what) +
                                                    ": field 'spec' is not a "
                                                    "spec document (an object)");
        try {
            o.spec = doc::spec_from_json(*it);
        } catch (const Error &e) {
            throw Error(e.code(), std::string(what) + ": spec: " + e.what());
        }
    }
    check_dir(o.dir, what);
    return o;
}

std::string mount_target(const MountSpec &m) {
    auto p = m.target.find_first_not_of('/');
    return "/" + (p == std::string::npos ? std::string() : m.target.substr(p));
}

std::string root_bind_dir(const std::string &state_dir) {
    return state_dir + "/criu-root";
}

std::string mount_key(size_t index) {
    return "ct-mnt-" + std::to_string(index);
}

namespace {
std::string hierarchy_dir(const std::string &hierarchy) {
    return hierarchy.rfind("name=", 0) == 0 ? hierarchy.substr(5) : hierarchy;
}
}  // namespace

std::string cgroup_mount_target(const MountSpec &m, const std::string &hierarchy) {
    std::string base = mount_target(m);
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    return (base == "/" ? "" : base) + "/" + hierarchy_dir(hierarchy);
}

std::string cgroup_mount_key(size_t index, const std::string &hierarchy) {
    std::string key = mount_key(index) + "-" + hierarchy_dir(hierarchy);
    for (char &c : key)
        if (c == ',') c = '_';  // "cpu,cpuacct"
    return key;
}

}  // namespace ct::linux_native::criu
