// YAML spec files (api/src/specfile.cpp): what `ct create SPEC.yaml` and `ct run SPEC.yaml` read
// from a user's file. Any input either becomes a Spec or is refused with ct::Error; a spec it
// accepts must survive the trip to a backend (the JSON document) unchanged, or the container
// made would differ from the one the file describes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ct/error.hpp"
#include "ct/internal/document.hpp"
#include "ct/specfile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    ct::Spec spec;
    try {
        spec = ct::parse_spec_yaml(text, "fuzz.yaml");
    } catch (const ct::Error &) {
        return 0;
    }
    try {
        ct::validate_spec_file(spec, text, "fuzz.yaml");
    } catch (const ct::Error &) {
    }
    if (ct::doc::decode_spec(ct::doc::encode_spec(spec)) != spec) {
        std::fprintf(stderr, "spec changed on its way through the JSON document: %s\n",
                     ct::doc::encode_spec(spec).c_str());
        std::abort();
    }
    return 0;
}
