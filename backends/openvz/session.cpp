#include "session.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ct/internal/document.hpp"
#include "ctid.hpp"
#include "system_runner.hpp"

namespace ct::openvz {
namespace fs = std::filesystem;
namespace {

std::string join(const Argv &a) {
    std::string out;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string w = i == 0 ? fs::path(a[i]).filename().string() : a[i];
        out += (i ? " " : "") + shell_quote(w);
    }
    return out;
}

std::string last_line(const std::string &text) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

std::string find_tool(const SessionOptions &o, const std::string &name) {
    auto ok = [](const std::string &p) { return ::access(p.c_str(), X_OK) == 0; };
    if (!o.bin.empty()) return ok(o.bin + "/" + name) ? o.bin + "/" + name : "";
    const char *path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
    size_t pos = 0;
    while (pos <= dirs.size()) {
        auto colon = dirs.find(':', pos);
        std::string d = dirs.substr(pos, colon == std::string::npos ? colon : colon - pos);
        pos = colon == std::string::npos ? dirs.size() + 1 : colon + 1;
        if (!d.empty() && ok(d + "/" + name)) return d + "/" + name;
    }
    // vzctl lives in /usr/sbin, which is not on every user's PATH.
    for (const char *d : {"/usr/sbin", "/sbin"})
        if (ok(std::string(d) + "/" + name)) return std::string(d) + "/" + name;
    return "";
}

Tools find_tools(const SessionOptions &o) {
    Tools t{find_tool(o, "vzctl"), find_tool(o, "vzlist"), find_tool(o, "vzmigrate")};
    std::string where = o.bin.empty() ? "$PATH" : o.bin;
    if (t.vzctl.empty())
        throw Error(Errc::unsupported, "OpenVZ host without vzctl: not found in " + where);
    if (t.vzlist.empty())
        throw Error(Errc::unsupported, "OpenVZ host without vzlist: not found in " + where);
    return t;
}

// A value written into a CTID.conf by libct: vzctl reads it back between double quotes.
void check_conf_value(const std::string &field, const std::string &v) {
    if (v.find_first_of("\"\\`$\n") != std::string::npos)
        throw Error(Errc::invalid_spec, "invalid spec: " + field + ": '" + v +
                                            "' cannot be written into an OpenVZ configuration "
                                            "(no quotes, backslashes, '$' or newlines)");
}

}  // namespace

OpenVzSession::OpenVzSession(const std::string &uri)
    : OpenVzSession(parse_uri(uri), Tools{}, make_system_runner()) {}

OpenVzSession::OpenVzSession(SessionOptions o, Tools tools, std::unique_ptr<Runner> runner)
    : host_(std::move(o)), runner_(std::move(runner)), store_(host_.state_root()) {
    host_.check_openvz();
    tools_ = tools.vzctl.empty() ? find_tools(host_.options()) : std::move(tools);
    tool_ = parse_vzctl_version(vz({tools_.vzctl, "--version"}).out);
}

RunResult OpenVzSession::vz(const Argv &argv) {
    return checked(argv, runner_->run(argv));
}

RunResult OpenVzSession::checked(const Argv &argv, RunResult r) {
    if (WIFEXITED(r.wstatus) && WEXITSTATUS(r.wstatus) == 0) return r;
    std::string why = last_line(r.err.empty() ? r.out : r.err);
    std::string how = WIFSIGNALED(r.wstatus)
                          ? "was killed by signal " + std::to_string(WTERMSIG(r.wstatus))
                          : "failed with exit code " + std::to_string(WEXITSTATUS(r.wstatus));
    throw Error(Errc::backend, join(argv) + " " + how + (why.empty() ? "" : ": " + why));
}

VzStatus OpenVzSession::status(const std::string &ctid) {
    return parse_vzctl_status(vz({tools_.vzctl, "status", ctid}).out, ctid);
}

void OpenVzSession::need_running(const std::string &ctid, const VzStatus &s) const {
    if (s.paused) throw Error(Errc::bad_state, "container " + ctid + " is paused (resume it)");
    if (!s.running) throw Error(Errc::bad_state, "container " + ctid + " is not running");
}

void OpenVzSession::apply(const std::string &ctid, const SetPlan &plan) {
    if (!plan.main.empty()) vz(cat(cat({tools_.vzctl, "set", ctid}, plan.main), {"--save"}));
    for (const auto &more : plan.more) vz(cat(cat({tools_.vzctl, "set", ctid}, more), {"--save"}));
}

VzStatus OpenVzSession::need(const std::string &ctid) {
    check_ctid(ctid);
    VzStatus s = status(ctid);
    if (!s.exists) throw Error(Errc::not_found, "no container " + ctid + " on this OpenVZ host");
    return s;
}

OpenVzSession::Kind OpenVzSession::kind_of(const VzStatus &s,
                                           const std::optional<CtState> &st) const {
    if (!s.exists) return Kind::missing;
    if (s.paused || s.suspended) return Kind::paused;
    if (s.running) return Kind::running;
    return st && !st->started ? Kind::created : Kind::stopped;
}

// ---- create ------------------------------------------------------------------------------------

void OpenVzSession::create(const std::string &spec_doc) {
    Spec s = doc::decode_spec(spec_doc);
    validate(s);
    check_ctid(s.name);
    check_spec(s, gen());
    const std::string &ctid = s.name;
    bool from_template = s.openvz && !s.openvz->ostemplate.empty();
    if (!from_template && s.openvz && !s.openvz->layout.empty())
        throw Error(Errc::unsupported,
                    "openvz.layout without openvz.ostemplate is not supported by backend openvz: "
                    "vzctl chooses the layout only when it creates the private area");
    struct stat st {};
    if (::stat(host_.conf_path(ctid).c_str(), &st) == 0)
        throw Error(Errc::exists,
                    "container " + ctid + " already exists (" + host_.conf_path(ctid) + ")");

    CtState state;
    state.created = std::time(nullptr);
    state.adopted = !from_template;
    state.spec = s;
    if (from_template) {
        vz(cat({tools_.vzctl, "create", ctid}, create_options(s, gen())));
        try {
            apply(ctid, set_options(s, false, gen()));
            store_.save(ctid, state);
        } catch (...) {
            try {
                vz({tools_.vzctl, "destroy", ctid});
            } catch (const Error &) {
                // The first error is the one to report.
            }
            throw;
        }
    } else {
        create_from_dir(s);
        try {
            store_.save(ctid, state);
        } catch (...) {
            std::error_code ec;
            fs::remove(host_.conf_path(ctid), ec);
            throw;
        }
    }
}

// vzctl create only makes new private areas from templates; an existing directory becomes a
// container the way vzctl's own create and the OpenVZ manuals do it: the sample configuration
// copied to CTID.conf, VE_ROOT/VE_PRIVATE appended (the last value of a key wins), then
// `vzctl set --save` for the rest.
void OpenVzSession::create_from_dir(const Spec &s) {
    const std::string &ctid = s.name;
    bool has_private = s.private_area.type == "dir";
    std::string files = has_private ? s.private_area.path : s.rootfs;
    std::string field = has_private ? "private.path" : "rootfs";
    struct stat st {};
    if (::stat(files.c_str(), &st) != 0)
        throw Error(Errc::not_found, field + " " + files + ": " + std::strerror(errno), errno);
    if (!S_ISDIR(st.st_mode))
        throw Error(Errc::invalid_spec,
                    "invalid spec: " + field + ": " + files + " is not a directory");
    check_conf_value(field, files);
    Conf vzconf = host_.vz_conf();
    std::string ve_root =
        has_private && !s.rootfs.empty() ? s.rootfs : vzconf.get_or("VE_ROOT", "");
    if (ve_root.empty())
        throw Error(Errc::backend, "VE_ROOT is not set in " + host_.path("/etc/vz/vz.conf") +
                                       " (give the mount point as rootfs, with private.path)");
    if (has_private && !s.rootfs.empty()) check_conf_value("rootfs", s.rootfs);
    std::string config = s.openvz && !s.openvz->config.empty()
                             ? s.openvz->config
                             : vzconf.get_or("CONFIGFILE", "basic");
    std::ifstream sample(host_.sample_path(config), std::ios::binary);
    if (!sample)
        throw Error(
            Errc::not_found,
            "sample configuration " + host_.sample_path(config) + ": " + std::strerror(errno),
            errno);
    std::ostringstream text;
    text << sample.rdbuf();
    std::string conf = text.str();
    if (!conf.empty() && conf.back() != '\n') conf += '\n';
    conf += "\n# Written by libct: a container from the existing directory " + files + "\n";
    conf += "VE_ROOT=\"" + ve_root + "\"\n";
    conf += "VE_PRIVATE=\"" + files + "\"\n";
    conf += "ORIGIN_SAMPLE=\"" + config + "\"\n";

    std::string path = host_.conf_path(ctid);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            throw Error(Errc::exists, "container " + ctid + " already exists (" + path + ")");
        throw Error(Errc::backend, "cannot create " + path + ": " + std::strerror(e), e);
    }
    ssize_t n = ::write(fd, conf.data(), conf.size());
    int e = errno;
    ::close(fd);
    try {
        if (n != static_cast<ssize_t>(conf.size()))
            throw Error(Errc::backend, "cannot write " + path + ": " + std::strerror(e), e);
        apply(ctid, set_options(s, true, gen()));
    } catch (...) {
        std::error_code ec;
        fs::remove(path, ec);
        throw;
    }
}

void OpenVzSession::destroy(const std::string &name, uint32_t flags) {
    check_ctid(name);
    VzStatus vs = status(name);
    if (!vs.exists) {
        store_.remove(name);  // state of a container removed behind libct's back
        throw Error(Errc::not_found, "no container " + name + " on this OpenVZ host");
    }
    if ((vs.running || vs.suspended) && !(flags & CT_DESTROY_FORCE))
        throw Error(Errc::bad_state, "container " + name + " is " +
                                         (vs.paused    ? "paused"
                                          : vs.running ? "running"
                                                       : "suspended") +
                                         " (destroy it with force, or stop it first)");
    if (vs.running) vz({tools_.vzctl, "stop", name, "--fast"});
    // An application container's monitor stops the container too: let it finish first, so that
    // two vzctl commands do not contend for the container's lock.
    await_init_monitor(name);
    auto st = store_.load(name);
    if (st && st->adopted) {
        // The files are the caller's (libct did not make them): unregister, keep them.
        if (status(name).mounted) vz({tools_.vzctl, "umount", name});
        std::error_code ec;
        fs::rename(host_.conf_path(name), host_.conf_path(name) + ".destroyed", ec);
        if (ec)
            throw Error(Errc::backend,
                        "cannot retire " + host_.conf_path(name) + ": " + ec.message(), ec.value());
    } else {
        vz({tools_.vzctl, "destroy", name});
    }
    store_.remove(name);
}

}  // namespace ct::openvz
