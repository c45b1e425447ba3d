// The public JSON forms (ct/json.hpp): the same documents that cross the driver boundary.
#include "ct/json.hpp"

#include "ct/internal/document.hpp"

namespace ct {

using nlohmann::json;

std::string to_json(const Spec &spec) {
    return doc::spec_to_json(spec).dump();
}
std::string to_json(const ContainerInfo &info) {
    return doc::info_to_json(info).dump();
}

std::string to_json(const std::vector<ContainerInfo> &list) {
    json a = json::array();
    for (const auto &i : list) a.push_back(doc::info_to_json(i));
    return a.dump();
}

std::string to_json(const Stats &stats) {
    return doc::stats_to_json(stats).dump();
}

std::string to_json(const std::vector<ProcessInfo> &processes) {
    return doc::processes_to_json(processes).dump();
}

std::string to_json(const std::vector<BackendInfo> &backends) {
    json a = json::array();
    for (const auto &b : backends) {
        json o{{"name", b.name}, {"path", b.path}, {"loaded", b.load_error.empty()}};
        if (b.load_error.empty()) {
            o["version"] = b.version;
            o["description"] = b.description;
            o["abi"] = std::to_string(b.abi_major) + "." + std::to_string(b.abi_minor);
            o["schemes"] = b.schemes;
            o["capabilities"] = b.capabilities;
            o["operations"] = b.operations;
        } else {
            o["error"] = b.load_error;
        }
        a.push_back(o);
    }
    return a.dump();
}

Spec spec_from_json(const std::string &text) {
    return doc::spec_from_json(doc::parse(text, "spec"));
}

std::string to_json(const SeccompSpec &profile) {
    return doc::seccomp_to_json(profile).dump();
}

std::optional<SeccompSpec> seccomp_from_json(const std::string &text) {
    return doc::seccomp_from_json(doc::parse(text, "seccomp profile"), "seccomp");
}

}  // namespace ct
