// features, spec, version: what this runtime is and supports.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "config.hpp"
#include "ct/error.hpp"
#include "ct/version.hpp"

namespace ct::oci {

int cmd_features(Context &) {
    nlohmann::json f;
    f["ociVersionMin"] = "1.0.0";
    f["ociVersionMax"] = kSpecVersion;
    f["hooks"] = {"prestart",       "createRuntime", "createContainer",
                  "startContainer", "poststart",     "poststop"};
    f["mountOptions"] = {"ro",       "rw",          "nosuid",     "suid",         "nodev",
                         "dev",      "noexec",      "exec",       "sync",         "async",
                         "noatime",  "atime",       "nodiratime", "relatime",     "strictatime",
                         "bind",     "rbind",       "private",    "rprivate",     "slave",
                         "rslave",   "shared",      "rshared",    "unbindable",   "runbindable",
                         "rro",      "rrw",         "rnosuid",    "rnodev",       "rnoexec",
                         "rnoatime", "rnodiratime", "rrelatime",  "rstrictatime", "idmap",
                         "ridmap",   "tmpcopyup"};
    nlohmann::json linux;
    linux["namespaces"] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};
    linux["cgroup"] = {
        {"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", false}};
    linux["seccomp"] = {
        {"enabled", true},
        {"actions",
         {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
          "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"}},
        {"operators",
         {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
          "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"}},
        {"supportedFlags", {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}}};
    linux["apparmor"] = {{"enabled", true}};
    linux["selinux"] = {{"enabled", true}};
    linux["intelRdt"] = {{"enabled", false}};
    // Idmapped bind mounts: made by the backend where the source's filesystem supports them
    // (refused at create naming the mount where not).
    linux["mountExtensions"] = {{"idmap", {{"enabled", true}}}};
    f["linux"] = linux;
    f["annotations"] = {{"org.libct.version", CT_VERSION}};
    std::cout << f.dump(2) << "\n";
    return 0;
}

int cmd_spec(Context &c) {
    std::string dir = absolute(c.cl.value("bundle", "."));
    bool rootless = c.cl.flag("rootless");
    nlohmann::json caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    nlohmann::json spec = {
        {"ociVersion", kSpecVersion},
        {"process",
         {{"terminal", true},
          {"user", {{"uid", 0}, {"gid", 0}}},
          {"args", {"sh"}},
          {"env",
           {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
          {"cwd", "/"},
          {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
          {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
          {"noNewPrivileges", true}}},
        {"root", {{"path", "rootfs"}, {"readonly", true}}},
        {"hostname", "ct-oci"},
        {"mounts",
         {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
          {{"destination", "/dev"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
          {{"destination", "/dev/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
          {{"destination", "/dev/shm"},
           {"type", "tmpfs"},
           {"source", "shm"},
           {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
          {{"destination", "/dev/mqueue"},
           {"type", "mqueue"},
           {"source", "mqueue"},
           {"options", {"nosuid", "noexec", "nodev"}}},
          {{"destination", "/sys"},
           {"type", "sysfs"},
           {"source", "sysfs"},
           {"options", {"nosuid", "noexec", "nodev", "ro"}}}}},
        {"linux",
         {{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
          {"namespaces",
           {{{"type", "pid"}},
            {{"type", "network"}},
            {{"type", "ipc"}},
            {{"type", "uts"}},
            {{"type", "mount"}},
            {{"type", "cgroup"}}}},
          {"maskedPaths",
           {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi"}},
          {"readonlyPaths",
           {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}}};
    if (rootless) {
        uid_t uid = ::geteuid();
        gid_t gid = ::getegid();
        spec["linux"]["namespaces"].push_back({{"type", "user"}});
        spec["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", uid}, {"size", 1}}};
        spec["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", gid}, {"size", 1}}};
    }
    std::string path = dir + "/config.json";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(errno == EEXIST ? Errc::exists : Errc::backend,
                    "spec: " + path + ": " + std::strerror(errno), errno);
    std::string text = spec.dump(2) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw Error(Errc::backend, "spec: write " + path);
    return 0;
}

int cmd_version(Context &) {
    std::cout << "ct-oci version " << CT_VERSION << "\nspec: " << kSpecVersion << "\n";
    return 0;
}

}  // namespace ct::oci
