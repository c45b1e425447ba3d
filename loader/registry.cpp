#include "registry.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "ct/error.hpp"
#include "ct/internal/ops.hpp"
#include "elf_check.hpp"

#ifndef CT_INSTALL_BACKEND_DIR
#error "CT_INSTALL_BACKEND_DIR must be defined by the build"
#endif

namespace ct::loader {
namespace {

constexpr const char kPrefix[] = "ct-backend-";
constexpr const char kSuffix[] = ".so";

struct Cache {
    std::mutex mu;
    std::map<std::string, LoadedBackend *> by_path;  // leaked on purpose: never unloaded
};
Cache &cache() {
    static auto *c = new Cache;  // leaked: must outlive every static destructor that may call us
    return *c;
}

bool scheme_matches(const char *pattern, const Uri &uri) {
    std::string p = pattern;
    if (p.rfind("*+", 0) == 0) return !uri.transport.empty() && uri.transport == p.substr(2);
    return p == uri.scheme;
}

std::string name_from_file(const std::string &file) {
    std::string base = std::filesystem::path(file).filename().string();
    if (base.rfind(kPrefix, 0) != 0 || base.size() <= sizeof kPrefix - 1 + sizeof kSuffix - 1 ||
        base.compare(base.size() - (sizeof kSuffix - 1), sizeof kSuffix - 1, kSuffix) != 0)
        return {};
    return base.substr(sizeof kPrefix - 1,
                       base.size() - (sizeof kPrefix - 1) - (sizeof kSuffix - 1));
}

std::string dlerror_text(const std::exception &e) {
    // Boost.DLL reports "...failed (dlerror system message: <text>)"; keep the dlerror part.
    std::string w = e.what();
    auto p = w.find("dlerror system message: ");
    if (p == std::string::npos) return w;
    // ...and drop what Boost.DLL appends after it (")" or "): <strerror of a stale errno>").
    w = w.substr(p + 24);
    if (auto close = w.rfind(')'); close != std::string::npos) w.erase(close);
    return w;
}

std::string join(const std::vector<std::string> &v, const char *sep) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

}  // namespace

std::vector<std::string> search_path() {
    std::vector<std::string> dirs;
    auto add = [&](const std::string &d) {
        if (!d.empty() && std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
    };
    if (const char *env = std::getenv("CT_BACKEND_PATH")) {
        std::string s = env;
        size_t pos = 0;
        while (pos <= s.size()) {
            auto c = s.find(':', pos);
            add(s.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
            if (c == std::string::npos) break;
            pos = c + 1;
        }
    }
    // The directory of libct.so itself: makes the build tree and relocated installs work with
    // no environment variable.
    try {
        // Normalized: libct.so may have been found through an $ORIGIN/../.. RUNPATH.
        std::filesystem::path self = boost::dll::this_line_location().string();
        add((self.parent_path() / "ct" / "backends").lexically_normal().string());
    } catch (const std::exception &) {
    }
    add(CT_INSTALL_BACKEND_DIR);
    return dirs;
}

std::string check_descriptor(const ct_backend *d) {
    if (!d) return "its entry point returned no descriptor";
    if (d->abi_major != CT_DRIVER_ABI_MAJOR)
        return "it was built for driver ABI " + std::to_string(d->abi_major) + "." +
               std::to_string(d->abi_minor) + ", but this libct supports ABI " +
               std::to_string(CT_DRIVER_ABI_MAJOR) + ".x (" + std::to_string(CT_DRIVER_ABI_MAJOR) +
               "." + std::to_string(CT_DRIVER_ABI_MINOR) + ")";
    if (d->size < CT_BACKEND_MIN_SIZE_1_0)
        return "its descriptor is " + std::to_string(d->size) + " bytes, smaller than ABI 1.0's " +
               std::to_string(CT_BACKEND_MIN_SIZE_1_0);
    if (!d->name || !*d->name) return "its descriptor has no name";
    if (!d->schemes || !d->schemes[0]) return "its descriptor lists no URI scheme";
    if (!d->ops.open) return "it has no open operation, so no session can be made";
    return {};
}

const LoadedBackend &load_file(const std::string &path_in) {
    std::error_code ec;
    std::string path = std::filesystem::weakly_canonical(path_in, ec).string();
    if (ec) path = path_in;
    auto &c = cache();
    std::lock_guard lock(c.mu);
    if (auto it = c.by_path.find(path); it != c.by_path.end()) return *it->second;

    auto *lb = new LoadedBackend;
    lb->path = path;
    lb->name = name_from_file(path);
    c.by_path[path] = lb;
    if (std::string why = check_elf_bounds(path); !why.empty()) {
        lb->error = why;
        return *lb;
    }
    try {
        // rtld_now: an unresolved symbol fails here, with a message, not later with a crash.
        // rtld_local: two backends never see each other's internals.
        auto *lib = new boost::dll::shared_library(
            path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
        if (!lib->has(CT_BACKEND_ENTRY_SYMBOL)) {
            lb->error = std::string("it does not export the entry point '") +
                        CT_BACKEND_ENTRY_SYMBOL + "' (is it a libct backend?)";
            return *lb;  // the library stays loaded: unloading is never safe (see header)
        }
        auto entry = lib->get<const ct_backend *()>(CT_BACKEND_ENTRY_SYMBOL);
        const ct_backend *d = entry();
        lb->error = check_descriptor(d);
        if (lb->error.empty()) {
            if (lb->name != d->name) {
                lb->error = std::string("its descriptor names it '") + d->name +
                            "', but the file is named for '" + lb->name + "'";
            } else {
                lb->desc = d;
            }
        }
    } catch (const std::exception &e) {
        lb->error = "it cannot be loaded: " + dlerror_text(e);
    }
    return *lb;
}

std::vector<const LoadedBackend *> discover() {
    std::vector<const LoadedBackend *> out;
    std::set<std::string> names;
    for (const auto &dir : search_path()) {
        std::vector<std::string> files;
        if (DIR *d = opendir(dir.c_str())) {
            while (auto *e = readdir(d))
                if (!name_from_file(e->d_name).empty()) files.push_back(dir + "/" + e->d_name);
            closedir(d);
        }
        std::sort(files.begin(), files.end());
        for (const auto &f : files) {
            if (!names.insert(name_from_file(f)).second) continue;  // shadowed by an earlier dir
            out.push_back(&load_file(f));
        }
    }
    return out;
}

const LoadedBackend &for_uri(const Uri &uri) {
    auto serves = [&](const LoadedBackend &lb) {
        if (!lb.desc) return false;
        for (auto s = lb.desc->schemes; *s; ++s)
            if (scheme_matches(*s, uri)) return true;
        return false;
    };
    auto dirs = search_path();
    // Fast path, the common case: a plain scheme names its backend's file.
    if (uri.transport.empty()) {
        for (const auto &dir : dirs) {
            std::string f = dir + "/" + kPrefix + uri.backend + kSuffix;
            if (access(f.c_str(), F_OK) != 0) continue;
            const auto &lb = load_file(f);
            if (serves(lb)) return lb;
            if (!lb.error.empty())
                throw Error(Errc::abi, "backend '" + uri.backend + "' (" + lb.path +
                                           ") cannot be used: " + lb.error);
            break;
        }
    }
    std::vector<std::string> found, errors;
    for (const auto *lb : discover()) {
        if (serves(*lb)) return *lb;
        found.push_back(lb->name);
        if (!lb->error.empty()) errors.push_back(lb->path + ": " + lb->error);
    }
    std::string msg = "no backend serves URI scheme '" + uri.scheme + "' (searched " +
                      join(dirs, ", ") + "; found " +
                      (found.empty() ? std::string("no backend") : join(found, ", ")) + ")";
    if (!errors.empty()) msg += "; load errors: " + join(errors, "; ");
    throw Error(Errc::abi, msg);
}

BackendInfo describe(const LoadedBackend &lb) {
    BackendInfo bi;
    bi.name = lb.name;
    bi.path = lb.path;
    bi.load_error = lb.error;
    if (!lb.desc) return bi;
    const ct_backend *d = lb.desc;
    bi.version = d->version ? d->version : "";
    bi.description = d->description ? d->description : "";
    bi.abi_major = d->abi_major;
    bi.abi_minor = d->abi_minor;
    for (auto s = d->schemes; *s; ++s) bi.schemes.push_back(*s);
    static const std::pair<uint64_t, const char *> kCaps[] = {
        {CT_CAP_NAMESPACES, "namespaces"},
        {CT_CAP_CGROUPS, "cgroups"},
        {CT_CAP_USERNS, "userns"},
        {CT_CAP_NETWORK, "network"},
        {CT_CAP_EXEC, "exec"},
        {CT_CAP_PAUSE, "pause"},
        {CT_CAP_UPDATE, "update"},
        {CT_CAP_STATS, "stats"},
        {CT_CAP_CHECKPOINT, "checkpoint"},
        {CT_CAP_MIGRATE, "migrate"},
        {CT_CAP_REMOTE, "remote"},
        {CT_CAP_PERSISTENT_STATE, "persistent-state"}};
    for (const auto &[bit, name] : kCaps)
        if (d->caps & bit) bi.capabilities.push_back(name);
    for (const auto &slot : ops::kSlots)
        if (ops::has_slot(d, slot.offset)) bi.operations.push_back(slot.name);
    return bi;
}

}  // namespace ct::loader
