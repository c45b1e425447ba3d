// Sessions and container handles: open, create, open by name, close.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "internal.hpp"

namespace ct::capi {
namespace {

// The historical local session: containers' cgroups right under each hierarchy's root
// (<controller mount>/<name>), where libct-era programs look for them.
const char *const kLocalUri = "linux:///?cgroup_parent=/";

bool valid_name(const std::string &n) {
    if (n.empty() || n.size() > 64 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

int clone_flag(Namespace ns) {
    switch (ns) {
        case Namespace::mount:
            return CLONE_NEWNS;
        case Namespace::uts:
            return CLONE_NEWUTS;
        case Namespace::ipc:
            return CLONE_NEWIPC;
        case Namespace::pid:
            return CLONE_NEWPID;
        case Namespace::net:
            return CLONE_NEWNET;
        case Namespace::user:
            return CLONE_NEWUSER;
        case Namespace::cgroup:
            return CLONE_NEWCGROUP;
        case Namespace::time:
            return 0x80;  // CLONE_NEWTIME
    }
    return 0;
}

// An existing container's spec as the settings of a handle, so that it can be spawned again.
void adopt(ct_handler &h, const ContainerInfo &info) {
    h.spec = info.spec;
    h.root_set = true;
    for (const auto &n : info.spec.effective_namespaces()) {
        if (n.path.empty())
            h.nsmask |= static_cast<unsigned long>(clone_flag(n.type));
        else
            h.nspaths[clone_flag(n.type)] = n.path;
    }
    h.spec.namespaces.reset();
    for (const auto &n : info.spec.network) {
        auto net = std::make_unique<ct_net>();
        net->ct = &h;
        net->spec = n;
        h.nets.push_back(std::move(net));
    }
    h.spec.network.clear();
}

}  // namespace

}  // namespace ct::capi

using namespace ct::capi;

ct_handler *libct_session::add(std::unique_ptr<ct_handler> h) {
    std::lock_guard l(mu);
    h->s = this;
    containers.push_back(std::move(h));
    return containers.back().get();
}

void libct_session::remove(ct_handler *h) {
    std::unique_ptr<ct_handler> gone;
    {
        std::lock_guard l(mu);
        auto it = std::find_if(containers.begin(), containers.end(),
                               [&](const auto &p) { return p.get() == h; });
        if (it == containers.end()) return;
        gone = std::move(*it);
        containers.erase(it);
    }
}

extern "C" {

libct_session_t libct_session_open(const char *url) {
    return guard_handle<libct_session_t>([&] {
        std::string uri = url && *url && std::string(url) != "local" ? url : kLocalUri;
        auto s = std::make_unique<libct_session>(ct::Session::open(uri));
        // A backend with the LOCAL operations (join: docs/driver-abi.md) has its containers on
        // this machine and acts in this process: by what it does, not by its name.
        const auto &ops = s->session.backend().operations;
        s->local = std::find(ops.begin(), ops.end(), "join") != ops.end();
        log(LOG_INFO, "session " + s->session.uri() + " opened");
        return s.release();
    });
}

libct_session_t libct_session_open_local(void) {
    return libct_session_open(nullptr);
}

void libct_session_close(libct_session_t s) {
    if (bad_handle(s)) return;
    delete s;
}

ct_handler_t libct_container_create(libct_session_t s, const char *name) {
    return guard_handle<ct_handler_t>([&] {
        need(s, "libct_container_create: session");
        std::string n = need_str(name, "libct_container_create: name");
        if (!valid_name(n))
            throw Failure(-LCTERR_INVARG, "container name '" + n +
                                              "' must be 1-64 characters of [A-Za-z0-9_.-], "
                                              "starting with a letter or digit");
        {
            std::lock_guard l(s->mu);
            for (const auto &h : s->containers)
                if (h->name == n)
                    throw Failure(-EEXIST, "container '" + n + "' already has a handle");
        }
        try {
            s->session.get(n);
            throw Failure(-EEXIST, "container '" + n + "' already exists (backend " +
                                       s->session.backend().name + ")");
        } catch (const ct::Error &e) {
            if (e.code() != ct::Errc::not_found) throw;
        }
        auto h = std::make_unique<ct_handler>();
        h->name = n;
        h->spec.name = n;
        return s->add(std::move(h));
    });
}

ct_handler_t libct_container_open(libct_session_t s, const char *name) {
    return guard_handle<ct_handler_t>([&] {
        need(s, "libct_container_open: session");
        std::string n = need_str(name, "libct_container_open: name");
        std::optional<ct::Container> c;
        ct::ContainerInfo info;
        try {
            c = s->session.get(n);
            info = c->info();
        } catch (const ct::Error &e) {
            if (e.code() == ct::Errc::not_found) throw Failure(-LCTERR_NOTFOUND, e.what());
            throw;
        }
        auto h = std::make_unique<ct_handler>();
        h->name = n;
        adopt(*h, info);
        h->ct = std::move(c);
        return s->add(std::move(h));
    });
}

void libct_container_close(ct_handler_t ct) {
    if (bad_handle(ct) || !ct->s) return;
    ct->s->remove(ct);
}

}  // extern "C"
