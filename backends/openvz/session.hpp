// The operations of the openvz backend: the driver ABI's slots, in C++ (backend.cpp is the C
// boundary). Every host change goes through vzctl/vzmigrate (run by a Runner); the host's state
// is read from vzctl status, vzlist and the files Host knows.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "ct/driver.h"
#include "ct/info.hpp"
#include "generation.hpp"
#include "host.hpp"
#include "runner.hpp"
#include "state.hpp"
#include "status.hpp"

namespace ct::openvz {

struct Tools {
    std::string vzctl, vzlist;
    std::string vzmigrate;  // empty: not installed (migrate is then unsupported)
};

// How the documents of info, list, stats and ps are written: they hold text of the host's
// (confs edited by hand, the names processes give themselves inside a container), which need
// not be UTF-8 as JSON must be. Such bytes are shown as U+FFFD instead of failing the answer.
inline constexpr auto kShown = nlohmann::json::error_handler_t::replace;

class OpenVzSession {
  public:
    // Opens `uri` on this host: checks /proc/vz, finds vzctl, vzlist (and vzmigrate) and asks
    // vzctl which generation it is (`vzctl --version`), once.
    explicit OpenVzSession(const std::string &uri);
    // With explicit tools and runner (tests: a recorder instead of real processes).
    OpenVzSession(SessionOptions o, Tools tools, std::unique_ptr<Runner> runner);

    void create(const std::string &spec_doc);
    std::string list();
    std::string info(const std::string &name);
    int64_t start(const std::string &name, const ct_proc_args &args);
    int wait(const std::string &name, int64_t pid, int64_t timeout_ms);
    void kill(const std::string &name, int64_t pid, int sig, uint32_t flags);
    void destroy(const std::string &name, uint32_t flags);
    int64_t exec(const std::string &name, const ct_proc_args &args);
    void pause(const std::string &name);
    void resume(const std::string &name);
    void update(const std::string &name, const std::string &resources_doc);
    std::string stats(const std::string &name);
    std::string processes(const std::string &name);
    void checkpoint(const std::string &name, const std::string &opts_doc);
    void restore(const std::string &name, const std::string &opts_doc);
    void migrate(const std::string &name, const std::string &opts_doc);

    const Tools &tools() const { return tools_; }
    const ToolVersion &tool_version() const { return tool_; }

  private:
    enum class Kind { missing, created, running, paused, stopped };

    Generation gen() const { return tool_.generation; }
    RunResult vz(const Argv &argv);  // runs; a failure is Errc::backend with vzctl's words
    // What vz() makes of a tool's result.
    static RunResult checked(const Argv &argv, RunResult r);
    VzStatus status(const std::string &ctid);
    // Errc::bad_state unless the container runs and is not paused ("is paused", "is not
    // running").
    void need_running(const std::string &ctid, const VzStatus &s) const;
    // `vzctl set CTID <options> --save` for each command of the plan.
    void apply(const std::string &ctid, const SetPlan &plan);
    Kind kind_of(const VzStatus &s, const std::optional<CtState> &st) const;
    VzStatus need(const std::string &ctid);  // exists, or Errc::not_found
    ContainerInfo describe(const std::string &ctid, const VzStatus &s,
                           const std::map<std::string, int64_t> &init_pids);
    Spec synthesize(const std::string &ctid, const Conf &conf, const Conf &vz) const;
    void create_from_dir(const Spec &s);
    int64_t spawn(const std::string &ctid, const ProcessSpec &p, const ct_proc_args &args,
                  bool init);
    int wait_process(const std::string &ctid, int64_t pid, int64_t timeout_ms);
    void await_init_monitor(const std::string &ctid);
    void signal_inside(const std::string &ctid, int sig, const char *target);

    Host host_;
    Tools tools_;
    std::unique_ptr<Runner> runner_;
    StateStore store_;
    ToolVersion tool_;
};

}  // namespace ct::openvz
