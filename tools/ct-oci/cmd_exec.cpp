// exec: another process in a running container, from an OCI process document (--process,
// what engines pass) or from the command line on top of the container's own process.
#include <cstdlib>

#include "commands.hpp"
#include "config.hpp"
#include "ct/error.hpp"
#include "reader.hpp"
#include "state.hpp"

namespace ct::oci {
namespace {

json read_json_file(const std::string &path, const char *what) {
    std::string text;
    FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "re");
    if (!f)
        throw Error(Errc::not_found, std::string(what) + " " + path + ": " + std::strerror(errno),
                    errno);
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() < (4u << 20))
        text.append(buf, n);
    if (f != stdin) std::fclose(f);
    try {
        return json::parse(text);
    } catch (const json::exception &e) {
        throw Error(Errc::invalid_spec,
                    std::string(what) + " " + path + ": not valid JSON: " + e.what());
    }
}

uint32_t parse_id(const std::string &s, const char *what) {
    char *end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || *end || errno || v > 4294967294ULL || s[0] == '-')
        throw Error(Errc::invalid_argument, std::string(what) + ": '" + s + "' is not an id");
    return static_cast<uint32_t>(v);
}

// runc's exec without --process: the container's own process, with the command line's changes.
ProcessSpec process_from_flags(const CommandLine &cl, const ProcessSpec &base) {
    ProcessSpec p = base;
    p.args.assign(cl.args.begin() + 1, cl.args.end());
    if (p.args.empty()) throw Error(Errc::invalid_argument, "exec: no command given");
    for (const auto &e : cl.all("env")) {
        auto key = e.substr(0, e.find('='));
        std::erase_if(p.env, [&](const std::string &x) { return x.substr(0, x.find('=')) == key; });
        p.env.push_back(e);
    }
    if (cl.has("cwd")) p.cwd = cl.value("cwd");
    if (cl.has("user")) {
        std::string u = cl.value("user");
        auto colon = u.find(':');
        p.user.uid = parse_id(u.substr(0, colon), "--user");
        if (colon != std::string::npos) p.user.gid = parse_id(u.substr(colon + 1), "--user");
        p.user.name.clear();
        p.user.group.clear();
    }
    for (const auto &g : cl.all("additional-gids"))
        p.user.additional_gids.push_back(parse_id(g, "--additional-gids"));
    p.terminal = cl.flag("tty");
    if (!p.terminal) p.console_size.reset();
    if (cl.flag("no-new-privs")) p.no_new_privileges = true;
    if (cl.has("apparmor")) p.apparmor_profile = cl.value("apparmor");
    if (cl.has("process-label")) p.selinux_label = cl.value("process-label");
    if (!cl.all("cap").empty()) {
        Capabilities caps = p.capabilities.value_or(Capabilities{});
        for (const auto &c : cl.all("cap"))
            for (auto *set : {&caps.bounding, &caps.effective, &caps.permitted, &caps.inheritable,
                              &caps.ambient})
                set->push_back(c);
        p.capabilities = caps;
    }
    return p;
}

}  // namespace

int cmd_exec(Context &c) {
    if (c.cl.args.empty()) throw Error(Errc::invalid_argument, "exec: expected the container ID");
    std::string id = c.cl.args[0];
    if (c.cl.has("cgroup"))
        throw Error(Errc::unsupported,
                    "exec --cgroup: sub-cgroups of exec are not supported by "
                    "ct-oci");
    Container ct = c.container(id);
    ContainerInfo info = ct.info();
    std::string status = oci_status(info);
    if (status != "running" && status != "created")
        throw Error(Errc::bad_state,
                    "cannot exec in a " + status + " container " + id + " (it must run)");
    ProcessSpec p;
    if (c.cl.has("process")) {
        if (c.cl.args.size() > 1)
            throw Error(Errc::invalid_argument, "exec: a command and --process both given");
        p = process_from_config(
            read_json_file(c.cl.value("process"), "process file"), c.cl.value("process"), "",
            [&](const std::string &m) { c.log.warning(c.cl.value("process") + ": " + m); });
    } else {
        p = process_from_flags(c.cl, info.spec.process);
    }
    ProcessIo io;
    setup_io(c, p.terminal, io);
    int64_t pid = ct.exec(p, io.options);
    write_pid_file(c.cl.value("pid-file"), pid);
    if (c.cl.flag("detach")) return 0;  // ours until we exit; then the engine's (subreaper)
    return ct.wait_process(pid).shell_code();
}

}  // namespace ct::oci
