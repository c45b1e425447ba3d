// Starting containers and entering them: libct_container_spawn_* and _enter_*. The recorded
// settings become a ct::Spec, the container is created and started (ct::Session::create,
// ct::Container::start); entering is ct::Container::exec. Callbacks run in a fork of the
// caller (ct::StartOptions::fn), so only a backend in this process can run them.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>

#include "internal.hpp"

extern char **environ;

using namespace ct::capi;

namespace {

// Most fds a process can be handed (the linux backend's limit).
const int kMaxFds = 1024;

// What the new process runs.
struct Launch {
    bool callback = false;
    int (*fn)(void *) = nullptr;
    void *arg = nullptr;
    std::string path;
    std::vector<std::string> argv;
    std::optional<std::vector<std::string>> env;  // execve's; unset: execv
};

Launch callback(int (*fn)(void *), void *arg) {
    Launch l;
    l.callback = true;
    l.fn = fn;
    l.arg = arg;
    return l;
}

Launch command(const char *path, char *const argv[], char *const env[], bool with_env) {
    Launch l;
    l.path = need_str(path, "path");
    for (char *const *a = argv; a && *a; ++a) l.argv.push_back(*a);
    if (with_env && env) {
        l.env.emplace();
        for (char *const *e = env; *e; ++e) l.env->push_back(*e);
    }
    return l;
}

// In the process a callback runs in (a fork of the caller, once the container is set up):
// what the C API adds around the caller's function.
struct Trampoline {
    int (*fn)(void *) = nullptr;
    void *arg = nullptr;
    int pdeathsig = 0;
    int gate = -1;  // TASKLESS: wait for EOF here before exiting (the caller holds the namespaces)
    int ctty = -1;  // the console, made the controlling terminal of this session leader

    static int run(void *self) {
        auto *t = static_cast<Trampoline *>(self);
        if (t->pdeathsig) ::prctl(PR_SET_PDEATHSIG, t->pdeathsig, 0, 0, 0);
        // As the historical library did: the console's Ctrl-C and job control reach it.
        if (t->ctty >= 0 && ::ioctl(t->ctty, TIOCSCTTY, 0) != 0) {
            static const char kMsg[] =
                "libct: cannot make the console the controlling terminal (TIOCSCTTY)\n";
            ssize_t n = ::write(2, kMsg, sizeof kMsg - 1);
            (void)n;
            return 126;
        }
        int rc = t->fn ? t->fn(t->arg) : 0;
        if (t->gate >= 0) {
            char c;
            while (::read(t->gate, &c, 1) > 0 || errno == EINTR) {
            }
        }
        return rc;
    }
};

// Every open fd of the caller, as fds[i] = i: a callback is a fork of the caller and keeps
// its descriptors (holes become /dev/null).
std::vector<int> caller_fds() {
    std::vector<int> fds;
    DIR *d = ::opendir("/proc/self/fd");
    if (!d) throw Failure(-errno, "list /proc/self/fd");
    int self = ::dirfd(d);
    while (auto *e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        int fd = std::atoi(e->d_name);
        if (fd == self) continue;
        if (fd >= kMaxFds) {
            log(LOG_WARN, "fd " + std::to_string(fd) + " is not passed to the callback (above " +
                              std::to_string(kMaxFds - 1) + ")");
            continue;
        }
        if (fd >= static_cast<int>(fds.size())) fds.resize(fd + 1, -1);
        fds[fd] = fd;
    }
    ::closedir(d);
    return fds;
}

// Every capability this kernel knows (for a backend elsewhere: every one we know).
std::vector<std::string> all_caps(bool local) {
    unsigned last = 40;
    if (local) {
        std::ifstream f("/proc/sys/kernel/cap_last_cap");
        unsigned v;
        if (f >> v && v < last) last = v;
    }
    return cap_names(last >= 63 ? ~0UL : (2UL << last) - 1);
}

ct::ProcessSpec process_of(ct_handler *h, ct_process_desc *d, const Launch &l) {
    ct::ProcessSpec p = d ? d->proc : ct::ProcessSpec{};
    if (l.callback) {
        // Never executed (the callback runs instead); the spec needs a command.
        p.args = {"libct:callback"};
    } else {
        p.args = l.argv;
        // The spec has no separate executable: argv[0] becomes the path.
        if (p.args.empty())
            p.args.push_back(l.path);
        else
            p.args[0] = l.path;
        if (l.env)
            p.env = *l.env;
        else if (!d || !d->env_set)
            p.env = caller_env();
    }
    if (d && (d->bset || d->allcaps)) {
        ct::Capabilities c;
        c.bounding = d->bset ? cap_names(*d->bset) : all_caps(h->s->local);
        auto sets = d->allcaps ? cap_names(*d->allcaps) : c.bounding;
        c.effective = c.permitted = sets;
        if (d->allcaps) c.inheritable = sets;
        p.capabilities = c;
    }
    if (d && d->pdeathsig && !l.callback) p.parent_death_signal = d->pdeathsig;
    return p;
}

// The host path of the terminal behind `fd` (/dev/pts/N).
std::string tty_path(int fd) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
    if (n <= 0) throw Failure(-errno, "find the console terminal's path");
    return std::string(buf, static_cast<size_t>(n));
}

void add_namespaces(ct_handler *h, ct::Spec &s) {
    static const std::pair<int, ct::Namespace> kOrder[] = {
        {CLONE_NEWNS, ct::Namespace::mount},     {CLONE_NEWUTS, ct::Namespace::uts},
        {CLONE_NEWIPC, ct::Namespace::ipc},      {CLONE_NEWPID, ct::Namespace::pid},
        {CLONE_NEWNET, ct::Namespace::net},      {CLONE_NEWUSER, ct::Namespace::user},
        {CLONE_NEWCGROUP, ct::Namespace::cgroup}};
    std::vector<ct::NamespaceSpec> ns;
    for (const auto &[flag, type] : kOrder) {
        if (auto it = h->nspaths.find(flag); it != h->nspaths.end())
            ns.push_back({type, it->second});
        else if (h->nsmask & static_cast<unsigned long>(flag))
            ns.push_back({type, ""});
    }
    s.namespaces = ns;
}

void add_network(ct_handler *h, ct::Spec &s) {
    for (const auto &n : h->nets) s.network.push_back(n->spec);
    for (const auto &r : h->routes) {
        std::string dev = r->dev, gw;
        if (!r->nhs.empty()) {
            gw = r->nhs[0]->gw;
            if (!r->nhs[0]->dev.empty()) dev = r->nhs[0]->dev;
        }
        auto it = std::find_if(s.network.begin(), s.network.end(),
                               [&](const ct::NetInterfaceSpec &i) { return i.name == dev; });
        if (dev.empty() && s.network.size() == 1) it = s.network.begin();
        if (it == s.network.end())
            throw Failure(-LCTERR_INVARG, "container '" + h->name + "': a route " +
                                              (dev.empty() ? std::string("without a device")
                                                           : "through '" + dev +
                                                                 "', which is not one of its "
                                                                 "devices,") +
                                              " (routes go through the container's own devices)");
        it->routes.push_back({r->dst.empty() ? "default" : r->dst, gw, 0});
    }
}

bool own_mount_ns(const ct_handler *h) {
    return (h->nsmask & CLONE_NEWNS) && !h->nspaths.count(CLONE_NEWNS);
}

ct::Spec build_spec(ct_handler *h, ct_process_desc *d, const Launch &l) {
    ct::Spec s = h->spec;
    s.name = h->name;
    if (!h->root_set) s.rootfs = "/";  // the historical default: the caller's root
    add_namespaces(h, s);
    s.process = process_of(h, d, l);
    // Without a root of its own the init starts where the caller is, as it did historically
    // (relative paths in argv work); with one, at its root.
    if (!h->root_set && h->s->local && s.process.cwd == "/") {
        char cwd[PATH_MAX];
        if (::getcwd(cwd, sizeof cwd)) s.process.cwd = cwd;
    }
    if (h->opt_nosetsid) s.process.new_session = false;
    add_network(h, s);
    // The console shows as /dev/console in a root of the container's own, with its mount
    // namespace. Otherwise it is only the terminal handed over (LIBCT_CONSOLE_FD, the
    // callback's controlling terminal), as historically: no mount namespace is needed, and
    // over the host's root the fresh /dev hides the host's /dev/pts it would be bound from.
    if (h->console_fd >= 0 && own_mount_ns(h) && h->root_set)
        s.mounts.push_back({tty_path(h->console_fd), "/dev/console", "bind", {"bind"}});
    // Writable, as the historical library mounted it: the option exists so that the
    // container can make sub-groups of its own (docs/c-api.md, "Confinement").
    if (h->cgroup_submount) s.mounts.push_back({"", *h->cgroup_submount, "cgroup", {"rw"}});
    for (int c : h->controllers) s.cgroups.push_back(controller_name(c));
    if (h->opt_killable) s.cgroups.push_back("name=libct");
    return s;
}

// The fds the process gets (empty: stdio as the caller's).
std::vector<int> process_fds(ct_handler *h, ct_process_desc *d, const Launch &l) {
    std::vector<int> fds;
    if (d && d->fds) {
        for (int fd : *d->fds) {
            if (fd != LIBCT_CONSOLE_FD) {
                fds.push_back(fd);
                continue;
            }
            if (h->console_fd < 0)
                throw Failure(-LCTERR_INVARG, "container '" + h->name +
                                                  "': LIBCT_CONSOLE_FD needs a console "
                                                  "(libct_container_set_console_fd)");
            fds.push_back(h->console_fd);
        }
    } else if (l.callback && h->s->local) {
        fds = caller_fds();
    }
    return fds;
}

// The fd number the console has in the new process (-1: it has none, or it stays in the
// caller's session, LIBCT_OPT_NOSETSID, and cannot take a terminal of its own).
int console_in(const ct_handler *h, const std::vector<int> &fds) {
    if (h->console_fd < 0 || h->opt_nosetsid) return -1;
    for (size_t i = 0; i < fds.size(); ++i)
        if (fds[i] == h->console_fd) return static_cast<int>(i);
    return -1;
}

// Callbacks run in a fork of this process: only a backend in this process can make that fork
// a container's process.
void callbacks_here(ct_handler *h, const Launch &l) {
    if (l.callback && !h->s->local)
        throw Failure(-LCTERR_OPNOTSUPP,
                      "container '" + h->name +
                          "': a callback runs in a fork of this process, "
                          "which backend " +
                          h->s->session.backend().name +
                          " cannot make its container's init (give a command instead)");
}

// What the options need, checked before anything is made.
void check_options(ct_handler *h, const Launch &l) {
    if (h->opt_taskless) {
        if (!l.callback)
            throw Failure(-LCTERR_INVARG, "container '" + h->name +
                                              "': a TASKLESS container is spawned with "
                                              "libct_container_spawn_cb");
        if ((h->nsmask & CLONE_NEWPID) && !h->nspaths.count(CLONE_NEWPID))
            throw Failure(-LCTERR_INVARG,
                          "container '" + h->name +
                              "': a TASKLESS container cannot have a new pid namespace (it "
                              "ends with its init)");
    } else if (l.callback && !l.fn) {
        throw Failure(-LCTERR_INVARG, "container '" + h->name + "': the callback is NULL");
    }
    callbacks_here(h, l);
}

// Starts `c`; a failing command of a mount is LCTERR_CANTMOUNT, as it was historically (the
// backend names it as the field of its mount: "mounts[N].hooks.pre[M] (...)").
pid_t start_mounting(ct::Container &c, const ct::StartOptions &o) {
    try {
        return c.start(o);
    } catch (const ct::Error &e) {
        std::string m = e.what();
        auto at = m.find("mounts[");
        if (at != std::string::npos && m.find("].hooks.p", at) != std::string::npos)
            throw Failure(-LCTERR_CANTMOUNT, m);
        throw;
    }
}

void apply_knobs(ct_handler *h, ct::Container &c) {
    for (const auto &k : h->knobs) write_cgroup_file(c, k.controller, k.param, k.value);
}

ct_process_t spawn(ct_handler *h, ct_process_desc *d, const Launch &l) {
    auto lk = lock(h);
    if (d) need(d, "process description");
    h->require_stopped();
    check_options(h, l);
    ct::Spec spec = build_spec(h, d, l);
    if (h->ct) {  // a previous run, stopped: it is made again with today's settings
        h->ct->destroy(true);
        h->ct.reset();
    }

    // Made (so validated, with its host paths checked) first: the mounts' commands run at
    // start, so a rejected spec runs none.
    ct::Container c = h->s->session.create(spec);
    int gate[2] = {-1, -1};
    auto undo = [&] {
        if (gate[0] >= 0) ::close(gate[0]);
        if (gate[1] >= 0) ::close(gate[1]);
        h->held.release();
        try {
            c.destroy(true);
        } catch (const ct::Error &e) {
            log(LOG_ERROR, std::string("roll back: ") + e.what());
        }
    };
    try {
        apply_knobs(h, c);
        ct::StartOptions o;
        o.fds = process_fds(h, d, l);
        // A command's console is its controlling terminal, as the old libct made it whatever
        // fds the command got: the backend does it after its setsid (by stdin when the console
        // is that, else by the console's fd here, which the command keeps only if among its
        // fds); a callback does it itself.
        if (!l.callback && h->console_fd >= 0 && !h->opt_nosetsid) {
            o.controlling_terminal = true;
            if (console_in(h, o.fds) != 0) o.controlling_terminal_fd = h->console_fd;
        }
        Trampoline t;
        if (l.callback) {
            t.fn = l.fn;
            t.arg = l.arg;
            t.pdeathsig = d ? d->pdeathsig : 0;
            if (h->opt_taskless) {
                if (::pipe2(gate, O_CLOEXEC) != 0) throw Failure(-errno, "pipe");
                if (o.fds.empty()) o.fds = {0, 1, 2};
                t.gate = static_cast<int>(o.fds.size());
                o.fds.push_back(gate[0]);
            }
            t.ctty = console_in(h, o.fds);
            o.fn = &Trampoline::run;
            o.fn_arg = &t;
        }
        auto *p = new ct_process{c, 0, true, std::nullopt};
        std::unique_ptr<ct_process> proc(p);
        proc->pid = start_mounting(c, o);
        if (h->opt_taskless) {
            ::close(gate[0]);
            gate[0] = -1;
            h->held.hold(c);
            ::close(gate[1]);  // the init may go now
            gate[1] = -1;
            ct::ExitStatus es = c.wait();
            proc->status = es.signaled ? es.code : (es.code & 0xff) << 8;
        }
        h->ct = c;
        log(LOG_INFO, "container '" + h->name + "' spawned, init pid " + std::to_string(proc->pid));
        return proc.release();
    } catch (...) {
        undo();
        throw;
    }
}

ct_process_t enter(ct_handler *h, ct_process_desc *d, const Launch &l) {
    auto lk = lock(h);
    if (d) need(d, "process description");
    if (h->held.active())
        throw Failure(-LCTERR_OPNOTSUPP, "container '" + h->name +
                                             "' is TASKLESS: it has no process to enter "
                                             "beside; use libct_container_switch");
    if (l.callback && !l.fn)
        throw Failure(-LCTERR_INVARG, "container '" + h->name + "': the callback is NULL");
    callbacks_here(h, l);
    auto st = h->backend_state();
    if (st != ct::State::running)
        throw Failure(-LCTERR_BADCTSTATE,
                      "container '" + h->name + "' is " + ct::state_name(st) + ", not running");
    ct::ProcessSpec proc = process_of(h, d, l);
    ct::StartOptions o;
    o.fds = process_fds(h, d, l);
    Trampoline t;
    if (l.callback) {
        t.fn = l.fn;
        t.arg = l.arg;
        t.pdeathsig = d ? d->pdeathsig : 0;
        o.fn = &Trampoline::run;
        o.fn_arg = &t;
    }
    auto proc_handle = std::make_unique<ct_process>(ct_process{*h->ct, 0, false, std::nullopt});
    proc_handle->pid = h->ct->exec(proc, o);
    return proc_handle.release();
}

}  // namespace

extern "C" {

ct_process_t libct_container_spawn_cb(ct_handler_t ct, ct_process_desc_t pr, int (*fn)(void *),
                                      void *arg) {
    return guard_handle<ct_process_t>([&] { return spawn(ct, pr, callback(fn, arg)); });
}

ct_process_t libct_container_spawn_execv(ct_handler_t ct, ct_process_desc_t pr, const char *path,
                                         char *const argv[]) {
    return guard_handle<ct_process_t>(
        [&] { return spawn(ct, pr, command(path, argv, nullptr, false)); });
}

ct_process_t libct_container_spawn_execve(ct_handler_t ct, ct_process_desc_t pr, const char *path,
                                          char *const argv[], char *const env[]) {
    return guard_handle<ct_process_t>(
        [&] { return spawn(ct, pr, command(path, argv, env, true)); });
}

ct_process_t libct_container_enter_cb(ct_handler_t ct, ct_process_desc_t p, int (*fn)(void *),
                                      void *arg) {
    return guard_handle<ct_process_t>([&] { return enter(ct, p, callback(fn, arg)); });
}

ct_process_t libct_container_enter_execv(ct_handler_t ct, ct_process_desc_t p, const char *path,
                                         char *const argv[]) {
    return guard_handle<ct_process_t>(
        [&] { return enter(ct, p, command(path, argv, nullptr, false)); });
}

ct_process_t libct_container_enter_execve(ct_handler_t ct, ct_process_desc_t p, const char *path,
                                          char *const argv[], char *const env[]) {
    return guard_handle<ct_process_t>([&] { return enter(ct, p, command(path, argv, env, true)); });
}

}  // extern "C"
