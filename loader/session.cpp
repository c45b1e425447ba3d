// ct::Session and ct::Container: thin wrappers over the backend's operation table.
#include <cstdlib>

#include "ct/internal/document.hpp"
#include "ct/session.hpp"
#include "host.hpp"
#include "session_core.hpp"

namespace ct {
namespace detail {

SessionCore::~SessionCore() {
    if (session && lb->desc->ops.close) lb->desc->ops.close(session);
}

Error SessionCore::make_error(int rc, const std::string &what, const std::string &msg,
                              int sys_errno) const {
    Errc code =
        rc >= CT_ERR_INVALID_SPEC && rc <= CT_ERR_EXEC ? static_cast<Errc>(rc) : Errc::backend;
    // A remote session names the backend that failed and how it is reached ("linux+ssh"),
    // so that its messages read like the local ones plus the transport.
    std::string name = uri.transport.empty() ? lb->name : uri.scheme;
    std::string text = what + " (backend " + name + "): ";
    text += msg.empty() ? std::string("failed with status ") + errc_name(code) +
                              " and no message (a backend bug)"
                        : msg;
    return Error(code, text, sys_errno);
}

}  // namespace detail

namespace {

ct_proc_args proc_args(const StartOptions &o, const std::string *process_doc) {
    ct_proc_args a{};
    a.size = sizeof a;
    a.flags = (o.detach ? CT_PROC_DETACH : 0) | (o.defer_exec ? CT_PROC_DEFER_EXEC : 0) |
              (o.controlling_terminal ? CT_PROC_CONTROLLING_TTY : 0);
    a.stdin_fd = o.stdio.in;
    a.stdout_fd = o.stdio.out;
    a.stderr_fd = o.stdio.err;
    a.process_doc = process_doc ? process_doc->c_str() : nullptr;
    a.console_socket = o.console_socket;
    a.nfds = static_cast<uint32_t>(o.fds.size());
    a.fds = o.fds.empty() ? nullptr : o.fds.data();
    a.fn = o.fn;
    a.fn_arg = o.fn_arg;
    a.ctty_fd = o.controlling_terminal_fd;
    return a;
}

std::string sq(const std::string &name) {
    return "'" + name + "'";
}

}  // namespace

std::shared_ptr<detail::SessionCore> detail::open_core(const std::string &uri_text) {
    std::string text = uri_text;
    if (text.empty())
        if (const char *env = std::getenv("CT_CONNECT")) text = env;
    auto core = std::make_shared<detail::SessionCore>();
    core->uri = uri::parse_uri(text);
    core->lb = &loader::for_uri(core->uri);
    core->info = loader::describe(*core->lb);
    detail::StringOut err;
    int rc = core->lb->desc->ops.open(loader::host_services(), core->uri.text.c_str(),
                                      &core->session, &err);
    if (rc != CT_OK) {
        core->session = nullptr;
        throw core->make_error(rc, "open session " + core->uri.text, err.data, err.err);
    }
    return core;
}

Session Session::open(const std::string &uri_text) {
    return Session(detail::open_core(uri_text));
}

Container Session::create(const Spec &spec) {
    std::string what = "create container " + sq(spec.name);
    try {
        validate(spec);
    } catch (const Error &e) {
        throw Error(e.code(), what + ": " + e.what());
    }
    std::string doc = doc::encode_spec(spec);
    core_->call(&ct_backend_ops::create, "create", what, doc.c_str());
    return Container(core_, spec.name);
}

Container Session::get(const std::string &name) {
    // Asking for info both checks existence and keeps one round trip for remote backends.
    detail::StringOut doc;
    core_->call(&ct_backend_ops::info, "info", "get container " + sq(name), name.c_str(),
                static_cast<ct_out *>(&doc));
    return Container(core_, name);
}

std::vector<ContainerInfo> Session::list() {
    detail::StringOut doc;
    core_->call(&ct_backend_ops::list, "list", "list containers", static_cast<ct_out *>(&doc));
    auto j = doc::parse(doc.data, "container list from the backend");
    std::vector<ContainerInfo> out;
    if (!j.is_array())
        throw Error(Errc::backend, "backend " + core_->lb->name +
                                       " returned a container list that is not "
                                       "a JSON array");
    for (const auto &e : j) out.push_back(doc::info_from_json(e));
    return out;
}

const std::string &Session::uri() const {
    return core_->uri.text;
}
const BackendInfo &Session::backend() const {
    return core_->info;
}

Container Session::restore(const std::string &name, const RestoreOptions &opts) {
    std::string what = "restore container " + sq(name);
    if (opts.dir.empty()) throw Error(Errc::invalid_argument, what + ": no image directory given");
    nlohmann::json j{{"dir", opts.dir},
                     {"detach", opts.detach},
                     {"stdio", {opts.stdio.in, opts.stdio.out, opts.stdio.err}}};
    if (opts.console_socket >= 0) j["console_socket"] = opts.console_socket;
    if (opts.spec) {
        Spec spec = *opts.spec;
        spec.name = name;  // the restored container's, whatever the spec was written for
        try {
            // The process comes from the images: a restore's spec may leave it out.
            Spec checked = spec;
            if (checked.process.args.empty()) checked.process.args = {"/proc/self/exe"};
            validate(checked);
        } catch (const Error &e) {
            throw Error(e.code(), what + ": " + e.what());
        }
        j["spec"] = doc::spec_to_json(spec);
    }
    std::string doc = j.dump();
    core_->call(&ct_backend_ops::restore, "restore", what, name.c_str(), doc.c_str());
    return Container(core_, name);
}

std::vector<BackendInfo> list_backends() {
    std::vector<BackendInfo> out;
    for (const auto *lb : loader::discover()) out.push_back(loader::describe(*lb));
    return out;
}

std::vector<std::string> backend_search_path() {
    return loader::search_path();
}

int64_t Container::start(const StartOptions &opts) {
    int64_t pid = 0;
    auto a = proc_args(opts, nullptr);
    core_->call(&ct_backend_ops::start, "start", "start container " + sq(name_), name_.c_str(),
                static_cast<const ct_proc_args *>(&a), &pid);
    return pid;
}

int64_t Container::start(const ProcessSpec &process, const StartOptions &opts) {
    int64_t pid = 0;
    std::string doc = doc::encode_process(process);
    auto a = proc_args(opts, &doc);
    core_->call(&ct_backend_ops::start, "start", "start container " + sq(name_), name_.c_str(),
                static_cast<const ct_proc_args *>(&a), &pid);
    return pid;
}

ExitStatus Container::wait(std::optional<std::chrono::milliseconds> timeout) {
    return wait_process(0, timeout);
}

ExitStatus Container::wait_process(int64_t pid, std::optional<std::chrono::milliseconds> timeout) {
    int wstatus = 0;
    int64_t ms = timeout ? timeout->count() : -1;
    std::string what =
        pid ? "wait for process " + std::to_string(pid) + " of container " + sq(name_)
            : "wait for container " + sq(name_);
    core_->call(&ct_backend_ops::wait, "wait", what, name_.c_str(), pid, ms, &wstatus);
    return ExitStatus::from_wait_status(wstatus);
}

void Container::kill(int sig, bool all) {
    core_->call(&ct_backend_ops::kill, "kill", "kill container " + sq(name_), name_.c_str(),
                int64_t{0}, sig, all ? CT_KILL_ALL : 0u);
}

void Container::kill_process(int64_t pid, int sig) {
    core_->call(&ct_backend_ops::kill, "kill",
                "kill process " + std::to_string(pid) + " of container " + sq(name_), name_.c_str(),
                pid, sig, 0u);
}

void Container::destroy(bool force) {
    core_->call(&ct_backend_ops::destroy, "destroy", "destroy container " + sq(name_),
                name_.c_str(), force ? CT_DESTROY_FORCE : 0u);
}

State Container::state() {
    return info().state;
}

ContainerInfo Container::info() {
    detail::StringOut doc;
    core_->call(&ct_backend_ops::info, "info", "get info of container " + sq(name_), name_.c_str(),
                static_cast<ct_out *>(&doc));
    return doc::info_from_json(doc::parse(doc.data, "container info from the backend"));
}

int64_t Container::exec(const ProcessSpec &process, const StartOptions &opts) {
    if (process.args.empty() || process.args[0].empty())
        throw Error(Errc::invalid_spec,
                    "exec in container " + sq(name_) + ": process.args is empty");
    int64_t pid = 0;
    std::string doc = doc::encode_process(process);
    auto a = proc_args(opts, &doc);
    core_->call(&ct_backend_ops::exec, "exec", "exec in container " + sq(name_), name_.c_str(),
                static_cast<const ct_proc_args *>(&a), &pid);
    return pid;
}

std::string Container::read_cgroup(const std::string &controller, const std::string &file) {
    detail::StringOut data;
    core_->call(&ct_backend_ops::cgroup_read, "cgroup_read",
                "read cgroup file " + controller + "/" + file + " of container " + sq(name_),
                name_.c_str(), controller.c_str(), file.c_str(), static_cast<ct_out *>(&data));
    return data.data;
}

void Container::write_cgroup(const std::string &controller, const std::string &file,
                             const std::string &value) {
    core_->call(&ct_backend_ops::cgroup_write, "cgroup_write",
                "write cgroup file " + controller + "/" + file + " of container " + sq(name_),
                name_.c_str(), controller.c_str(), file.c_str(), value.c_str());
}

void Container::hold_namespaces(bool hold) {
    core_->call(
        &ct_backend_ops::hold, "hold",
        std::string(hold ? "hold" : "let go of") + " the namespaces of container " + sq(name_),
        name_.c_str(), hold ? 0u : CT_HOLD_RELEASE);
}

void Container::join() {
    core_->call(&ct_backend_ops::join, "join", "join container " + sq(name_), name_.c_str());
}

void Container::pause() {
    core_->call(&ct_backend_ops::pause, "pause", "pause container " + sq(name_), name_.c_str());
}

void Container::resume() {
    core_->call(&ct_backend_ops::resume, "resume", "resume container " + sq(name_), name_.c_str());
}

void Container::update(const Resources &resources) {
    std::string what = "update container " + sq(name_);
    try {
        validate(resources);
    } catch (const Error &e) {
        throw Error(e.code(), what + ": " + e.what());
    }
    std::string doc = doc::resources_to_json(resources).dump();
    core_->call(&ct_backend_ops::update, "update", what, name_.c_str(), doc.c_str());
}

Stats Container::stats() {
    detail::StringOut doc;
    core_->call(&ct_backend_ops::stats, "stats", "get stats of container " + sq(name_),
                name_.c_str(), static_cast<ct_out *>(&doc));
    return doc::stats_from_json(doc::parse(doc.data, "stats from the backend"));
}

std::vector<ProcessInfo> Container::processes() {
    detail::StringOut doc;
    core_->call(&ct_backend_ops::processes, "processes", "list processes of container " + sq(name_),
                name_.c_str(), static_cast<ct_out *>(&doc));
    return doc::processes_from_json(doc::parse(doc.data, "process list from the backend"));
}

void Container::checkpoint(const CheckpointOptions &opts) {
    std::string what = "checkpoint container " + sq(name_);
    if (opts.dir.empty()) throw Error(Errc::invalid_argument, what + ": no image directory given");
    nlohmann::json j{{"dir", opts.dir},
                     {"leave_running", opts.leave_running},
                     {"tcp_established", opts.tcp_established},
                     {"file_locks", opts.file_locks}};
    std::string doc = j.dump();
    core_->call(&ct_backend_ops::checkpoint, "checkpoint", what, name_.c_str(), doc.c_str());
}

// Container::migrate: loader/migrate.cpp.

}  // namespace ct
