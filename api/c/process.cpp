// Process descriptions (who and how a container process runs) and process handles.
#include <signal.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>

#include "internal.hpp"

using namespace ct::capi;

namespace {

const char *rlimit_name(int res) {
    switch (res) {
        case RLIMIT_AS:
            return "as";
        case RLIMIT_CORE:
            return "core";
        case RLIMIT_CPU:
            return "cpu";
        case RLIMIT_DATA:
            return "data";
        case RLIMIT_FSIZE:
            return "fsize";
        case RLIMIT_LOCKS:
            return "locks";
        case RLIMIT_MEMLOCK:
            return "memlock";
        case RLIMIT_MSGQUEUE:
            return "msgqueue";
        case RLIMIT_NICE:
            return "nice";
        case RLIMIT_NOFILE:
            return "nofile";
        case RLIMIT_NPROC:
            return "nproc";
        case RLIMIT_RSS:
            return "rss";
        case RLIMIT_RTPRIO:
            return "rtprio";
        case RLIMIT_RTTIME:
            return "rttime";
        case RLIMIT_SIGPENDING:
            return "sigpending";
        case RLIMIT_STACK:
            return "stack";
    }
    return nullptr;
}

template <class F>
int with_desc(ct_process_desc_t p, F &&f) {
    return guard([&] {
        need(p, "process description");
        f(*p);
        return 0;
    });
}

// (uid_t)-1 is no id: setresuid() and setgroups() read it as "leave unchanged", and the
// process would keep root's ids.
void check_id(unsigned int id, const std::string &what) {
    if (id > 4294967294u)
        throw Failure(-LCTERR_INVARG,
                      what + " " + std::to_string(id) + " is not an id (0..4294967294)");
}

int set_groups(ct_process_desc_t p, unsigned int size, unsigned int groups[]) {
    return with_desc(p, [&](ct_process_desc &d) {
        if (size && !groups) throw Failure(-LCTERR_INVARG, "groups is NULL");
        for (unsigned int i = 0; i < size; ++i)
            check_id(groups[i], "libct_process_desc_set_groups: groups[" + std::to_string(i) + "]");
        d.proc.user.additional_gids.assign(groups, groups + size);
    });
}

int wait_status(const ct::ExitStatus &e) {
    return e.signaled ? e.code : (e.code & 0xff) << 8;
}

}  // namespace

extern "C" {

ct_process_desc_t libct_process_desc_create(libct_session_t ses) {
    return guard_handle<ct_process_desc_t>([&] {
        need(ses, "libct_process_desc_create: session");
        return new ct_process_desc;
    });
}

ct_process_desc_t libct_process_desc_copy(ct_process_desc_t p) {
    return guard_handle<ct_process_desc_t>([&] {
        need(p, "libct_process_desc_copy: description");
        return new ct_process_desc(*p);
    });
}

void libct_process_desc_destroy(ct_process_desc_t p) {
    if (!bad_handle(p)) delete p;
}

int libct_process_desc_setuid(ct_process_desc_t p, unsigned int uid) {
    return with_desc(p, [&](ct_process_desc &d) {
        check_id(uid, "libct_process_desc_setuid: uid");
        d.proc.user.uid = uid;
        d.proc.user.name.clear();  // the last call wins
    });
}

int libct_process_desc_setgid(ct_process_desc_t p, unsigned int gid) {
    return with_desc(p, [&](ct_process_desc &d) {
        check_id(gid, "libct_process_desc_setgid: gid");
        d.proc.user.gid = gid;
        d.proc.user.group.clear();
    });
}

int libct_process_desc_set_user(ct_process_desc_t p, const char *user) {
    return with_desc(p, [&](ct_process_desc &d) {
        d.proc.user.name = need_str(user, "user name");
        d.proc.user.uid = 0;
        d.proc.user.gid = 0;
    });
}

int libct_process_desc_set_groups(ct_process_desc_t p, unsigned int size, unsigned int groups[]) {
    return set_groups(p, size, groups);
}

int libct_process_desc_setgroups(ct_process_desc_t p, unsigned int size, unsigned int groups[]) {
    return set_groups(p, size, groups);
}

int libct_process_desc_setgroupts(ct_process_desc_t p, unsigned int size, unsigned int groups[]) {
    return set_groups(p, size, groups);
}

int libct_process_desc_set_rlimit(ct_process_desc_t p, int resource, uint64_t soft, uint64_t hard) {
    return with_desc(p, [&](ct_process_desc &d) {
        const char *name = rlimit_name(resource);
        if (!name) throw Failure(-LCTERR_INVARG, "unknown rlimit " + std::to_string(resource));
        if (soft > hard)
            throw Failure(-LCTERR_INVARG,
                          std::string("rlimit ") + name + ": soft limit above hard");
        auto &rl = d.proc.rlimits;
        std::erase_if(rl, [&](const ct::Rlimit &r) { return r.type == name; });
        rl.push_back({name, soft, hard});
    });
}

int libct_process_desc_set_lsm_label(ct_process_desc_t p, const char *label) {
    return with_desc(p, [&](ct_process_desc &d) {
        if (!label) throw Failure(-LCTERR_INVARG, "set_lsm_label: the label is NULL");
        // The historical library wrote the label to /proc/self/attr/exec, whichever module
        // read it. An SELinux context is user:role:type[:level]; an AppArmor profile is a
        // name. A host without that module refuses the spawn, naming the field.
        std::string l = label;
        d.proc.selinux_label.clear();
        d.proc.apparmor_profile.clear();
        if (l.find(':') != std::string::npos)
            d.proc.selinux_label = l;
        else
            d.proc.apparmor_profile = l;
    });
}

int libct_process_desc_set_caps(ct_process_desc_t p, unsigned long mask, unsigned int apply_to) {
    return with_desc(p, [&](ct_process_desc &d) {
        if (!apply_to || (apply_to & ~static_cast<unsigned>(CAPS_ALL)))
            throw Failure(-LCTERR_INVARG, "apply_to must be CAPS_BSET, CAPS_ALLCAPS or both");
        cap_names(mask);  // checks the mask
        if (apply_to & CAPS_BSET) d.bset = mask;
        if (apply_to & CAPS_ALLCAPS) d.allcaps = mask;
    });
}

int libct_process_desc_set_pdeathsig(ct_process_desc_t p, int sig) {
    return with_desc(p, [&](ct_process_desc &d) {
        if (sig < 0 || sig >= NSIG)
            throw Failure(-LCTERR_INVARG, "signal " + std::to_string(sig) + " is not valid");
        d.pdeathsig = sig;
    });
}

int libct_process_desc_set_fds(ct_process_desc_t p, int *fds, int n) {
    return with_desc(p, [&](ct_process_desc &d) {
        if (n < 0 || (n > 0 && !fds)) throw Failure(-LCTERR_INVARG, "bad fd array");
        for (int i = 0; i < n; ++i)
            if (fds[i] < 0 && fds[i] != LIBCT_CONSOLE_FD)
                throw Failure(-LCTERR_INVARG,
                              "fds[" + std::to_string(i) + "] is " + std::to_string(fds[i]));
        d.fds.emplace(fds, fds + n);
    });
}

int libct_process_desc_set_env(ct_process_desc_t p, char **env, int envn) {
    return with_desc(p, [&](ct_process_desc &d) {
        if (envn < 0 || (envn > 0 && !env)) throw Failure(-LCTERR_INVARG, "bad environment array");
        std::vector<std::string> e;
        for (int i = 0; i < envn && env[i]; ++i) e.push_back(env[i]);
        d.proc.env = std::move(e);
        d.env_set = true;
    });
}

int libct_process_wait(ct_process_t p, int *status) {
    return guard([&] {
        need(p, "process");
        if (!p->status) {
            ct::ExitStatus e = p->init ? p->ct.wait() : p->ct.wait_process(p->pid);
            p->status = wait_status(e);
        }
        if (status) *status = *p->status;
        return 0;
    });
}

void libct_process_destroy(ct_process_t p) {
    if (!bad_handle(p)) delete p;
}

int libct_process_get_pid(ct_process_t p) {
    if (bad_handle(p)) return -LCTERR_INVARG;
    return static_cast<int>(p->pid);
}

struct libct_processes *libct_container_processes(ct_handler_t ct) {
    return guard_handle<struct libct_processes *>([&] {
        auto l = lock(ct);
        if (!ct->ct || ct->held.active())
            throw Failure(-LCTERR_BADCTSTATE, "container '" + ct->name + "' has no processes");
        auto list = ct->ct->processes();
        auto *out = static_cast<struct libct_processes *>(
            std::malloc(sizeof(struct libct_processes) + list.size() * sizeof(int)));
        if (!out) throw std::bad_alloc();
        out->nproc = static_cast<int>(list.size());
        for (size_t i = 0; i < list.size(); ++i) out->array[i] = static_cast<int>(list[i].pid);
        return out;
    });
}

void libct_processes_free(struct libct_processes *p) {
    if (!bad_handle(p)) std::free(p);
}

}  // extern "C"
