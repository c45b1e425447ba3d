// checkpoint, restore, migrate: saving a container with CRIU and bringing it back, here or in
// another session, with their progress shown (progress.hpp).
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "cli.hpp"
#include "ct/specfile.hpp"
#include "deferred_stop.hpp"
#include "foreground.hpp"
#include "progress.hpp"
#include "trace.hpp"

namespace ct::cli {
namespace {

void add_progress_options(po::options_description &desc, bool &progress, bool &json) {
    // clang-format off
    desc.add_options()
        ("progress", po::bool_switch(&progress), "show the progress also when stderr is not a terminal, a line per phase")
        ("json", po::bool_switch(&json), "print the progress as JSON lines on stdout, the last one {\"event\": \"done\"}");
    // clang-format on
}

// The bytes of an image directory, when it is on this host (a remote session's is not).
uint64_t images_size(Context &ctx, const std::string &dir) {
    if (ctx.session().uri().find('+') < ctx.session().uri().find("://")) return 0;
    std::error_code ec;
    uint64_t total = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) total += it->file_size(ec);
    return ec ? 0 : total;
}

int cmd_checkpoint(Context &ctx) {
    CheckpointOptions o;
    bool progress = false, json = false;
    po::options_description desc;
    // clang-format off
    desc.add_options()
        ("dir,D", po::value(&o.dir)->value_name("DIR"), "image directory (on the backend's host; missing or empty)")
        ("leave-running", po::bool_switch(&o.leave_running), "keep the container running")
        ("tcp-established", po::bool_switch(&o.tcp_established), "save established TCP connections")
        ("file-locks", po::bool_switch(&o.file_locks), "save file locks");
    // clang-format on
    add_progress_options(desc, progress, json);
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1}, vm)) return kOk;
    if (o.dir.empty()) throw UsageError("missing --dir DIR: where to put the images");
    const std::string &name = ctx.operands[0];
    auto c = ctx.session().get(name);
    Progress p(Progress::mode_for(progress, json), "checkpoint", name);
    p.phase("dump");
    {
        DeferredStop stop("the checkpoint of container '" + name + "'");
        step("checkpoint container '" + name + "' into " + o.dir, [&] { c.checkpoint(o); });
    }
    p.done(images_size(ctx, o.dir));
    return kOk;
}

int cmd_restore(Context &ctx) {
    RestoreOptions o;
    o.stdio = {-1, -1, -1};
    bool progress = false, json = false, attach = false;
    std::string spec_file;
    po::options_description desc;
    // clang-format off
    desc.add_options()
        ("dir,D", po::value(&o.dir)->value_name("DIR"), "image directory made by checkpoint")
        ("spec,f", po::value(&spec_file)->value_name("FILE"), "restore under this spec (YAML) instead of the images': another rootfs, bind sources, network namespace or limits")
        ("attach,a", po::bool_switch(&attach), "run in the foreground with ct's stdio (a -t container: ct's terminal); exit with its code");
    // clang-format on
    add_progress_options(desc, progress, json);
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1}, vm)) return kOk;
    if (o.dir.empty()) throw UsageError("missing --dir DIR: the images to restore from");
    const std::string &name = ctx.operands[0];
    if (!spec_file.empty()) {
        // Checked as a whole by restore(), which knows that the process may be left out.
        o.spec = parse_spec_yaml(read_spec_file(spec_file), spec_file);
    }
    auto &session = ctx.session();
    if (attach) {
        if (progress || json) throw UsageError("--attach and --progress/--json cannot be combined");
        // Whether the images hold a terminal is known once restored: a console is ready when
        // ct has a terminal to give it, and dropped if the container has none.
        Foreground fg(::isatty(0));
        o.stdio = {0, 1, 2};
        o.detach = false;  // ct's child, as for start --attach (and relayed over linux+ssh://)
        o.console_socket = fg.console_socket();
        return fg.run_new(
            [&] {
                Container c = step("restore container '" + name + "' from " + o.dir,
                                   [&] { return session.restore(name, o); });
                if (!c.info().spec.process.terminal) fg.without_console();
                return c;
            },
            [](Container &c) { return c.wait(); });
    }
    Progress p(Progress::mode_for(progress, json), "restore", name);
    p.phase("restore");
    step("restore container '" + name + "' from " + o.dir,
         [&] { return session.restore(name, o); });
    p.done(images_size(ctx, o.dir));
    return kOk;
}

int cmd_migrate(Context &ctx) {
    std::string to;
    MigrateOptions o;
    bool progress = false, json = false;
    po::options_description desc;
    // clang-format off
    desc.add_options()
        ("to", po::value(&to)->value_name("URI"), "destination URI or alias, e.g. linux+ssh://root@host/")
        ("leave-running", po::bool_switch(&o.leave_running), "copy: keep the source running too")
        ("tcp-established", po::bool_switch(&o.tcp_established), "move established TCP connections");
    // clang-format on
    add_progress_options(desc, progress, json);
    po::variables_map vm;
    if (!parse(ctx, desc, {1, 1}, vm)) return kOk;
    if (to.empty()) throw UsageError("missing --to URI: where to move the container");
    const std::string &name = ctx.operands[0];
    Setting dest = ctx.config().resolve({to, "--to"});
    auto c = ctx.session().get(name);
    Progress p(Progress::mode_for(progress, json), "migrate", name);
    {
        DeferredStop stop("the migration of container '" + name + "'");
        step("migrate container '" + name + "' to " + dest.value,
             [&] { return c.migrate(dest.value, o); });
    }
    p.done();
    return kOk;
}

}  // namespace

const std::vector<Command> &checkpoint_commands() {
    static const std::vector<Command> kCmds = {
        {"checkpoint", "checkpoint [OPTIONS] NAME --dir DIR", "save a running container (CRIU)",
         "Saves a running container's processes and state into DIR with CRIU; without\n"
         "--leave-running the container is stopped. On a terminal the phase and the time are\n"
         "shown on one line; --progress shows them also on a pipe, --json as JSON lines.",
         "ct checkpoint web1 --dir /tmp/ckpt-web1 --leave-running\n"
         "ct destroy --force web1\n"
         "ct restore web1 --dir /tmp/ckpt-web1",
         cmd_checkpoint},
        {"restore", "restore [OPTIONS] NAME --dir DIR", "restore a container from a checkpoint",
         "Recreates a container from images made by `ct checkpoint` (its spec travels with the\n"
         "images) and resumes it, under NAME: in place when NAME is the stopped original, else\n"
         "as a new container. In the background, its stdio goes where it went when checkpointed\n"
         "(a file again, else /dev/null; a terminal is hung up); with --attach it runs in the\n"
         "foreground with ct's stdio, and a -t container gets ct's terminal.",
         "ct checkpoint web1 --dir /tmp/ckpt-web1\n"
         "ct restore web1 --dir /tmp/ckpt-web1 --progress",
         cmd_restore},
        {"migrate", "migrate [OPTIONS] NAME --to URI", "move a running container to another host",
         "Moves a running container to another session: freeze, dump, transfer of the images,\n"
         "restore there, then the source is destroyed (or thawed, with --leave-running). It keeps\n"
         "running here if any step fails. The phases, and the transfer's size and rate, show on\n"
         "one line on a terminal; --progress shows them on a pipe, --json as JSON lines.",
         "ct migrate web1 --to 'linux:///?root=/tmp/ct-other&cgroup_parent=other' --json\n"
         "ct -c 'linux:///?root=/tmp/ct-other&cgroup_parent=other' destroy --force web1",
         cmd_migrate},
    };
    return kCmds;
}

}  // namespace ct::cli
