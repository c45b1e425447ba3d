#include "ct/spec.hpp"

#include <sys/wait.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "ct/error.hpp"
#include "ct/info.hpp"

namespace ct {

const char *namespace_name(Namespace ns) noexcept {
    switch (ns) {
        case Namespace::mount:
            return "mount";
        case Namespace::uts:
            return "uts";
        case Namespace::ipc:
            return "ipc";
        case Namespace::pid:
            return "pid";
        case Namespace::net:
            return "net";
        case Namespace::user:
            return "user";
        case Namespace::cgroup:
            return "cgroup";
        case Namespace::time:
            return "time";
    }
    return "?";
}

std::vector<NamespaceSpec> default_namespaces() {
    return {{Namespace::mount, {}}, {Namespace::uts, {}}, {Namespace::ipc, {}},
            {Namespace::pid, {}},   {Namespace::net, {}}, {Namespace::cgroup, {}}};
}

std::vector<NamespaceSpec> unprivileged_default_namespaces() {
    return {{Namespace::user, {}}, {Namespace::mount, {}}, {Namespace::pid, {}},
            {Namespace::uts, {}},  {Namespace::ipc, {}},   {Namespace::net, {}}};
}

std::vector<NamespaceSpec> Spec::effective_namespaces() const {
    return namespaces ? *namespaces : default_namespaces();
}

bool Spec::has_namespace(Namespace ns) const {
    if (!namespaces) return ns != Namespace::user && ns != Namespace::time;
    for (const auto &n : *namespaces)
        if (n.type == ns) return true;
    return false;
}

bool MountSpec::idmapped() const {
    for (const auto &o : options)
        if (o == "idmap" || o == "ridmap") return true;
    return !uid_map.empty() || !gid_map.empty();
}

bool MountSpec::idmap_recursive() const {
    for (const auto &o : options)
        if (o == "ridmap") return true;
    return false;
}

bool MountSpec::bidirectional() const {
    for (const auto &o : options)
        if (o == "bidirectional") return true;
    return false;
}

Capabilities Capabilities::all_sets(const std::vector<std::string> &names) {
    return Capabilities{names, names, names, names, names};
}

bool Capabilities::uniform() const {
    return effective == bounding && permitted == bounding && inheritable == bounding &&
           ambient == bounding;
}

const char *state_name(State s) noexcept {
    switch (s) {
        case State::created:
            return "created";
        case State::running:
            return "running";
        case State::paused:
            return "paused";
        case State::stopped:
            return "stopped";
        case State::incomplete:
            return "incomplete";
    }
    return "?";
}

ExitStatus ExitStatus::from_wait_status(int wstatus) {
    if (WIFSIGNALED(wstatus)) return {true, WTERMSIG(wstatus)};
    return {false, WEXITSTATUS(wstatus)};
}

int64_t parse_size(const std::string &text, const std::string &what) {
    auto bad = [&] {
        return Error(Errc::invalid_spec,
                     what + ": '" + text + "' is not a size (examples: 512k, 64M, 1G, -1)");
    };
    if (text == "-1" || text == "max" || text == "unlimited") return -1;
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) throw bad();
    errno = 0;
    char *end = nullptr;
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno) throw bad();
    std::string unit(end);
    for (auto &c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Accept k, kb, kib (and so on): container tools use binary units for all of them.
    if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();
    if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();
    unsigned shift = 0;
    if (unit.empty() || unit == "b")
        shift = 0;
    else if (unit == "k")
        shift = 10;
    else if (unit == "m")
        shift = 20;
    else if (unit == "g")
        shift = 30;
    else if (unit == "t")
        shift = 40;
    else
        throw bad();
    if (shift && v > (static_cast<unsigned long long>(INT64_MAX) >> shift)) throw bad();
    if (v > static_cast<unsigned long long>(INT64_MAX)) throw bad();
    return static_cast<int64_t>(v << shift);
}

}  // namespace ct
