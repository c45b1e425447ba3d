// Where CRIU binds a restored container's bind mounts from. A bind's source as it is; an
// idmapped bind's a new idmapped tree of its source, attached under the container's state
// directory for the length of the restore: CRIU's bind of it keeps the idmapping, where a
// bind of the source itself would give the restored container the source's own ids (its root
// writing as the host's).
#pragma once

#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native::criu {

class MountSources {
  public:
    // `dir`: the container's state directory. Throws (attaching nothing) when a tree cannot
    // be made, naming the mount.
    MountSources(const Spec &spec, const std::string &dir);
    ~MountSources();
    MountSources(const MountSources &) = delete;
    MountSources &operator=(const MountSources &) = delete;

    // The path to bind mounts[i] (a bind mount) from.
    const std::string &of(size_t i) const { return paths_.at(i); }

  private:
    void detach() noexcept;
    std::vector<std::string> paths_;
    std::vector<std::pair<std::string, bool>> attached_;  // (path, is a file)
};

}  // namespace ct::linux_native::criu
