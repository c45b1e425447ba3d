#include "inner.hpp"

#include <dlfcn.h>

#include <cstring>

#include "ct/error.hpp"
#include "ct/session.hpp"

namespace ct::remote::agent {

const ct_backend *load_backend(const std::string &scheme) {
    // libct's discovery (search path, ABI checks, load errors); the chosen file is then
    // already loaded, and dlopen only hands back its handle.
    std::string found, errors;
    for (const auto &bi : list_backends()) {
        found += (found.empty() ? "" : ", ") + bi.name;
        if (!bi.load_error.empty()) {
            errors += "; " + bi.path + ": " + bi.load_error;
            continue;
        }
        bool serves = bi.name == scheme;
        for (const auto &s : bi.schemes) serves = serves || s == scheme;
        if (!serves || bi.name == "remote") continue;
        void *h = ::dlopen(bi.path.c_str(), RTLD_NOW | RTLD_LOCAL);
        auto entry = h ? reinterpret_cast<ct_backend_entry_fn>(::dlsym(h, CT_BACKEND_ENTRY_SYMBOL))
                       : nullptr;
        const ct_backend *d = entry ? entry() : nullptr;
        if (!d || d->abi_major != CT_DRIVER_ABI_MAJOR || d->size < CT_BACKEND_MIN_SIZE_1_0 ||
            !d->ops.open)
            throw Error(Errc::abi, "backend file " + bi.path + " cannot be used by ct-agent");
        return d;
    }
    std::string dirs;
    for (const auto &d : backend_search_path()) dirs += (dirs.empty() ? "" : ", ") + d;
    throw Error(Errc::abi, "no backend serves URI scheme '" + scheme + "' on this host (searched " +
                               dirs + "; found " + (found.empty() ? "no backend" : found) + ")" +
                               errors);
}

}  // namespace ct::remote::agent
