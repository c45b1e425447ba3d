// seccomp filters: a profile (ct::SeccompSpec, the OCI form) compiled by libseccomp into the
// classic BPF program the child loads just before it drops privileges. Compiling the default
// profile for three architectures takes ~10 ms, several times a whole container start, so a
// compiled program is kept per session and, for one-shot callers such as `ct run`, in the
// state root (checked against the full profile text on every use).
#pragma once

#include <linux/filter.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ct/spec.hpp"

namespace ct::linux_native {

struct SeccompProgram {
    std::vector<struct sock_filter> insns;
    unsigned flags = 0;  // SECCOMP_FILTER_FLAG_*
};

// Compiles a profile. System call names this architecture does not know are skipped (the OCI
// runtime spec's rule). Throws Errc::invalid_spec naming the entry libseccomp refused.
SeccompProgram compile_seccomp(const SeccompSpec &profile);

class SeccompCache {
  public:
    // `dir`: where compiled programs are kept between processes ("": memory only). Made on
    // first use, mode 0700, and used only while it (and its parent) belong to this user and
    // nobody else can write there: a program in it decides what containers may do.
    explicit SeccompCache(std::string dir) : dir_(std::move(dir)) {}
    // The directory for this user: /run/ct/seccomp for root, $XDG_RUNTIME_DIR/ct/seccomp (or
    // /tmp/ct-<uid>/seccomp) for others. Kept apart from the state roots: it is no container's.
    static std::string default_dir();
    // The program of a process with `caps` in a container of `spec`: the spec's profile, or
    // the default one for its bounding capabilities; nullptr when unconfined.
    std::shared_ptr<const SeccompProgram> for_process(const Spec &spec, const Capabilities &caps);
    std::shared_ptr<const SeccompProgram> get(const SeccompSpec &profile);

  private:
    std::shared_ptr<const SeccompProgram> load(const std::string &file, const std::string &key);
    void store(const std::string &file, const std::string &key, const SeccompProgram &p);

    std::string dir_;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<const SeccompProgram>> programs_;  // by profile
    std::map<std::string, std::shared_ptr<const SeccompProgram>> defaults_;  // by capabilities
};

}  // namespace ct::linux_native
