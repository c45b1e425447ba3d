// Finds, loads (Boost.DLL) and checks backend shared objects. Loaded backends are never
// unloaded (boostorg/dll#74: unloading code whose static objects or threads are still alive is
// a crash waiting to happen), so descriptors stay valid for the life of the process.
#pragma once

#include <string>
#include <vector>

#include "ct/driver.h"
#include "ct/info.hpp"
#include "ct/internal/uri.hpp"

namespace ct::loader {

using uri::Uri;

struct LoadedBackend {
    std::string name;  // from the file name ct-backend-<name>.so
    std::string path;
    const ct_backend *desc = nullptr;  // null when `error` is set
    std::string error;                 // why the file cannot be used
};

// Directories searched, in order: $CT_BACKEND_PATH (colon list), the directory of libct.so +
// "/ct/backends" (the build tree and relocated installs), the configured install directory.
std::vector<std::string> search_path();

// Loads one file (cached: a file is opened once per process). Never throws: failures are
// recorded in LoadedBackend::error with the file named.
const LoadedBackend &load_file(const std::string &path);

// Checks a descriptor against this libct's ABI. Returns an empty string when usable, else why
// not (without the file name).
std::string check_descriptor(const ct_backend *d);

// Every ct-backend-*.so in the search path; the first file of each name wins.
std::vector<const LoadedBackend *> discover();

// The backend serving a URI. Fast path: ct-backend-<backend>.so; otherwise every backend is
// asked. Throws ct::Error(abi) naming the scheme, every directory searched and load errors.
const LoadedBackend &for_uri(const Uri &uri);

// Public description of a loaded (or failed) backend.
BackendInfo describe(const LoadedBackend &lb);

}  // namespace ct::loader
