// ct-oci's commands, each a function of the parsed command line returning the exit code. They
// reach containers through the public API (ct::Session on linux:///?root=<--root>), nothing
// else.
#pragma once

#include <optional>
#include <string>

#include "cli.hpp"
#include "ct/session.hpp"
#include "log.hpp"

namespace ct::oci {

class Context {
  public:
    Context(CommandLine cl, Log log) : cl(std::move(cl)), log(std::move(log)) {}
    CommandLine cl;
    Log log;

    Session &session();
    // The single container ID the command takes (args[0]); exactly `nargs` arguments.
    std::string id(size_t nargs = 1) const;
    // The container `id`; Errc::not_found with runc's "does not exist" wording.
    Container container(const std::string &id);

  private:
    std::optional<Session> session_;
};

// cmd_lifecycle.cpp
int cmd_create(Context &c);
int cmd_start(Context &c);
int cmd_run(Context &c);
int cmd_state(Context &c);
int cmd_kill(Context &c);
int cmd_delete(Context &c);
int cmd_list(Context &c);
int cmd_ps(Context &c);
// cmd_exec.cpp
int cmd_exec(Context &c);
// cmd_running.cpp
int cmd_pause(Context &c);
int cmd_resume(Context &c);
int cmd_update(Context &c);
int cmd_events(Context &c);
// cmd_checkpoint.cpp
int cmd_checkpoint(Context &c);
int cmd_restore(Context &c);
// cmd_info.cpp
int cmd_features(Context &c);
int cmd_spec(Context &c);
int cmd_version(Context &c);

// io.cpp: what create, run, exec and restore share.
// The fds of a process: --preserve-fds N passes 3..3+N-1 on; --console-socket connects.
struct ProcessIo {
    StartOptions options;
    int console = -1;  // our end of the console socket, closed by the destructor
    ~ProcessIo();
};
void setup_io(const Context &c, bool terminal, ProcessIo &io);
// Connects to the engine's console socket at `path`: `fd` is set first (the caller closes it,
// also when this throws), then connected; Errc::invalid_argument naming the socket.
void connect_console_socket(const std::string &path, int &fd);
// Writes the pid file (atomically: engines read it as soon as it appears).
void write_pid_file(const std::string &path, int64_t pid);
// An absolute path of `p` (relative to the working directory).
std::string absolute(const std::string &p);
// The spec of container `id` from `bundle`'s config.json (absolute), its warnings logged.
Spec bundle_spec(Context &c, const std::string &id, const std::string &bundle);
// "SIGKILL", "KILL", "9" -> 9; Errc::invalid_argument naming it otherwise.
int parse_signal(const std::string &s);

}  // namespace ct::oci
