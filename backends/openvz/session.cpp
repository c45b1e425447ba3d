#include "session.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ct/internal/document.hpp"
#include "ctid.hpp"
#include "system_runner.hpp"

namespace ct::openvz {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

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

Argv cat(Argv a, const Argv &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// A value written into a CTID.conf by libct: vzctl reads it back between double quotes.
void check_conf_value(const std::string &field, const std::string &v) {
    if (v.find_first_of("\"\\`$\n") != std::string::npos)
        throw Error(Errc::invalid_spec, "invalid spec: " + field + ": '" + v +
                                            "' cannot be written into an OpenVZ configuration "
                                            "(no quotes, backslashes, '$' or newlines)");
}

void send_fd(int sock, int fd) {
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    ssize_t n;
    do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        throw Error(Errc::backend,
                    std::string("send the terminal to the console socket: ") + std::strerror(errno),
                    errno);
}

struct FdGuard {
    int fd = -1;
    ~FdGuard() {
        if (fd >= 0) ::close(fd);
    }
};

bool process_alive(int64_t pid) {
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// Sleeps a little longer each time: quick answers for quick processes, little load otherwise.
class Backoff {
  public:
    explicit Backoff(int64_t timeout_ms)
        : deadline_(timeout_ms < 0 ? Clock::time_point::max()
                                   : Clock::now() + std::chrono::milliseconds(timeout_ms)) {}
    // false once the deadline has passed.
    bool sleep() {
        if (Clock::now() >= deadline_) return false;
        std::this_thread::sleep_for(step_);
        step_ = std::min(step_ * 2, std::chrono::milliseconds(50));
        return true;
    }

  private:
    Clock::time_point deadline_;
    std::chrono::milliseconds step_{1};
};

}  // namespace

VzStatus parse_vzctl_status(const std::string &out, const std::string &ctid) {
    std::istringstream in(out);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    if (w.size() < 5 || w[0] != "CTID" || w[1] != ctid)
        throw Error(Errc::backend,
                    "unexpected output of vzctl status " + ctid + ": '" + last_line(out) + "'");
    VzStatus s;
    s.exists = w[2] == "exist";
    s.mounted = w[3] == "mounted";
    s.running = w[4] == "running";
    s.suspended = w.size() > 5 && w[5] == "suspended";
    return s;
}

OpenVzSession::OpenVzSession(const std::string &uri)
    : OpenVzSession(parse_uri(uri), Tools{}, make_system_runner()) {}

OpenVzSession::OpenVzSession(SessionOptions o, Tools tools, std::unique_ptr<Runner> runner)
    : host_(std::move(o)), runner_(std::move(runner)), store_(host_.state_root()) {
    host_.check_openvz();
    tools_ = tools.vzctl.empty() ? find_tools(host_.options()) : std::move(tools);
}

RunResult OpenVzSession::vz(const Argv &argv) {
    RunResult r = runner_->run(argv);
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

VzStatus OpenVzSession::need(const std::string &ctid) {
    check_ctid(ctid);
    VzStatus s = status(ctid);
    if (!s.exists) throw Error(Errc::not_found, "no container " + ctid + " on this OpenVZ host");
    return s;
}

OpenVzSession::Kind OpenVzSession::kind_of(const VzStatus &s,
                                           const std::optional<CtState> &st) const {
    if (!s.exists) return Kind::missing;
    if (s.running) return Kind::running;
    if (s.suspended) return Kind::paused;
    return st && !st->started ? Kind::created : Kind::stopped;
}

// ---- create ------------------------------------------------------------------------------------

void OpenVzSession::create(const std::string &spec_doc) {
    Spec s = doc::decode_spec(spec_doc);
    validate(s);
    check_ctid(s.name);
    check_spec(s);
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
        vz(cat({tools_.vzctl, "create", ctid}, create_options(s)));
        try {
            auto opts = set_options(s, false);
            if (!opts.empty()) vz(cat(cat({tools_.vzctl, "set", ctid}, opts), {"--save"}));
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
        auto opts = set_options(s, true);
        if (!opts.empty()) vz(cat(cat({tools_.vzctl, "set", ctid}, opts), {"--save"}));
    } catch (...) {
        std::error_code ec;
        fs::remove(path, ec);
        throw;
    }
}

// ---- list / info -----------------------------------------------------------------------------

Spec OpenVzSession::synthesize(const std::string &ctid, const Conf &c, const Conf &vz) const {
    Spec s;
    s.name = ctid;
    s.rootfs = expand_veid(c.get_or("VE_ROOT", vz.get_or("VE_ROOT", "")), ctid);
    std::string priv = expand_veid(c.get_or("VE_PRIVATE", vz.get_or("VE_PRIVATE", "")), ctid);
    if (!priv.empty()) s.private_area = {"dir", priv, {}, {}};
    s.hostname = c.get_or("HOSTNAME", "");
    auto &r = s.resources;
    auto pages = [](uint64_t v) {
        return v >= ubc::kUnlimited ? int64_t{-1} : static_cast<int64_t>(v * ubc::kPageSize);
    };
    if (auto p = conf_beancounter(c, "physpages")) r.memory = pages(p->limit);
    if (auto p = conf_beancounter(c, "swappages"); p && r.memory)
        r.memory_swap =
            *r.memory == -1 || p->limit >= ubc::kUnlimited ? -1 : *r.memory + pages(p->limit);
    if (auto p = conf_beancounter(c, "numproc"))
        r.pids = p->limit >= ubc::kUnlimited ? -1 : static_cast<int64_t>(p->limit);
    try {
        if (auto u = c.get("CPUUNITS")) r.cpu.shares = std::stoull(*u);
        if (auto l = c.get("CPULIMIT"); l && std::stoll(*l) > 0) {
            r.cpu.quota_us = std::stoll(*l) * 1000;
            r.cpu.period_us = 100000;
        }
    } catch (const std::exception &) {
        // A malformed number in a hand-edited conf: leave the field out of the description.
    }
    if (auto m = c.get("CPUMASK"); m && *m != "all") r.cpu.cpus = *m;
    for (const auto &n : parse_netif(c.get_or("NETIF", "")))
        s.network.push_back(
            {"veth", n.ifname, n.host_ifname, "", n.bridge, n.mac, 0, 0, "", {}, ""});
    OpenVzSpec o;
    o.ostemplate = c.get_or("OSTEMPLATE", "");
    o.layout = c.get_or("VE_LAYOUT", "");
    o.ip = split_words(c.get_or("IP_ADDRESS", ""));
    o.nameservers = split_words(c.get_or("NAMESERVER", ""));
    o.searchdomains = split_words(c.get_or("SEARCHDOMAIN", ""));
    if (auto b = c.get("ONBOOT")) o.onboot = *b == "yes";
    if (o != OpenVzSpec{}) s.openvz = o;
    return s;
}

ContainerInfo OpenVzSession::describe(const std::string &ctid, const VzStatus &vs,
                                      const std::map<std::string, int64_t> &init_pids) {
    auto st = store_.load(ctid);
    auto conf = host_.ct_conf(ctid);
    Conf vzconf = host_.vz_conf();
    ContainerInfo i;
    i.name = ctid;
    i.backend = "openvz";
    switch (kind_of(vs, st)) {
        case Kind::running:
            i.state = State::running;
            break;
        case Kind::paused:
            i.state = State::paused;
            break;
        case Kind::created:
            i.state = State::created;
            break;
        default:
            i.state = State::stopped;
            break;
    }
    bool app = st && st->init_pid;
    if (i.state == State::running) {
        if (app && !store_.exit_status(ctid, st->init_pid))
            i.pid = st->init_pid;
        else if (auto it = init_pids.find(ctid); it != init_pids.end())
            i.pid = it->second;
    }
    if (i.state == State::stopped && app)
        if (auto x = store_.exit_status(ctid, st->init_pid))
            i.exit_status = ExitStatus::from_wait_status(*x);
    struct stat sb {};
    i.created = st                                                ? st->created
                : ::stat(host_.conf_path(ctid).c_str(), &sb) == 0 ? sb.st_mtime
                                                                  : 0;
    i.spec = st && st->spec ? *st->spec : synthesize(ctid, conf ? *conf : Conf{}, vzconf);
    auto &d = i.details;
    d["ctid"] = ctid;
    d["config"] = host_.conf_path(ctid);
    d["mode"] = app ? "application" : "system";
    d["status"] = std::string(vs.running     ? "running"
                              : vs.suspended ? "suspended"
                              : vs.mounted   ? "mounted"
                                             : "stopped");
    if (conf) {
        auto put = [&](const char *key, const std::string &v) {
            if (!v.empty()) d[key] = v;
        };
        put("ve_root", expand_veid(conf->get_or("VE_ROOT", vzconf.get_or("VE_ROOT", "")), ctid));
        put("ve_private",
            expand_veid(conf->get_or("VE_PRIVATE", vzconf.get_or("VE_PRIVATE", "")), ctid));
        put("ostemplate", conf->get_or("OSTEMPLATE", ""));
        put("ip_address", conf->get_or("IP_ADDRESS", ""));
        put("vzctl_name", conf->get_or("NAME", ""));
        put("layout", conf->get_or("VE_LAYOUT", ""));
    }
    if (st && st->adopted) d["private_area"] = "caller's (destroy keeps it)";
    return i;
}

std::string OpenVzSession::list() {
    auto r = vz({tools_.vzlist, "-a", "-H", "-t", "-o", "ctid,status"});
    std::map<std::string, int64_t> init_pids;
    bool scanned = false;
    nlohmann::json out = nlohmann::json::array();
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        std::istringstream ls(line);
        std::string ctid, word;
        ls >> ctid >> word;
        if (ctid.empty()) continue;
        try {
            check_ctid(ctid);  // reserved IDs (<= 100) are OpenVZ's own, not containers of libct
        } catch (const Error &) {
            continue;
        }
        VzStatus vs;
        vs.exists = true;
        vs.running = word == "running";
        vs.suspended = word == "suspended";
        vs.mounted = word == "mounted" || word == "running";
        if (vs.running && !scanned) {
            init_pids = host_.init_pids();  // one walk over /proc for every container
            scanned = true;
        }
        out.push_back(doc::info_to_json(describe(ctid, vs, init_pids)));
    }
    return out.dump();
}

std::string OpenVzSession::info(const std::string &name) {
    VzStatus vs = need(name);
    std::map<std::string, int64_t> init_pids;
    if (vs.running) init_pids = host_.init_pids();
    return doc::info_to_json(describe(name, vs, init_pids)).dump();
}

// ---- processes -----------------------------------------------------------------------------

int64_t OpenVzSession::spawn(const std::string &ctid, const ProcessSpec &p,
                             const ct_proc_args &args, bool init) {
    if (args.fn)
        throw Error(Errc::unsupported,
                    "in-process callbacks are not supported by backend openvz: its processes are "
                    "run by vzctl, not forked from the caller");
    if (p.args.empty() || p.args[0].empty())
        throw Error(Errc::invalid_spec, "invalid spec: process.args is empty");
    SpawnRequest req;
    FdGuard master, slave;
    if (p.terminal) {
        if (args.console_socket < 0)
            throw Error(Errc::invalid_argument,
                        "process.terminal needs a console socket to hand the terminal to");
        master.fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        char name[128];
        if (master.fd < 0 || ::grantpt(master.fd) != 0 || ::unlockpt(master.fd) != 0 ||
            ::ptsname_r(master.fd, name, sizeof name) != 0)
            throw Error(Errc::backend, std::string("allocate a terminal: ") + std::strerror(errno),
                        errno);
        slave.fd = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave.fd < 0)
            throw Error(Errc::backend, std::string(name) + ": " + std::strerror(errno), errno);
        // vzctl enter gives the command a terminal inside the container; exec2 would not.
        req.argv = {tools_.vzctl, "enter", ctid, "--exec", command_line(p)};
        req.tty = slave.fd;
    } else {
        req.argv = {tools_.vzctl, "exec2", ctid, command_line(p)};
        req.in = args.stdin_fd;
        req.out = args.stdout_fd;
        req.err = args.stderr_fd;
        if (args.nfds) req.fds.assign(args.fds, args.fds + args.nfds);
    }
    // An application container lives as long as its command: the monitor stops it afterwards
    // (before it records the status, so a waiter never races with that stop).
    if (init) req.after = {tools_.vzctl, "stop", ctid, "--fast"};
    store_.prepare_processes(ctid);
    req.exit_dir = store_.process_dir(ctid);
    Spawned sp = runner_->spawn(req);
    store_.add_process(ctid, sp);
    if (p.terminal) {
        try {
            send_fd(args.console_socket, master.fd);
        } catch (...) {
            ::kill(static_cast<pid_t>(sp.pid), SIGKILL);  // nobody could ever read its terminal
            throw;
        }
    }
    return sp.pid;
}

int64_t OpenVzSession::start(const std::string &name, const ct_proc_args &args) {
    VzStatus vs = need(name);
    auto st = store_.load(name);
    switch (kind_of(vs, st)) {
        case Kind::running:
            throw Error(Errc::bad_state, "container " + name + " is already running");
        case Kind::paused:
            throw Error(Errc::bad_state, "container " + name + " is suspended (resume it)");
        default:
            break;
    }
    ProcessSpec p;
    if (args.process_doc)
        p = doc::decode_process(args.process_doc);
    else if (st && st->spec)
        p = st->spec->process;
    check_process(p, "process");
    if (p.terminal && args.console_socket < 0 && !p.args.empty())
        throw Error(Errc::invalid_argument,
                    "process.terminal needs a console socket to hand the terminal to");
    if (args.fn)
        throw Error(Errc::unsupported,
                    "in-process callbacks are not supported by backend openvz: its processes are "
                    "run by vzctl, not forked from the caller");
    CtState next = st ? *st : CtState{};
    if (!st) next.created = std::time(nullptr);
    vz({tools_.vzctl, "start", name, "--wait"});
    next.started = true;
    next.init_pid = 0;
    if (p.args.empty()) {
        // A system container: its own init runs; report it once the kernel shows it.
        store_.save(name, next);
        for (const auto &proc : host_.processes(name))
            if (proc.ns_pid == 1) return proc.pid;
        return 0;
    }
    try {
        if (st && st->init_pid) store_.forget_process(name, st->init_pid);
        next.init_pid = spawn(name, p, args, true);
        store_.save(name, next);
    } catch (...) {
        try {
            vz({tools_.vzctl, "stop", name, "--fast"});
        } catch (const Error &) {
            // Report the first failure.
        }
        throw;
    }
    return next.init_pid;
}

int64_t OpenVzSession::exec(const std::string &name, const ct_proc_args &args) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    if (!args.process_doc) throw Error(Errc::invalid_argument, "exec needs a process document");
    ProcessSpec p = doc::decode_process(args.process_doc);
    check_process(p, "process");
    return spawn(name, p, args, false);
}

int OpenVzSession::wait_process(const std::string &ctid, int64_t pid, int64_t timeout_ms) {
    auto monitor = store_.monitor_of(ctid, pid);
    if (!monitor)
        throw Error(Errc::not_found, "no process " + std::to_string(pid) + " started by libct in " +
                                         "container " + ctid);
    Backoff backoff(timeout_ms);
    for (;;) {
        if (auto x = store_.exit_status(ctid, pid)) return *x;
        if (!process_alive(*monitor)) {
            if (auto x = store_.exit_status(ctid, pid)) return *x;
            throw Error(Errc::backend, "process " + std::to_string(pid) + ": its monitor (pid " +
                                           std::to_string(*monitor) +
                                           ") ended without recording an exit status");
        }
        if (!backoff.sleep())
            throw Error(Errc::timeout, "process " + std::to_string(pid) + " is still running");
    }
}

int OpenVzSession::wait(const std::string &name, int64_t pid, int64_t timeout_ms) {
    check_ctid(name);
    if (pid != 0) return wait_process(name, pid, timeout_ms);
    auto st = store_.load(name);
    if (st && st->init_pid) return wait_process(name, st->init_pid, timeout_ms);
    // A system container ends when the kernel no longer lists it; its init's status is not
    // kept by OpenVZ: 0.
    need(name);
    Backoff backoff(timeout_ms);
    for (;;) {
        bool running = false;
        for (const auto &v : host_.veinfo()) running |= v.ctid == name;
        if (!running) return 0;
        if (!backoff.sleep()) throw Error(Errc::timeout, "container " + name + " is still running");
    }
}

void OpenVzSession::signal_inside(const std::string &ctid, int sig, const char *target) {
    vz({tools_.vzctl, "exec2", ctid, "kill -" + std::to_string(sig) + " " + target});
}

void OpenVzSession::kill(const std::string &name, int64_t pid, int sig, uint32_t flags) {
    if (sig <= 0 || sig >= NSIG)
        throw Error(Errc::invalid_argument, "signal " + std::to_string(sig) + " is not a signal");
    if (pid != 0) {
        check_ctid(name);
        if (!store_.monitor_of(name, pid))
            throw Error(Errc::not_found, "no process " + std::to_string(pid) +
                                             " started by libct in container " + name);
        if (store_.exit_status(name, pid)) return;  // already ended: nothing to signal
        // The process libct knows is the vzctl exec2/enter client that carries the command.
        if (::kill(static_cast<pid_t>(pid), sig) != 0 && errno != ESRCH)
            throw Error(Errc::backend, "kill " + std::to_string(pid) + ": " + std::strerror(errno),
                        errno);
        return;
    }
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    auto st = store_.load(name);
    bool all = flags & CT_KILL_ALL;
    if (sig == SIGKILL) {
        vz({tools_.vzctl, "stop", name, "--fast"});
    } else if (sig == SIGTERM && (all || !(st && st->init_pid))) {
        vz({tools_.vzctl, "stop", name});
    } else if (all) {
        signal_inside(name, sig, "-1");
    } else if (st && st->init_pid && !store_.exit_status(name, st->init_pid)) {
        // An application container's init is its command's vzctl exec2 client: these signals
        // end it (and with it the container); others cannot be forwarded through vzctl.
        if (sig != SIGTERM && sig != SIGINT && sig != SIGHUP && sig != SIGQUIT)
            throw Error(Errc::unsupported,
                        "signal " + std::to_string(sig) +
                            " to an application container's command is not supported by backend "
                            "openvz: vzctl exec2 does not forward signals (TERM, INT, HUP, QUIT "
                            "and KILL end the command)");
        if (::kill(static_cast<pid_t>(st->init_pid), sig) != 0 && errno != ESRCH)
            throw Error(Errc::backend,
                        "kill " + std::to_string(st->init_pid) + ": " + std::strerror(errno),
                        errno);
    } else if (sig == SIGINT) {
        // Ctrl-Alt-Del: what the kernel sends init to reboot. OpenVZ's is vzctl restart.
        vz({tools_.vzctl, "restart", name, "--wait"});
    } else {
        signal_inside(name, sig, "1");
    }
}

void OpenVzSession::await_init_monitor(const std::string &ctid) {
    auto st = store_.load(ctid);
    if (!st || !st->init_pid) return;
    auto monitor = store_.monitor_of(ctid, st->init_pid);
    Backoff backoff(60000);
    while (monitor && process_alive(*monitor) && !store_.exit_status(ctid, st->init_pid))
        if (!backoff.sleep()) break;
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
                                         (vs.running ? "running" : "suspended") +
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

// ---- running containers ------------------------------------------------------------------------

void OpenVzSession::pause(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    vz({tools_.vzctl, "suspend", name});
}

void OpenVzSession::resume(const std::string &name) {
    VzStatus vs = need(name);
    if (vs.running || !vs.suspended)
        throw Error(Errc::bad_state, "container " + name + " is not suspended");
    vz({tools_.vzctl, "resume", name});
}

void OpenVzSession::update(const std::string &name, const std::string &resources_doc) {
    Resources r = doc::resources_from_json(doc::parse(resources_doc, "resources document"));
    validate(r);
    Argv opts = resource_options(r);
    need(name);
    if (opts.empty()) return;
    vz(cat(cat({tools_.vzctl, "set", name}, opts), {"--save"}));
    if (auto st = store_.load(name); st && st->spec) {
        auto &cur = st->spec->resources;
        if (r.memory) cur.memory = r.memory;
        if (r.memory_swap) cur.memory_swap = r.memory_swap;
        if (r.pids) cur.pids = r.pids;
        if (r.cpu.shares) cur.cpu.shares = r.cpu.shares;
        if (r.cpu.quota_us) cur.cpu.quota_us = r.cpu.quota_us;
        if (r.cpu.period_us) cur.cpu.period_us = r.cpu.period_us;
        if (!r.cpu.cpus.empty()) cur.cpu.cpus = r.cpu.cpus;
        if (!r.cpu.mems.empty()) cur.cpu.mems = r.cpu.mems;
        store_.save(name, *st);
    }
}

std::string OpenVzSession::stats(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    Stats s;
    auto ubcs = host_.beancounters();
    if (auto it = ubcs.find(name); it != ubcs.end()) s.beancounters = it->second;
    auto bc = [&](const char *n) -> const Stats::Beancounter * {
        auto it = s.beancounters.find(n);
        return it == s.beancounters.end() ? nullptr : &it->second;
    };
    if (const auto *m = bc("physpages")) {
        s.memory.usage = m->held * ubc::kPageSize;
        s.memory.max_usage = m->maxheld * ubc::kPageSize;
        s.memory.failcnt = m->failcnt;
        s.memory.limit = m->limit < 0 ? -1 : m->limit * static_cast<int64_t>(ubc::kPageSize);
    }
    if (const auto *oom = bc("oomguarpages")) s.memory.oom_kills = oom->failcnt;
    if (const auto *p = bc("numproc")) {
        s.pids.current = p->held;
        s.pids.limit = p->limit;
    } else {
        for (const auto &v : host_.veinfo())
            if (v.ctid == name) s.pids.current = v.nproc;
    }
    auto vestat = host_.vestat();
    if (auto it = vestat.find(name); it != vestat.end()) {
        static const uint64_t ns_per_tick =
            1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
        s.cpu.user_ns = (it->second.user + it->second.nice) * ns_per_tick;
        s.cpu.system_ns = it->second.system * ns_per_tick;
        s.cpu.usage_ns = s.cpu.user_ns + s.cpu.system_ns;
    }
    return doc::stats_to_json(s).dump();
}

std::string OpenVzSession::processes(const std::string &name) {
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    return doc::processes_to_json(host_.processes(name)).dump();
}

// ---- checkpoint, restore, migrate
// ----------------------------------------------------------------

namespace {

// Option documents are strict like specs: an option this backend does not know is refused.
nlohmann::json options_doc(const std::string &text, const char *what,
                           std::initializer_list<const char *> known) {
    auto j = doc::parse(text, what);
    if (!j.is_object())
        throw Error(Errc::invalid_argument, std::string(what) + " is not a mapping");
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool ok = false;
        for (const char *k : known) ok |= it.key() == k;
        if (!ok)
            throw Error(Errc::invalid_argument, std::string(what) + ": option '" + it.key() +
                                                    "' is not supported by backend openvz");
    }
    return j;
}

bool flag(const nlohmann::json &j, const char *key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return false;
    if (!it->is_boolean())
        throw Error(Errc::invalid_argument, std::string(key) + " must be true or false");
    return it->get<bool>();
}

std::string text_of(const nlohmann::json &j, const char *key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
        throw Error(Errc::invalid_argument, std::string(key) + " is required");
    return it->get<std::string>();
}

const char *kDumpName = "openvz.dump";
const char *kImageInfo = "openvz.json";

}  // namespace

void OpenVzSession::checkpoint(const std::string &name, const std::string &opts_doc) {
    // tcp_established and file_locks: OpenVZ's checkpointing always saves established TCP
    // connections and file locks, so either answer is honoured by the image.
    auto j = options_doc(opts_doc, "checkpoint options",
                         {"dir", "leave_running", "tcp_established", "file_locks"});
    std::string dir = text_of(j, "dir");
    bool leave = flag(j, "leave_running");
    flag(j, "tcp_established");
    flag(j, "file_locks");
    if (dir[0] != '/') throw Error(Errc::invalid_argument, "dir must be an absolute path");
    VzStatus vs = need(name);
    if (!vs.running) throw Error(Errc::bad_state, "container " + name + " is not running");
    std::error_code ec;
    bool made = !fs::exists(dir, ec);
    fs::create_directories(dir, ec);
    if (ec) throw Error(Errc::backend, "cannot create " + dir + ": " + ec.message(), ec.value());
    std::string dump = dir + "/" + kDumpName;
    // A failed checkpoint leaves no image behind (nor the directory, when it made it).
    auto undo = [&] {
        std::error_code ignored;
        if (made) {
            fs::remove_all(dir, ignored);
        } else {
            fs::remove(dump, ignored);
            fs::remove(dir + "/" + kImageInfo, ignored);
        }
    };
    try {
        nlohmann::json info{{"backend", "openvz"}, {"ctid", name}, {"dump", kDumpName}};
        if (auto st = store_.load(name); st && st->spec)
            info["spec"] = doc::spec_to_json(*st->spec);
        {
            std::ofstream out(dir + "/" + kImageInfo, std::ios::trunc);
            out << info.dump() << "\n";
            if (!out) throw Error(Errc::backend, "cannot write " + dir + "/" + kImageInfo);
        }
        if (!leave) {
            vz({tools_.vzctl, "chkpnt", name, "--dumpfile", dump});
            return;
        }
        // Leave it running: the kernel's steps one by one (freeze, dump, thaw); thawed even
        // when the dump fails.
        vz({tools_.vzctl, "chkpnt", name, "--suspend"});
        try {
            vz({tools_.vzctl, "chkpnt", name, "--dump", "--dumpfile", dump});
        } catch (...) {
            try {
                vz({tools_.vzctl, "chkpnt", name, "--resume"});
            } catch (const Error &) {
                // Report the dump's failure.
            }
            throw;
        }
        vz({tools_.vzctl, "chkpnt", name, "--resume"});
    } catch (...) {
        undo();
        throw;
    }
}

void OpenVzSession::restore(const std::string &name, const std::string &opts_doc) {
    // The restored processes keep the stdio they were dumped with: OpenVZ images do not allow
    // replacing it (RestoreOptions says "where the images allow"), and they always run detached.
    auto j = options_doc(opts_doc, "restore options", {"dir", "detach", "stdio"});
    std::string dir = text_of(j, "dir");
    std::ifstream in(dir + "/" + kImageInfo);
    if (!in)
        throw Error(Errc::not_found,
                    dir + " holds no OpenVZ checkpoint (" + kImageInfo + " missing)");
    nlohmann::json info;
    try {
        in >> info;
    } catch (const std::exception &e) {
        throw Error(Errc::invalid_argument, dir + "/" + kImageInfo + " is damaged: " + e.what());
    }
    std::string from = info.value("ctid", "");
    if (from != name)
        throw Error(Errc::unsupported,
                    "restoring container " + from + "'s checkpoint as " + name +
                        " is not supported by backend openvz: a dump belongs to its CTID's "
                        "private area and configuration");
    VzStatus vs = need(name);
    if (vs.running) throw Error(Errc::bad_state, "container " + name + " is running");
    vz({tools_.vzctl, "restore", name, "--dumpfile", dir + "/" + kDumpName});
    if (auto st = store_.load(name)) {
        st->started = true;
        st->init_pid = 0;  // the command's vzctl client did not survive the dump
        store_.save(name, *st);
    }
}

void OpenVzSession::migrate(const std::string &name, const std::string &opts_doc) {
    auto j = options_doc(opts_doc, "migrate options", {"to", "leave_running", "tcp_established"});
    MigrateTarget t = migrate_target(text_of(j, "to"));
    if (flag(j, "leave_running"))
        throw Error(Errc::unsupported,
                    "leave_running is not supported by backend openvz: vzmigrate moves a "
                    "container, it does not copy a running one");
    flag(j, "tcp_established");  // online migration keeps established connections anyway
    VzStatus vs = need(name);
    if (vs.suspended && !vs.running)
        throw Error(Errc::bad_state, "container " + name + " is suspended (resume it first)");
    if (tools_.vzmigrate.empty())
        throw Error(Errc::unsupported,
                    "migration needs vzmigrate, which is not installed (" +
                        (host_.options().bin.empty() ? std::string("$PATH") : host_.options().bin) +
                        ")");
    Argv argv{tools_.vzmigrate};
    if (vs.running) argv.push_back("--online");
    if (!t.ssh_options.empty()) argv.push_back("--ssh=" + t.ssh_options);
    argv.insert(argv.end(), {t.destination, name});
    vz(argv);
    store_.remove(name);  // it lives on the destination now
}

}  // namespace ct::openvz
