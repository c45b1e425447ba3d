// config.json's hooks -> the spec's: the same six points, the same fields.
#include "config_parts.hpp"

namespace ct::oci {
namespace {

std::vector<Hook> list_from(const Node &hooks, const char *key) {
    std::vector<Hook> out;
    for (const auto &h : hooks.items(key)) {
        Hook hook;
        hook.path = h.str("path");
        if (hook.path.empty()) h.fail("path", "is required");
        hook.args = h.strings("args");
        hook.env = h.strings("env");
        if (auto t = h.int64("timeout")) {
            // The OCI spec: a timeout, when given, is greater than zero.
            if (*t <= 0 || *t > 86400) h.fail("timeout", "must be 1..86400 seconds");
            hook.timeout = static_cast<uint32_t>(*t);
        }
        out.push_back(std::move(hook));
    }
    return out;
}

}  // namespace

Hooks hooks_from_config(const Node &hooks) {
    Hooks h;
    h.prestart = list_from(hooks, "prestart");
    h.create_runtime = list_from(hooks, "createRuntime");
    h.create_container = list_from(hooks, "createContainer");
    h.start_container = list_from(hooks, "startContainer");
    h.poststart = list_from(hooks, "poststart");
    h.poststop = list_from(hooks, "poststop");
    return h;
}

}  // namespace ct::oci
