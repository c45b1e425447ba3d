// What libct adds to CRIU's images: ct-checkpoint.json, the container's configuration and the
// facts a restore needs that CRIU's images do not hold in a usable form (which stdio fds the
// caller must supply, which cgroups init was in). It travels with the images, so a restore
// under another name or on another host needs nothing else.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "criu/stdio.hpp"
#include "ct/spec.hpp"

namespace ct::linux_native::criu {

inline constexpr char kMetaFile[] = "ct-checkpoint.json";
// The same document while the dump runs: renamed to kMetaFile once the images are complete,
// so that a checkpoint killed half-way is never taken for a whole one.
inline constexpr char kPendingMetaFile[] = "ct-checkpoint.json.incomplete";

struct ImageMeta {
    std::string name;  // the container's name when it was checkpointed
    Spec spec;
    int64_t created = 0;  // the container's creation time
    std::string host;     // the host that made the images
    // Init's cgroups when dumped, as /proc/<pid>/cgroup lists them: (controllers, path);
    // controllers "" is the cgroup2 tree, "name=systemd" a named hierarchy, "cpu,cpuacct" a
    // co-mounted one.
    std::vector<std::pair<std::string, std::string>> cgroups;
    // Fds 0, 1, 2 of init: what each reached, and the id under which CRIU's images expect a
    // replacement (inherit-fd key; "" when the fd is restored from the images themselves).
    std::array<StdioTarget, 3> stdio;
    // Where the images were made (machine_id(), boot_id()): a restore elsewhere does not
    // reopen the recorded files and terminals, which are not there.
    std::string machine_id, boot_id;
    // The container had a network namespace, its own or joined by path, left out of the images
    // (netns.hpp): the restore hands CRIU the spec's (criu::restore_netns). Written as
    // "fresh_netns", the name of the days when only a container's own one could be.
    bool external_netns = false;
};

// Writes kPendingMetaFile; commit_meta() then makes it kMetaFile (a rename: no room needed).
void write_meta(int dirfd, const std::string &dir, const ImageMeta &m);
void commit_meta(int dirfd, const std::string &dir);
// Throws not_found (no ct-checkpoint.json: not a libct checkpoint), bad_state (an interrupted
// checkpoint's images) or invalid_argument.
ImageMeta read_meta(const std::string &dir);

// The document itself (outside input: images come from other hosts). meta_from_text throws
// invalid_argument naming `path`.
std::string meta_to_text(const ImageMeta &m);
ImageMeta meta_from_text(const std::string &text, const std::string &path);

// The names of StdioTarget's kinds in the document; kind_from_name throws invalid_argument.
const char *kind_name(StdioTarget::Kind k);
StdioTarget::Kind kind_from_name(const std::string &name);

}  // namespace ct::linux_native::criu
