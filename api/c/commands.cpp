// The commands around a mount (libct_fs_add_mount_with_actions) as the mount's hooks
// (MountSpec::hooks): the backend runs them in the container's mount namespace, right before
// and right after that mount, with the host's root still visible, as the historical library
// did.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "internal.hpp"

extern char **environ;

namespace ct::capi {
namespace {

// The absolute path execvp() would run for `path`, searched in the PATH of `env`.
std::string resolve_command(const std::string &path, const std::vector<std::string> &env,
                            const std::string &what) {
    if (path.find('/') != std::string::npos) {
        if (path[0] == '/') return path;
        char cwd[PATH_MAX];
        if (!::getcwd(cwd, sizeof cwd)) throw Failure(-errno, what + ": getcwd");
        return std::string(cwd) + "/" + path;
    }
    std::string search = "/bin:/usr/bin";  // execvp's default
    for (const auto &e : env)
        if (e.rfind("PATH=", 0) == 0) search = e.substr(5);
    for (size_t pos = 0; pos <= search.size();) {
        size_t colon = search.find(':', pos);
        if (colon == std::string::npos) colon = search.size();
        std::string dir = search.substr(pos, colon - pos);
        std::string cand = (dir.empty() ? std::string(".") : dir) + "/" + path;
        if (::access(cand.c_str(), X_OK) == 0) return resolve_command(cand, env, what);
        pos = colon + 1;
    }
    throw Failure(-LCTERR_CANTMOUNT, what + " " + path + ": not found in PATH (" + search + ")");
}

}  // namespace

std::vector<std::string> caller_env() {
    std::vector<std::string> out;
    for (char **e = environ; e && *e; ++e)
        if (std::strchr(*e, '=') && **e != '=') out.push_back(*e);
    return out;
}

std::vector<ct::Hook> mount_hooks(const struct libct_cmd *c, const std::string &what) {
    std::vector<ct::Hook> out;
    for (; c; c = c->next) {
        ct::Hook hk;
        std::string path = need_str(c->path, "libct_cmd.path");
        if (c->envp) {
            for (char **e = c->envp; *e; ++e)
                if (std::strchr(*e, '=') && **e != '=') hk.env.push_back(*e);
        } else {
            hk.env = caller_env();
        }
        hk.path = resolve_command(path, hk.env, what);
        for (char **a = c->argv; a && *a; ++a) hk.args.push_back(*a);
        if (hk.args.empty()) hk.args.push_back(path);
        // A hook has no working directory of its own: a shell enters `dir` first.
        if (c->dir) {
            std::vector<std::string> a = {"sh", "-c", "cd \"$0\" && exec \"$@\"", c->dir, hk.path};
            a.insert(a.end(), hk.args.begin() + 1, hk.args.end());
            hk.args = a;
            hk.path = "/bin/sh";
        }
        out.push_back(std::move(hk));
    }
    return out;
}

}  // namespace ct::capi
