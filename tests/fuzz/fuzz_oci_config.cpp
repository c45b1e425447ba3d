// ct-oci's config.json decoder (tools/ct-oci/config*.cpp): a bundle's config.json, exec's
// process document and update's resources document come from whoever wrote the bundle. Each
// decoder either returns a value or throws ct::Error naming the field; a spec it returns is
// one libct's validator and its JSON document (what crosses the driver boundary) take: the
// validator answers with a value or a ct::Error, and the document reads back the same spec.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config.hpp"
#include "ct/error.hpp"
#include "ct/internal/document.hpp"

namespace {

using nlohmann::json;

template <class F>
void refused_with_ct_error(F &&decode) {
    try {
        decode();
    } catch (const ct::Error &) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return 0;
    for (bool systemd : {false, true}) {
        refused_with_ct_error([&] {
            ct::Spec s = ct::oci::spec_from_config(j, {"fuzz-id", "/bundle", systemd});
            if (ct::doc::spec_from_json(ct::doc::spec_to_json(s)) != s) {
                std::fprintf(stderr, "the decoded spec changed through its JSON document\n");
                std::abort();
            }
            refused_with_ct_error([&] { ct::validate(s); });
        });
    }
    refused_with_ct_error([&] {
        ct::ProcessSpec p = ct::oci::process_from_config(j, "process.json");
        (void)p;
    });
    refused_with_ct_error([&] {
        ct::Resources r = ct::oci::resources_from_config(j, "resources.json");
        refused_with_ct_error([&] { ct::validate(r); });
    });
    if (j.is_string()) {
        const std::string &v = j.get_ref<const std::string &>();
        refused_with_ct_error([&] { ct::oci::check_version(v, "config.json"); });
        refused_with_ct_error([&] { ct::oci::cgroup_path(v, true, "config.json"); });
        refused_with_ct_error([&] { ct::oci::cgroup_path(v, false, "config.json"); });
    }
    return 0;
}
