// The spec -> vzctl mapping: which options of `vzctl create` / `vzctl set` express a spec, how
// a process becomes a vzctl exec2 command line, and what OpenVZ cannot do (refused with
// Errc::unsupported naming the spec field, never silently dropped). Pure functions: the unit
// tests check every argv they produce.
#pragma once

#include <string>
#include <vector>

#include "ct/backend/sys.hpp"
#include "ct/spec.hpp"
#include "generation.hpp"

namespace ct::openvz {

using Argv = std::vector<std::string>;

inline Argv cat(Argv a, const Argv &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Refuses what an OpenVZ container cannot be: namespace subsets, joined namespaces, user
// namespaces and id maps, mounts, sysctls, read-only roots, overlay/loop areas, io_weight,
// interface types and settings the generation's vzctl has no option for, layouts it cannot
// make, and unsupported process settings.
void check_spec(const Spec &spec, Generation generation);
// The process settings vzctl exec2 can honour: args, env, cwd, terminal. `field` prefixes the
// error ("process" or "exec").
void check_process(const ProcessSpec &p, const std::string &field);

// Options of `vzctl create CTID` for a container made from an OS template: --ostemplate,
// --config, the layout (vzctl 4.x: --layout simfs|ploop[:mode]; vzctl 7.x: --ve_layout ploop
// [--expanded|--preallocated|--raw], the only option all its versions have), --private, --root,
// --diskspace.
Argv create_options(const Spec &spec, Generation generation);

// The `vzctl set CTID <options> --save` commands that apply the rest of the spec: hostname,
// venet addresses, DNS, veth/host interfaces, resources, openvz.* settings. `with_disk`:
// include --diskspace (when it was not given to create). `main` is empty when there is nothing
// to set; `more` are further commands (OpenVZ 7: one per veth, netif.hpp).
struct SetPlan {
    Argv main;
    std::vector<Argv> more;
};
SetPlan set_options(const Spec &spec, bool with_disk, Generation generation);
// Options of `vzctl set` for a resources document (update): only the fields that are set.
Argv resource_options(const Resources &r);

// A size as vzctl reads it: 64M, 1G, 4096 (bytes).
std::string size_arg(int64_t bytes);

// A word for sh: left as it is when plain, else single-quoted (the support library's).
inline std::string shell_quote(const std::string &word) {
    return backend::shell_quote(word, true);
}
// The shell command line vzctl exec2 runs (it joins its arguments and hands them to a shell):
// cwd, then `exec env -i VAR=...` (vzctl sets no environment of its own), then the quoted args.
std::string command_line(const ProcessSpec &p);

// Where `vzmigrate` sends a container, from a migrate destination URI:
// openvz+ssh://[user@]host[:port]/[?identity=F&known_hosts=F&host_key=..&keepalive=N].
struct MigrateTarget {
    std::string destination;  // vzmigrate's destination_address
    std::string ssh_options;  // for --ssh=, empty when none
};
// vzmigrate 4.x is a script that always logs in as root@<destination>: the destination is the
// bare host, and a user other than root is refused (it would become root@user@host). OpenVZ 7's
// vzmigrate takes [user@]host. Throws Errc::invalid_argument (malformed, this host, a user
// legacy vzmigrate cannot log in as) or Errc::unsupported (another backend).
MigrateTarget migrate_target(const std::string &uri, Generation generation);

}  // namespace ct::openvz
