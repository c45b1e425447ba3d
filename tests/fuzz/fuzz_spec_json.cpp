// The JSON documents that cross the driver boundary (api/src/document.cpp): specs from the
// public ct::spec_from_json and from frontends, process and resources documents, the info,
// stats and process-list documents a backend (possibly a remote host's) sends back, and
// linux-native's checkpoint/restore option documents and the ct-checkpoint.json of its images
// (which a migration brings from another host). Each decoder either returns a value or
// throws ct::Error; what it accepts must encode back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "criu/image.hpp"
#include "criu/options.hpp"
#include "ct/error.hpp"
#include "ct/internal/document.hpp"
#include "ct/json.hpp"

namespace {

using nlohmann::json;

template <class T, class Encode, class Decode>
void round_trip(const T &value, Encode encode, Decode decode, const char *what) {
    json j = encode(value);
    if (decode(j) != value) {
        std::fprintf(stderr, "%s changed on a round trip through JSON: %s\n", what,
                     j.dump().c_str());
        std::abort();
    }
}

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
    json j;
    try {
        j = ct::doc::parse(text, "fuzz document");
    } catch (const ct::Error &) {
        return 0;
    }
    refused_with_ct_error([&] {
        ct::Spec s = ct::doc::spec_from_json(j);
        round_trip(s, ct::doc::spec_to_json, ct::doc::spec_from_json, "spec");
        if (ct::spec_from_json(text) != s) std::abort();  // the public form reads the same
        try {
            ct::validate(s);
        } catch (const ct::Error &) {
        }
    });
    refused_with_ct_error([&] {
        ct::ProcessSpec p = ct::doc::process_from_json(j);
        round_trip(
            p, ct::doc::process_to_json,
            [](const json &e) { return ct::doc::process_from_json(e); }, "process");
    });
    refused_with_ct_error([&] {
        ct::Resources r = ct::doc::resources_from_json(j);
        round_trip(
            r, ct::doc::resources_to_json,
            [](const json &e) { return ct::doc::resources_from_json(e); }, "resources");
        try {
            ct::validate(r);
        } catch (const ct::Error &) {
        }
    });
    refused_with_ct_error([&] { ct::doc::info_from_json(j); });
    refused_with_ct_error([&] { ct::doc::stats_from_json(j); });
    refused_with_ct_error([&] { ct::doc::processes_from_json(j); });
    refused_with_ct_error([&] { ct::linux_native::criu::parse_checkpoint_options(text); });
    refused_with_ct_error([&] { ct::linux_native::criu::parse_restore_options(text); });
    refused_with_ct_error([&] {
        namespace criu = ct::linux_native::criu;
        // What is accepted is written back as it was read.
        std::string once = criu::meta_to_text(criu::meta_from_text(text, "fuzz"));
        if (criu::meta_to_text(criu::meta_from_text(once, "fuzz")) != once) {
            std::fprintf(stderr, "ct-checkpoint.json changed on a round trip: %s\n", once.c_str());
            std::abort();
        }
    });
    return 0;
}
