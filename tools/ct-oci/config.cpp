#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "config_parts.hpp"
#include "ct/error.hpp"

namespace ct::oci {
namespace {

constexpr size_t kMaxConfig = 4 << 20;

std::string errstr(int e) {
    return std::strerror(e);
}

// Text as a path component of the bundle: "rootfs" -> "<bundle>/rootfs".
std::string in_bundle(const BundleContext &ctx, const std::string &p) {
    return p.empty() || p[0] == '/' ? p : ctx.bundle + "/" + p;
}

}  // namespace

json read_config(const std::string &bundle) {
    std::string path = bundle + "/config.json";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        throw Error(e == ENOENT ? Errc::not_found : Errc::invalid_spec,
                    "bundle " + bundle + ": config.json: " + errstr(e), e);
    }
    std::string text;
    struct stat st;
    bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular && static_cast<size_t>(st.st_size) <= kMaxConfig) {
        char buf[65536];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() <= kMaxConfig)
            text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    if (!regular) throw Error(Errc::invalid_spec, path + ": not a regular file");
    if (text.size() > kMaxConfig || static_cast<size_t>(st.st_size) > kMaxConfig)
        throw Error(Errc::invalid_spec, path + ": larger than the 4 MiB a config.json may have");
    try {
        return json::parse(text);
    } catch (const json::exception &e) {
        throw Error(Errc::invalid_spec, path + ": not valid JSON: " + e.what());
    }
}

void check_version(const std::string &v, const std::string &origin) {
    // 1.0.x, 1.1.x, 1.2.x, with a pre-release or build suffix ("1.0.2-dev").
    bool ok = v.size() >= 5 && v.compare(0, 2, "1.") == 0 && v[2] >= '0' && v[2] <= '2' &&
              v[3] == '.' && std::isdigit(static_cast<unsigned char>(v[4]));
    for (size_t i = 5; ok && i < v.size() && v[i] != '-' && v[i] != '+'; ++i)
        ok = std::isdigit(static_cast<unsigned char>(v[i]));
    if (v.empty())
        throw Error(Errc::invalid_spec, origin + ": ociVersion: is required (1.0.0 to 1.2.x)");
    if (!ok)
        throw Error(Errc::invalid_spec, origin + ": ociVersion: '" + v +
                                            "' is not a version this runtime implements "
                                            "(1.0.0 to 1.2.x)");
}

std::string cgroup_path(const std::string &p, bool systemd, const std::string &origin) {
    if (p.empty() || !systemd || p.find(':') == std::string::npos) return p;
    // slice:prefix:name, as runc's systemd driver reads it: the scope prefix-name.scope in the
    // slice, whose parents come from its name (a-b.slice is in a.slice).
    auto c1 = p.find(':'), c2 = p.find(':', c1 + 1);
    if (c2 == std::string::npos || p.find(':', c2 + 1) != std::string::npos)
        throw Error(Errc::invalid_spec,
                    origin + ": linux.cgroupsPath: '" + p + "' is not slice:prefix:name");
    std::string slice = p.substr(0, c1), prefix = p.substr(c1 + 1, c2 - c1 - 1),
                name = p.substr(c2 + 1);
    if (slice.empty() || slice == "-.slice") slice = "";
    std::string dir;
    if (!slice.empty()) {
        if (slice.size() < 7 || slice.compare(slice.size() - 6, 6, ".slice") != 0)
            throw Error(Errc::invalid_spec,
                        origin + ": linux.cgroupsPath: '" + slice + "' is not a .slice");
        std::string base = slice.substr(0, slice.size() - 6);
        for (size_t i = base.find('-'); i != std::string::npos; i = base.find('-', i + 1))
            dir += "/" + base.substr(0, i) + ".slice";
        dir += "/" + slice;
    }
    return dir + "/" + (prefix.empty() ? name : prefix + "-" + name) + ".scope";
}

Spec spec_from_config(const json &config, const BundleContext &ctx) {
    Node c(config, "config.json");
    check_version(c.str("ociVersion"), "config.json");
    Spec s;
    s.name = ctx.id;
    s.bundle = ctx.bundle;
    auto root = c.object("root");
    if (!root || root->str("path").empty())
        throw Error(Errc::invalid_spec, "config.json: root.path: is required");
    s.rootfs = in_bundle(ctx, root->str("path"));
    s.readonly_rootfs = root->boolean("readonly");
    auto process = c.object("process");
    if (!process)
        throw Error(Errc::invalid_spec, "config.json: process: is required to create a container");
    s.process = process_from_config(process->value(), "config.json", "process", ctx.warn);
    s.hostname = c.str("hostname");
    if (std::string d = c.str("domainname"); !d.empty()) s.sysctl["kernel.domainname"] = d;
    for (const auto &[k, v] : c.string_map("annotations")) s.annotations[k] = v;
    if (auto h = c.object("hooks")) s.hooks = hooks_from_config(*h);
    // What a bundle does not ask for it does not get: no namespace (the host's), no filter,
    // no masked paths (libct's defaults are for specs that say nothing).
    s.namespaces = std::vector<NamespaceSpec>{};
    s.seccomp = SeccompSpec{};
    s.seccomp->unconfined = true;
    s.masked_paths = std::vector<std::string>{};
    s.readonly_paths = std::vector<std::string>{};
    if (auto l = c.object("linux")) linux_from_config(*l, ctx, s);
    Namespaces ns;
    for (const auto &n : *s.namespaces) {
        if (!n.path.empty()) continue;
        ns.mount |= n.type == Namespace::mount;
        ns.net |= n.type == Namespace::net;
        ns.ipc |= n.type == Namespace::ipc;
    }
    s.mounts = mounts_from_config(c, ctx, ns);
    // Other platforms' sections are refused rather than silently run as Linux containers.
    for (auto key : {"windows", "solaris", "vm", "zos"}) c.refuse_set(key, "not a Linux bundle");
    return s;
}

}  // namespace ct::oci
