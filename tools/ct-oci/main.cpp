// ct-oci: libct's linux backend as an OCI runtime, with runc's command line (docs/oci.md).
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "commands.hpp"
#include "ct/error.hpp"

namespace ct::oci {

Session &Context::session() {
    if (!session_) {
        std::string root = absolute(cl.global.root);
        // The root goes into the session's URI as it is: what the URI would read as its own
        // (an escape, another option, a fragment) is refused rather than misread.
        if (root.find_first_of("%&?#") != std::string::npos)
            throw Error(Errc::invalid_argument,
                        "--root " + root + ": '%', '&', '?' and '#' are not supported in the path");
        // Made by the commands that make containers only: the others create nothing.
        if (cl.command == "create" || cl.command == "run" || cl.command == "restore")
            ::mkdir(root.c_str(), 0700);
        // Cgroups where the bundle says (cgroupsPath), else <hierarchy>/<id>, as runc's.
        session_ = Session::open("linux:///?root=" + root + "&cgroup_parent=/");
    }
    return *session_;
}

std::string Context::id(size_t nargs) const {
    if (cl.args.size() != nargs)
        throw Error(Errc::invalid_argument, cl.command + ": expected the container ID" +
                                                (nargs > 1 ? " and more arguments" : "") +
                                                ", got " + std::to_string(cl.args.size()) +
                                                " arguments");
    return cl.args[0];
}

Container Context::container(const std::string &id) {
    try {
        return session().get(id);
    } catch (const Error &e) {
        if (e.code() == Errc::not_found)
            throw Error(Errc::not_found, "container \"" + id + "\" does not exist");
        throw;
    }
}

}  // namespace ct::oci

int main(int argc, char **argv) {
    using namespace ct::oci;
    static const std::map<std::string, int (*)(Context &)> kRun = {
        {"create", cmd_create},   {"start", cmd_start},
        {"run", cmd_run},         {"state", cmd_state},
        {"kill", cmd_kill},       {"delete", cmd_delete},
        {"list", cmd_list},       {"ps", cmd_ps},
        {"exec", cmd_exec},       {"pause", cmd_pause},
        {"resume", cmd_resume},   {"update", cmd_update},
        {"events", cmd_events},   {"checkpoint", cmd_checkpoint},
        {"restore", cmd_restore}, {"features", cmd_features},
        {"spec", cmd_spec},       {"version", cmd_version}};
    CommandLine cl;
    // Made from the global options; a usage error too is logged where the engine reads errors
    // (parse_command_line fills `cl` as it goes: what it read before the error).
    auto log_of = [&] { return Log(cl.global.log, cl.global.log_format, cl.global.debug); };
    try {
        parse_command_line(argc, argv, cl);
        Log log = log_of();
        // A log that cannot be written is refused (as runc does), not silently dropped: the
        // engine would find nothing there when something fails.
        if (std::string why = log.check(); !why.empty()) {
            std::fputs(("ct-oci: --log " + cl.global.log + ": " + why + "\n").c_str(), stderr);
            return 1;
        }
        if (cl.command == "help") {
            std::fputs(usage(cl.args.empty() ? "" : cl.args[0]).c_str(), stdout);
            return 0;
        }
        // libct's CRIU runner takes its binary from CT_CRIU (engines pass runc's --criu).
        if (!cl.global.criu.empty()) ::setenv("CT_CRIU", cl.global.criu.c_str(), 1);
        Context c(cl, log);
        return kRun.at(cl.command)(c);
    } catch (const ct::Error &e) {
        log_of().error(e.what());
    } catch (const std::exception &e) {
        log_of().error(std::string("internal error: ") + e.what());
    }
    return 1;
}
