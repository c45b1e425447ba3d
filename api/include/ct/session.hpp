// ct::Session: a connection to one backend, chosen by URI at run time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ct/container.hpp"
#include "ct/error.hpp"
#include "ct/export.hpp"
#include "ct/info.hpp"
#include "ct/spec.hpp"

namespace ct {

namespace detail {
struct SessionCore;
}

// A session owns the backend's per-session state. Copies share it; the last copy (and the last
// Container handle) to go closes it. Containers outlive sessions: their state is on disk (or on
// the remote host), and a later session finds them with get() and list().
//
// A Session may be used from several threads at once.
class CT_API Session {
  public:
    // Opens a session on the backend serving `uri`:
    //   linux:///            the native Linux backend (alias: local); the default
    //   openvz:///           an OpenVZ host
    //   <backend>+ssh://[user@]host[:port]/   <backend> on another machine over SSH
    // Query parameters are backend options (docs/architecture.md). An empty uri means
    // $CT_CONNECT, or linux:/// when that is unset.
    // Throws Errc::abi when no backend serves the scheme (the message names every directory
    // searched), or whatever the backend's open reports.
    static Session open(const std::string &uri = "");

    // Creates a container from a spec (validated first; nothing is made if it is invalid).
    Container create(const Spec &spec);
    // A handle on an existing container; throws Errc::not_found.
    Container get(const std::string &name);
    // Every container of this session's backend (and state root).
    std::vector<ContainerInfo> list();

    // Recreates container `name` from images made by Container::checkpoint() (the spec
    // travels with the images) and resumes it. `name` may differ from the original's.
    Container restore(const std::string &name, const RestoreOptions &opts);

    const std::string &uri() const;
    // The backend serving this session.
    const BackendInfo &backend() const;

  private:
    explicit Session(std::shared_ptr<detail::SessionCore> core) : core_(std::move(core)) {}
    std::shared_ptr<detail::SessionCore> core_;
};

// Progress of long operations (image transfers of migrate, restore). The handler is
// process-wide, called from the thread running the operation; `total` is 0 when unknown.
using ProgressHandler = std::function<void(const std::string &what, uint64_t done, uint64_t total)>;
CT_API void set_progress_handler(ProgressHandler handler);

// Every backend found in the search path ($CT_BACKEND_PATH, then the directory beside libct.so,
// then the installed backend directory), including the ones that failed to load (load_error).
CT_API std::vector<BackendInfo> list_backends();

// The directories searched for backends, in order.
CT_API std::vector<std::string> backend_search_path();

}  // namespace ct
