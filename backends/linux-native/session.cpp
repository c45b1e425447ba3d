#include "session.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "cgroups.hpp"
#include "ct/internal/document.hpp"
#include "devices.hpp"
#include "launch.hpp"
#include "net/network.hpp"
#include "plan.hpp"
#include "process.hpp"
#include "rollback.hpp"
#include "sys.hpp"
#include "userns.hpp"

namespace ct::linux_native {
namespace {

std::string q(const std::string &name) { return "'" + name + "'"; }

std::string pct_decode(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string default_state_root() {
    if (::geteuid() == 0) return "/run/ct/linux";
    if (const char *x = std::getenv("XDG_RUNTIME_DIR")) return std::string(x) + "/ct/linux";
    return "/tmp/ct-" + std::to_string(::geteuid()) + "/linux";
}

// What this backend does not do yet: refused up front, never silently ignored.
void check_supported(const Spec &s) {
    auto no = [&](const std::string &what) {
        throw Error(Errc::unsupported, what + " is not supported by backend linux yet");
    };
    if (s.process.terminal) no("process.terminal");
    if (s.openvz)
        throw Error(Errc::unsupported,
                    "openvz: settings for backend openvz are not supported by backend linux");
}

// The first spec field that cannot work without the container's own cgroups, or "".
std::string needs_cgroups(const Spec &s) {
    if (s.resources != Resources{}) return "resources";
    if (!s.devices.empty()) return "devices (the device allow-list)";
    if (!s.cgroups.empty()) return "cgroups";
    return "";
}

// The monitor's report to the starting process.
struct MonitorReport {
    int32_t code;  // 0, or a ct::Errc
    int32_t err;
    int64_t pid;
    int64_t monitor;
    char msg[480];
};

}  // namespace

SessionOptions parse_session_uri(const std::string &uri) {
    SessionOptions o;
    auto bad = [&](const std::string &why) {
        return Error(Errc::invalid_argument, "linux backend: URI '" + uri + "': " + why);
    };
    auto sep = uri.find("://");
    if (sep == std::string::npos) throw bad("not a URI");
    std::string scheme = uri.substr(0, sep);
    if (scheme != "linux" && scheme != "local") throw bad("scheme must be linux");
    std::string rest = uri.substr(sep + 3), query;
    if (auto qm = rest.find('?'); qm != std::string::npos) {
        query = rest.substr(qm + 1);
        rest = rest.substr(0, qm);
    }
    std::string host = rest.substr(0, rest.find('/'));
    if (!host.empty() && host != "localhost")
        throw bad("host '" + host + "' is not local; use linux+ssh://" + host + "/");
    size_t pos = 0;
    bool parent_set = false;
    while (pos < query.size()) {
        auto amp = query.find('&', pos);
        std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        pos = amp == std::string::npos ? query.size() : amp + 1;
        if (kv.empty()) continue;
        auto eq = kv.find('=');
        std::string k = pct_decode(kv.substr(0, eq));
        std::string v = eq == std::string::npos ? "" : pct_decode(kv.substr(eq + 1));
        if (k == "root") {
            if (v.empty() || v[0] != '/') throw bad("root must be an absolute directory");
            o.state_root = v;
        } else if (k == "cgroup_parent") {
            // "/": right under each hierarchy's root (<hierarchy>/<name>), as libct 1.x did.
            if (v == "/") v.clear();
            else if (v.empty() || v.find("..") != std::string::npos || v[0] == '/')
                throw bad("cgroup_parent must be '/' or a relative cgroup path without '..'");
            o.cgroup_parent = v;
            parent_set = true;
        } else {
            throw bad("unknown option '" + k + "' (known: root, cgroup_parent)");
        }
    }
    if (o.state_root.empty()) o.state_root = default_state_root();
    if (!parent_set) o.cgroup_parent = "ct";
    return o;
}

LinuxSession::LinuxSession(const std::string &uri)
    : opts_(parse_session_uri(uri)), store_(opts_.state_root), layout_(CgroupLayout::detect()) {}

std::optional<int> LinuxSession::known_exit(const StateStore::Entry &e) const {
    if (e.state.exit_wstatus) return e.state.exit_wstatus;
    return e.read_exit_file();
}

State LinuxSession::current_state(const StateStore::Entry &e) const {
    const auto &st = e.state;
    if (st.status == "created") return State::created;
    if (st.status == "running" && process_alive(st.pid, st.pid_start)) return State::running;
    return State::stopped;
}

ContainerInfo LinuxSession::describe(const std::string &name, StateStore::Entry &e) const {
    ContainerInfo i;
    i.name = name;
    i.backend = "linux";
    i.state = current_state(e);
    i.pid = i.state == State::running ? e.state.pid : 0;
    i.created = e.state.created;
    if (i.state == State::stopped)
        if (auto x = known_exit(e)) i.exit_status = ExitStatus::from_wait_status(*x);
    i.spec = e.state.spec;
    i.details["state_dir"] = e.dir();
    i.details["cgroup_mode"] = layout_.mode_name();
    for (const auto &[k, p] : e.state.cgroups) i.details["cgroup." + k] = p;
    for (const auto &[k, v] : net::Network(e.state.spec.network).details(e.dir()))
        i.details[k] = v;
    return i;
}

void LinuxSession::create(const std::string &spec_doc) {
    Spec spec = doc::decode_spec(spec_doc);
    validate(spec);
    check_supported(spec);
    check_host(spec);
    net::Network(spec.network).check_host();
    // Planned before anything is made, so a missing controller fails with nothing to undo.
    // A named hierarchy may have been mounted since the session opened: look again.
    CgroupLayout fresh;
    const CgroupLayout *layout = &layout_;
    for (const auto &h : spec.cgroups)
        if (!layout_.v1.count(h) && h.rfind("name=", 0) == 0) {
            fresh = CgroupLayout::detect();
            layout = &fresh;
            break;
        }
    ContainerCgroups cg(*layout, opts_.cgroup_parent, spec.name, spec.resources, spec.cgroups);

    auto entry = store_.create(spec.name);
    Rollback rb;
    rb.add([&] { store_.remove(spec.name); });
    try {
        prepare_v2_parent(layout_, opts_.cgroup_parent);
        cg.create();
    } catch (const Error &ex) {
        // An unprivileged caller without a delegated cgroup runs its containers without one,
        // as long as nothing in the spec needs it.
        if (ex.code() != Errc::permission || ::geteuid() == 0) throw;
        if (auto need = needs_cgroups(spec); !need.empty())
            throw Error(Errc::permission,
                        need + " needs cgroups, and this user (uid " + std::to_string(::geteuid()) +
                            ") cannot create them: " + ex.what() +
                            " (run as root, or delegate a cgroup to the user)",
                        ex.sys_errno());
        cg = ContainerCgroups();
    }
    rb.add([&] { cg.remove(); });
    cg.apply(spec.resources);
    apply_device_policy(cg, spec);

    entry.state.spec = std::move(spec);
    entry.state.status = "created";
    entry.state.created = static_cast<int64_t>(std::time(nullptr));
    entry.state.cgroups = cg.paths();
    entry.save();
    rb.commit();
}

std::string LinuxSession::list() {
    nlohmann::json a = nlohmann::json::array();
    for (const auto &name : store_.names()) {
        try {
            auto e = store_.open(name, false);
            a.push_back(doc::info_to_json(describe(name, e)));
        } catch (const Error &ex) {
            if (ex.code() != Errc::not_found) throw;  // destroyed or half-created meanwhile
        }
    }
    return a.dump();
}

std::string LinuxSession::info(const std::string &name) {
    auto e = store_.open(name, false);
    return doc::info_to_json(describe(name, e)).dump();
}

int64_t LinuxSession::start(const std::string &name, const ct_proc_args &args) {
    auto e = store_.open(name);
    if (current_state(e) == State::running)
        throw Error(Errc::bad_state, "container " + q(name) + " is already running (pid " +
                                         std::to_string(e.state.pid) + ")");
    const Spec &spec = e.state.spec;
    ProcessSpec proc = args.process_doc ? doc::decode_process(args.process_doc) : spec.process;
    if (proc.args.empty())
        throw Error(Errc::invalid_spec, "container " + q(name) + " has no command: process.args "
                                                                 "is empty");
    check_host_paths(spec);  // the rootfs may have gone since create
    ContainerCgroups cg(e.state.cgroups);
    if (!cg.empty())
        throw Error(Errc::bad_state, "container " + q(name) +
                                         " still has processes from its previous run; kill them "
                                         "(kill --all) or destroy it");
    {
        // A child of ours from the previous run, never waited for: reap it now.
        std::lock_guard lock(mu_);
        if (auto it = children_.find(e.state.pid); it != children_.end() && it->second.name == name) {
            reap(it->second.pidfd.get());
            children_.erase(it);
        }
    }
    LaunchPlan plan = plan_init(spec, proc, cg);
    plan.stdio[0] = args.stdin_fd;
    plan.stdio[1] = args.stdout_fd;
    plan.stdio[2] = args.stderr_fd;
    if (args.nfds > kMaxPassedFds)
        throw Error(Errc::invalid_argument,
                    "start container " + q(name) + ": " + std::to_string(args.nfds) +
                        " fds passed (at most " + std::to_string(kMaxPassedFds) + ")");
    if (args.nfds) plan.fds.assign(args.fds, args.fds + args.nfds);
    ::unlinkat(e.dirfd(), "exit", 0);  // a previous detached run's record

    net::Network network(spec.network);
    UserNamespace userns(spec);
    AfterClone after_clone;
    if (!network.empty() || !userns.empty())
        after_clone = [&](pid_t child, int child_pidfd) {
            userns.write_maps(child);  // first: the child's namespaces are owned by it
            if (!network.empty()) network.attach(child, child_pidfd, e.dir());
        };
    Rollback rb;
    rb.add([&] { network.release(e.dir()); });

    int64_t pid;
    Fd pidfd;
    if (args.flags & CT_PROC_DETACH) {
        pid = start_detached(e, plan, after_clone);
    } else {
        Launched l = launch(plan, after_clone);
        pid = l.pid;
        pidfd = std::move(l.pidfd);
        e.state.monitor_pid = 0;
        e.state.monitor_start = 0;
    }
    e.state.status = "running";
    e.state.pid = pid;
    e.state.pid_start = process_start_time(pid);
    e.state.exit_wstatus.reset();
    try {
        e.save();
    } catch (...) {
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        if (pidfd) reap(pidfd.get());
        throw;
    }
    rb.commit();
    if (pidfd) {
        std::lock_guard lock(mu_);
        children_[pid] = Child{name, std::move(pidfd)};
    }
    return pid;
}

int64_t LinuxSession::start_detached(StateStore::Entry &e, LaunchPlan &plan,
                                     const AfterClone &after_clone) {
    int sync[2];
    if (::pipe2(sync, O_CLOEXEC) != 0) throw_sys("create a pipe", errno);
    Fd rd(sync[0]), wr(sync[1]);
    std::string dir = e.dir();
    // Double fork: the monitor is nobody's child we must reap, and it reaps init.
    pid_t mid = ::fork();
    if (mid < 0) throw_sys("fork the container's monitor", errno);
    if (mid == 0) {
        rd.reset();
        pid_t m = ::fork();
        if (m != 0) ::_exit(m < 0 ? 1 : 0);
        ::setsid();
        ::prctl(PR_SET_NAME, "ct-monitor", 0, 0, 0);
        MonitorReport r{};
        Launched l;
        try {
            l = launch(plan, after_clone);
        } catch (const Error &ex) {
            r.code = static_cast<int32_t>(ex.code());
            r.err = ex.sys_errno();
            std::strncpy(r.msg, ex.what(), sizeof r.msg - 1);
        } catch (const std::exception &ex) {
            r.code = static_cast<int32_t>(Errc::backend);
            std::strncpy(r.msg, ex.what(), sizeof r.msg - 1);
        }
        r.pid = l.pid;
        r.monitor = ::getpid();
        int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ssize_t w = ::write(wr.get(), &r, sizeof r);
        (void)w;
        if (r.code != 0 || dfd < 0) ::_exit(1);
        // Keep only the pidfd (3) and the state dir (4): anything else of the caller's (its
        // terminal, its pipes, the state lock) must not be held by a long-lived process.
        int pfd = l.pidfd.release();
        int nul = ::open("/dev/null", O_RDWR);
        ::dup2(pfd, 100);
        ::dup2(dfd, 101);
        ::dup2(100, 3);
        ::dup2(101, 4);
        for (int i = 0; i < 3; ++i) ::dup2(nul, i);
        ::syscall(SYS_close_range, 5U, ~0U, 0U);
        siginfo_t si{};
        while (::waitid(static_cast<idtype_t>(P_PIDFD), 3, &si, WEXITED) < 0 && errno == EINTR) {
        }
        std::string ws = std::to_string(wstatus_from(si));
        int f = ::openat(4, ".exit.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (f >= 0) {
            ssize_t n = ::write(f, ws.data(), ws.size());
            ::close(f);
            if (n == static_cast<ssize_t>(ws.size())) ::renameat(4, ".exit.tmp", 4, "exit");
        }
        ::_exit(0);
    }
    wr.reset();
    int status;
    while (::waitpid(mid, &status, 0) < 0 && errno == EINTR) {
    }
    MonitorReport r{};
    ssize_t n;
    do n = ::read(rd.get(), &r, sizeof r);
    while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof r))
        throw Error(Errc::backend, "the monitor process of container " +
                                       q(e.state.spec.name) + " died before starting it");
    if (r.code != 0) {
        r.msg[sizeof r.msg - 1] = 0;
        throw Error(static_cast<Errc>(r.code), r.msg, r.err);
    }
    e.state.monitor_pid = r.monitor;
    e.state.monitor_start = process_start_time(static_cast<pid_t>(r.monitor));
    return r.pid;
}

std::optional<int> LinuxSession::wait_init(const std::string &name, const ContainerState &st,
                                           int64_t timeout_ms) {
    Fd pidfd;
    bool ours = false;
    {
        std::lock_guard lock(mu_);
        if (auto it = children_.find(st.pid); it != children_.end() && it->second.name == name) {
            pidfd.reset(::fcntl(it->second.pidfd.get(), F_DUPFD_CLOEXEC, 0));
            ours = true;
        }
    }
    if (!ours) pidfd = open_pidfd(static_cast<pid_t>(st.pid), st.pid_start);
    if (pidfd && !wait_exit(pidfd.get(), timeout_ms))
        throw Error(Errc::timeout, "container " + q(name) + " is still running after " +
                                       std::to_string(timeout_ms) + " ms");
    if (ours) {
        int ws = reap(pidfd.get());
        std::lock_guard lock(mu_);
        children_.erase(st.pid);
        if (ws >= 0) return ws;
        return std::nullopt;
    }
    // Not our child: its monitor (if any) records the status once it has reaped init.
    if (st.monitor_pid) {
        Fd mon = open_pidfd(static_cast<pid_t>(st.monitor_pid), st.monitor_start);
        if (mon) wait_exit(mon.get(), 5000);
    }
    return std::nullopt;
}

int LinuxSession::wait(const std::string &name, int64_t pid, int64_t timeout_ms) {
    auto peek = store_.open(name, false);
    if (pid != 0 && pid != peek.state.pid)
        throw Error(Errc::not_found, "process " + std::to_string(pid) +
                                         " is not the init of container " + q(name));
    if (peek.state.status == "created")
        throw Error(Errc::bad_state, "container " + q(name) + " has not been started");
    std::optional<int> ws;
    if (peek.state.status == "running") {
        ws = wait_init(name, peek.state, timeout_ms);
        auto e = store_.open(name);
        if (!ws) ws = known_exit(e);
        if (e.state.status == "running" && e.state.pid == peek.state.pid) {
            e.state.status = "stopped";
            e.state.exit_wstatus = ws;
            e.save();
        }
    } else {
        ws = known_exit(peek);
    }
    if (!ws)
        throw Error(Errc::bad_state,
                    "container " + q(name) + " has stopped, but its exit status is unknown: the "
                    "process that started it has gone without recording it");
    return *ws;
}

void LinuxSession::kill(const std::string &name, int64_t pid, int sig, uint32_t flags) {
    if (sig < 0 || sig >= NSIG)
        throw Error(Errc::invalid_argument, "signal " + std::to_string(sig) + " is not valid");
    auto e = store_.open(name, false);
    if (current_state(e) != State::running)
        throw Error(Errc::bad_state, "container " + q(name) + " is not running");
    if (pid != 0 && pid != e.state.pid)
        throw Error(Errc::not_found, "process " + std::to_string(pid) +
                                         " is not the init of container " + q(name));
    if (flags & CT_KILL_ALL) {
        ContainerCgroups(e.state.cgroups).kill_all(sig);
        return;
    }
    {
        std::lock_guard lock(mu_);
        if (auto it = children_.find(e.state.pid); it != children_.end() && it->second.name == name) {
            if (send_signal(it->second.pidfd.get(), sig) != 0 && errno != ESRCH)
                throw_sys("signal container " + q(name), errno);
            return;
        }
    }
    Fd pfd = open_pidfd(static_cast<pid_t>(e.state.pid), e.state.pid_start);
    if (pfd && send_signal(pfd.get(), sig) != 0 && errno != ESRCH)
        throw_sys("signal container " + q(name), errno);
}

void LinuxSession::destroy(const std::string &name, uint32_t flags) {
    auto e = store_.open(name);
    ContainerCgroups cg(e.state.cgroups);
    // Host devices go back while the container's network namespace still exists.
    net::Network(e.state.spec.network).release(e.dir());
    if (current_state(e) == State::running) {
        if (!(flags & CT_DESTROY_FORCE))
            throw Error(Errc::bad_state, "container " + q(name) + " is running (pid " +
                                             std::to_string(e.state.pid) +
                                             "); stop it first or destroy with force");
        cg.kill_all(SIGKILL);
        if (Fd p = open_pidfd(static_cast<pid_t>(e.state.pid), e.state.pid_start))
            send_signal(p.get(), SIGKILL);  // no cgroup at all (e.g. none available)
    }
    {
        // Ours and never waited for: reap, so no zombie is left behind.
        std::lock_guard lock(mu_);
        if (auto it = children_.find(e.state.pid); it != children_.end() && it->second.name == name) {
            reap(it->second.pidfd.get());
            children_.erase(it);
        }
    }
    if (Fd p = open_pidfd(static_cast<pid_t>(e.state.pid), e.state.pid_start))
        if (!wait_exit(p.get(), 10000))
            throw Error(Errc::backend, "container " + q(name) + " did not die within 10 s of SIGKILL");
    // Processes outside init's pid namespace (or without one) may remain.
    for (int i = 0; !cg.empty(); ++i) {
        if (i == 0 || i % 100 == 0) cg.kill_all(SIGKILL);
        if (i > 1000)
            throw Error(Errc::backend, "container " + q(name) + " still has processes after 10 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(i < 20 ? 1 : 10));
    }
    // A detached start's monitor writes into the state directory; let it finish first.
    if (e.state.monitor_pid)
        if (Fd m = open_pidfd(static_cast<pid_t>(e.state.monitor_pid), e.state.monitor_start))
            wait_exit(m.get(), 5000);
    if (auto err = cg.remove(); !err.empty())
        throw Error(Errc::backend, "remove the cgroups of container " + q(name) + ": " + err +
                                       " (its state is kept: destroy can be retried)");
    store_.remove(name);
}

}  // namespace ct::linux_native
