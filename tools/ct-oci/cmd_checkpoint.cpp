// checkpoint and restore with CRIU, through libct's (docs/checkpoint.md): the options Podman
// and containerd pass. libct keeps the container's spec with the images; a restore's bundle
// says what the engine changed around them (rootfs, network namespace, limits).
#include <filesystem>

#include "commands.hpp"
#include "ct/error.hpp"

namespace ct::oci {
namespace {

// Options libct's checkpoint has no equivalent for: refused when asked for, never ignored.
void refuse(const CommandLine &cl, std::initializer_list<const char *> names) {
    for (const char *n : names)
        if (cl.flag(n) || cl.has(n))
            throw Error(Errc::unsupported,
                        cl.command + " --" + n + ": not supported by ct-oci (docs/oci.md)");
}

void check_cgroups_mode(const CommandLine &cl) {
    // libct saves and restores the container's own cgroups: runc's "soft" and "full" both
    // describe that; "ignore" and "strict" do not.
    std::string mode = cl.value("manage-cgroups-mode", "soft");
    if (mode != "soft" && mode != "full")
        throw Error(Errc::unsupported, cl.command + " --manage-cgroups-mode " + mode +
                                           ": ct-oci restores the container's own cgroups "
                                           "(soft or full)");
}

// CRIU's log and statistics are written beside the images (libct runs CRIU there); an engine
// reads them from --work-path (Podman: stats-dump for --print-stats, dump.log on a failure),
// so they are copied there, whether the call failed or not.
template <typename Call>
void with_work_path(const CommandLine &cl, const std::string &images,
                    std::initializer_list<const char *> files, Call call) {
    auto copy = [&] {
        if (cl.value("work-path").empty()) return;
        std::string work = absolute(cl.value("work-path"));
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::create_directories(work, ec);
        for (const char *f : files)  // what there is
            fs::copy_file(images + "/" + f, work + "/" + f, fs::copy_options::overwrite_existing,
                          ec);
    };
    try {
        call();
    } catch (...) {
        copy();
        throw;
    }
    copy();
}

}  // namespace

int cmd_checkpoint(Context &c) {
    refuse(c.cl, {"parent-path", "lazy-pages", "status-fd", "page-server", "pre-dump", "empty-ns",
                  "auto-dedup"});
    check_cgroups_mode(c.cl);
    CheckpointOptions o;
    o.dir = absolute(c.cl.value("image-path", "checkpoint"));
    o.leave_running = c.cl.flag("leave-running");
    o.tcp_established = c.cl.flag("tcp-established");
    o.file_locks = c.cl.flag("file-locks");
    // ext-unix-sk and shell-job: libct's dump handles a container's external unix sockets and
    // its terminal itself.
    with_work_path(c.cl, o.dir, {"dump.log", "stats-dump"},
                   [&] { c.container(c.id()).checkpoint(o); });
    return 0;
}

int cmd_restore(Context &c) {
    refuse(c.cl, {"empty-ns", "auto-dedup", "lazy-pages", "lsm-profile", "lsm-mount-context"});
    check_cgroups_mode(c.cl);
    std::string id = c.id();
    RestoreOptions o;
    o.dir = absolute(c.cl.value("image-path", "checkpoint"));
    // The restored tree is our child (libcriu's), so that it goes to the engine's subreaper
    // when we exit, as a created container's process does.
    o.detach = false;
    // A container with a terminal gets a new pty master back: the engine's console socket
    // (conmon's) receives it, as at create.
    ProcessIo io;
    if (std::string sock = c.cl.value("console-socket"); !sock.empty()) {
        connect_console_socket(sock, io.console);
        o.console_socket = io.console;
    }
    // The engine's bundle, as it is now: Podman's gives the container a new network namespace
    // (and, with restore --import, a new rootfs and name). Without --bundle, the configuration
    // saved with the images.
    if (c.cl.has("bundle")) o.spec = bundle_spec(c, id, absolute(c.cl.value("bundle")));
    std::optional<Container> restored;
    with_work_path(c.cl, o.dir, {"restore.log", "stats-restore"},
                   [&] { restored = c.session().restore(id, o); });
    Container &ct = *restored;
    write_pid_file(c.cl.value("pid-file"), ct.info().pid);
    if (c.cl.flag("detach")) return 0;
    return ct.wait().shell_code();
}

}  // namespace ct::oci
