// ct::Spec: the value type describing a container. The YAML spec file (docs/spec.md) and the
// JSON document that crosses the driver boundary carry exactly these fields.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ct/export.hpp"

namespace ct {

enum class Namespace { mount, uts, ipc, pid, net, user, cgroup, time };

// Stable names: "mount", "uts", "ipc", "pid", "net", "user", "cgroup", "time".
CT_API const char *namespace_name(Namespace ns) noexcept;

// One namespace of the container: a new one (path empty) or an existing one joined by path
// (e.g. /proc/123/ns/net or /run/netns/blue).
struct NamespaceSpec {
    Namespace type = Namespace::mount;
    std::string path;
    bool operator==(const NamespaceSpec &) const = default;
};

// The namespaces a spec gets when it does not list any: mount, uts, ipc, pid, net, cgroup.
CT_API std::vector<NamespaceSpec> default_namespaces();

// What the linux backend makes of an unset `namespaces` for a caller that is not root, as
// rootless Podman does: user, mount, pid, uts, ipc, net (the net namespace with only its
// loopback). No cgroup namespace: such a caller usually has no cgroup of the container's own.
CT_API std::vector<NamespaceSpec> unprivileged_default_namespaces();

// A uid or gid mapping line of a user namespace.
struct IdMap {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
    bool operator==(const IdMap &) const = default;
};

// Who a process runs as, in the container's ids (inside its user namespace, if any).
struct UserSpec {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> additional_gids;
    // By name, looked up in the container's own /etc/passwd and /etc/group when the process
    // starts. `name` sets uid and gid (the user's primary group) and adds every group of
    // /etc/group that lists the user; `group` then overrides the gid. Either excludes a
    // non-zero uid (resp. gid) given by number.
    std::string name;
    std::string group;
    bool operator==(const UserSpec &) const = default;
};

// The capability sets of a process. Names as "CAP_NET_ADMIN" or "net_admin".
struct Capabilities {
    std::vector<std::string> bounding, effective, permitted, inheritable, ambient;
    bool operator==(const Capabilities &) const = default;

    // The same names in every set: the process has exactly these whatever its uid (ambient
    // keeps them across the exec of a non-root user).
    CT_API static Capabilities all_sets(const std::vector<std::string> &names);
    // True when all five sets hold the same names (the spec then writes them as one list).
    CT_API bool uniform() const;
};

struct Rlimit {
    std::string type;  // "nofile", "nproc", ... (RLIMIT_ without the prefix, lower case)
    uint64_t soft = 0;
    uint64_t hard = 0;
    bool operator==(const Rlimit &) const = default;
};

// The size of a process's terminal, in characters.
struct ConsoleSize {
    uint32_t rows = 0;
    uint32_t cols = 0;
    bool operator==(const ConsoleSize &) const = default;
};

// A process to run in a container: the container's init (Spec::process) or an exec'd one.
struct ProcessSpec {
    std::vector<std::string> args;  // args[0] is the executable, resolved via PATH in env
    std::vector<std::string> env;   // "KEY=value"
    std::string cwd = "/";
    UserSpec user;
    bool terminal = false;           // allocate a pty as the process's console
    bool no_new_privileges = false;  // PR_SET_NO_NEW_PRIVS before exec
    // The process leads a session of its own (setsid). false: it stays in the session of the
    // process that started it, whose terminal's signals then reach it (libct's NOSETSID).
    bool new_session = true;
    // Sent to the process when the thread that started it exits (PR_SET_PDEATHSIG); 0: none.
    int parent_death_signal = 0;
    std::vector<Rlimit> rlimits;
    // Set: exactly these sets. Unset: the default set (default_capabilities()) with
    // capabilities_add added and capabilities_drop taken away ("all" in capabilities_add: every
    // capability); see effective_capabilities().
    std::optional<Capabilities> capabilities;
    std::vector<std::string> capabilities_add, capabilities_drop;
    // Linux security modules: the AppArmor profile / SELinux label the process is executed
    // under. Refused on a host without that module enabled.
    std::string apparmor_profile;
    std::string selinux_label;
    // The file mode creation mask the command starts with (0..0777); unset: 022.
    std::optional<uint32_t> umask;
    // /proc/<pid>/oom_score_adj of the process (-1000..1000); unset: inherited.
    std::optional<int32_t> oom_score_adj;
    // With terminal: the size the pty starts with; unset: the kernel's (0x0).
    std::optional<ConsoleSize> console_size;
    bool operator==(const ProcessSpec &) const = default;
};

// The capabilities a container's process gets when its spec does not widen or narrow them:
// the OCI/Docker default set ("CAP_CHOWN", "CAP_DAC_OVERRIDE", ... 14 names).
CT_API const std::vector<std::string> &default_capabilities();

// The sets a process gets: `capabilities` when set, else the default set with the spec's
// additions and removals in bounding, effective and permitted (inheritable and ambient empty,
// so a non-root user keeps none across exec). Names are canonical ("CAP_NET_ADMIN"); "all" is
// expanded to every capability this machine's kernel has. Throws Errc::invalid_spec naming the
// field for an unknown name.
CT_API Capabilities effective_capabilities(const ProcessSpec &process,
                                           const std::string &field = "process.capabilities");

// A seccomp profile in the OCI runtime spec's LinuxSeccomp form.
struct SeccompArg {
    uint32_t index = 0;  // system call argument 0..5
    uint64_t value = 0;
    uint64_t value_two = 0;  // SCMP_CMP_MASKED_EQ: the value compared to (arg & value)
    std::string op;          // SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ
    bool operator==(const SeccompArg &) const = default;
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;                 // SCMP_ACT_ALLOW, _ERRNO, _KILL, ...
    std::optional<uint32_t> errno_ret;  // SCMP_ACT_ERRNO / SCMP_ACT_TRACE value (default EPERM)
    std::vector<SeccompArg> args;       // all must match
    bool operator==(const SeccompSyscall &) const = default;
};

struct SeccompSpec {
    bool unconfined = false;     // no filter at all (`seccomp: unconfined`)
    std::string default_action;  // for every system call no rule names
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;  // SCMP_ARCH_X86_64, ...; empty: the native one
    std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW
    std::vector<SeccompSyscall> syscalls;
    bool operator==(const SeccompSpec &) const = default;
};

// The default profile (equivalent to Docker's and Podman's): an allow-list of system calls,
// EPERM for the rest, argument filters on clone, personality and socket, and the calls a
// capability unlocks allowed only when `capabilities` (canonical names) holds it.
CT_API SeccompSpec default_seccomp_profile(const std::vector<std::string> &capabilities);

struct CpuSpec {
    std::optional<uint64_t> shares;     // relative weight, cgroup-v1 scale (2..262144)
    std::optional<int64_t> quota_us;    // CFS quota per period; -1 = unlimited
    std::optional<uint64_t> period_us;  // CFS period (1000..1000000)
    std::string cpus;                   // cpuset, e.g. "0-1"
    std::string mems;                   // memory nodes, e.g. "0"
    // Realtime budget (v1 cpu.rt_*): the kernel grants it only within the parent's share.
    std::optional<int64_t> rt_runtime_us;  // -1 = unlimited (the parent's)
    std::optional<uint64_t> rt_period_us;
    std::optional<int64_t> idle;       // 1: SCHED_IDLE for the group (cpu.idle), 0: not
    std::optional<uint64_t> burst_us;  // CFS burst over the quota (cpu.max.burst, cfs_burst_us)
    bool operator==(const CpuSpec &) const = default;
};

// One rule of the device allow-list (the devices cgroup). Rules apply in order after the
// backend's defaults (docs/spec.md); the last matching rule wins.
struct DeviceRule {
    bool allow = true;
    std::string type = "a";        // "a" (all), "c" (char) or "b" (block)
    std::optional<int64_t> major;  // unset: any
    std::optional<int64_t> minor;  // unset: any
    std::string access = "rwm";    // some of r (read), w (write), m (mknod)
    bool operator==(const DeviceRule &) const = default;
};

// A limit on one block device (major:minor). Throttles: bytes or operations per second, 0 =
// none (removes the device's limit); weights: 1..10000 as io_weight.
struct DeviceLimit {
    uint32_t major = 0;
    uint32_t minor = 0;
    uint64_t value = 0;
    bool operator==(const DeviceLimit &) const = default;
};

struct BlockIoSpec {
    std::vector<DeviceLimit> weight_device;
    std::vector<DeviceLimit> read_bps;  // bytes per second
    std::vector<DeviceLimit> write_bps;
    std::vector<DeviceLimit> read_iops;  // operations per second
    std::vector<DeviceLimit> write_iops;
    bool operator==(const BlockIoSpec &) const = default;
};

// The hugetlb usage limit for one huge page size.
struct HugepageLimit {
    std::string page_size;  // as the kernel names it: "2MB", "1GB", "64KB"
    int64_t limit = -1;     // bytes; -1 = unlimited
    bool operator==(const HugepageLimit &) const = default;
};

struct Resources {
    std::optional<int64_t> memory;       // bytes; -1 = unlimited
    std::optional<int64_t> memory_swap;  // memory + swap, bytes; -1 = unlimited
    std::optional<int64_t> pids;         // max tasks; -1 = unlimited
    CpuSpec cpu;
    std::optional<uint64_t> io_weight;          // 1..10000
    std::vector<DeviceRule> devices;            // appended to the default device allow-list
    std::optional<int64_t> memory_reservation;  // soft limit, bytes; -1 = none
    std::optional<uint64_t> memory_swappiness;  // 0..100 (cgroup v1 only)
    std::optional<bool> oom_kill_disable;       // cgroup v1 only
    BlockIoSpec io;
    std::vector<HugepageLimit> hugepages;
    // cgroup-v2 files of the container's own cgroup2 directory, by name ("memory.high"):
    // written last, after the fields above. Names of files that move processes or change the
    // tree (cgroup.procs, cgroup.subtree_control, ...) are refused.
    std::map<std::string, std::string> unified;
    bool operator==(const Resources &) const = default;
};

// A program run at a point of the container's life (the OCI runtime spec's hooks), with the
// container's state in the OCI form on its stdin (docs/spec.md, "Hooks").
struct Hook {
    std::string path;                 // absolute; see Hooks for the namespace it resolves in
    std::vector<std::string> args;    // its argv, args[0] included; empty: {path}
    std::vector<std::string> env;     // its whole environment ("KEY=value")
    std::optional<uint32_t> timeout;  // seconds; the hook is killed and fails after it
    bool operator==(const Hook &) const = default;
};

// Programs run around one mount (the historical libct's external-mount commands) by the
// container's process, in its namespaces, before it enters its root: paths resolve on the
// host's root, which it still sees. pre: right before the mount is made; post: right after.
// Each gets the "creating" state on stdin, as other hooks; a failing one fails the start.
struct MountHooks {
    std::vector<Hook> pre;
    std::vector<Hook> post;
    bool operator==(const MountHooks &) const = default;
    bool empty() const { return pre.empty() && post.empty(); }
};

// A mount inside the container. type "bind" bind-mounts a host path; type "cgroup" mounts
// the container's own cgroups (a tmpfs at target with each of the container's cgroup
// directories bound under it, by controller); any other type is a filesystem type (tmpfs,
// proc, ...). Options: ro, rw, nosuid, nodev, noexec, rbind, ...;
// unknown options are passed as filesystem data.
struct MountSpec {
    std::string source;
    std::string target;  // absolute path inside the container
    std::string type = "bind";
    std::vector<std::string> options;
    // An idmapped bind mount (options "idmap": the mount alone, "ridmap": its submounts too):
    // a line maps container ids (container_id..) to the ids stored on the source's filesystem
    // (host_id..): a file the host sees owned by H shows as C inside, a file the container
    // makes as C is stored as H, and ids outside the lines show as the overflow id (65534)
    // and cannot be stored. Without lines of its own (both empty) the filesystem's ids are
    // the container's ids, over the ranges of its user namespace (OCI's "idmap" option).
    // Given lines imply "idmap".
    std::vector<IdMap> uid_map;
    std::vector<IdMap> gid_map;
    MountHooks hooks;
    bool operator==(const MountSpec &) const = default;

    // "idmap" or "ridmap" in options, or maps of its own.
    CT_API bool idmapped() const;
    CT_API bool idmap_recursive() const;  // "ridmap"
    // Option "bidirectional": its propagation goes both ways, to and from the host.
    CT_API bool bidirectional() const;
};

// A route inside the container, through the interface it is listed under.
struct NetRouteSpec {
    std::string dst;      // CIDR, or "default" (its family: the gateway's; IPv4 without one)
    std::string via;      // gateway; "" for a route straight on the link
    uint32_t metric = 0;  // 0: the kernel's default
    bool operator==(const NetRouteSpec &) const = default;
};

// A device node created inside the container (and allowed by its device allow-list).
struct DeviceNode {
    std::string path;        // absolute path inside the container, e.g. /dev/fuse
    std::string type = "c";  // "c" (char) or "b" (block)
    uint32_t major = 0;
    uint32_t minor = 0;
    uint32_t mode = 0666;  // permission bits
    uint32_t uid = 0;      // owner, in the container's ids
    uint32_t gid = 0;
    bool operator==(const DeviceNode &) const = default;
};

// A network interface of the container (docs/spec.md lists the types).
struct NetInterfaceSpec {
    std::string type;       // veth, hostnic, macvlan, vlan
    std::string name;       // name inside the container
    std::string host_name;  // veth: host end; hostnic: the host device
    std::string link;       // macvlan/vlan: the host parent device
    std::string bridge;     // veth: enslave the host end to this bridge
    std::string mac;
    uint32_t mtu = 0;
    uint32_t vlan_id = 0;
    std::string mode;                    // macvlan mode
    std::vector<std::string> addresses;  // CIDR, IPv4 or IPv6
    std::string gateway;                 // default route via this address
    std::vector<NetRouteSpec> routes;    // more routes through this interface
    // veth: the host end's MAC address ("": the kernel's). Last: aggregates list the others.
    std::string host_mac;
    bool operator==(const NetInterfaceSpec &) const = default;
};

// Where the container's root comes from when it is not plain `rootfs` (which is then only
// the mount point). Mounted inside the container's mount namespace, so it never shows on the
// host and goes away with the container's last process.
struct PrivateArea {
    std::string type;                // "" (none), "dir", "overlay", "loop"
    std::string path;                // dir: the directory; overlay: the upper (writable) dir
    std::vector<std::string> lower;  // overlay: read-only lower layers, topmost first
    std::string work;                // overlay: empty work dir on the upper dir's filesystem
    bool operator==(const PrivateArea &) const = default;
};

// Settings only the openvz backend understands (docs/openvz.md); every other backend refuses a
// spec that carries them. The YAML/JSON key is `openvz`.
struct OpenVzSpec {
    std::string ostemplate;       // create from this OS template (vzctl create --ostemplate)
    std::string config;           // sample configuration: /etc/vz/conf/ve-<config>.conf-sample
    std::string layout;           // simfs | ploop[:expanded|plain|raw]
    std::vector<std::string> ip;  // venet addresses, IPv4/IPv6, optional /prefix
    std::vector<std::string> nameservers;    // DNS servers written into the container
    std::vector<std::string> searchdomains;  // DNS search domains
    std::optional<int64_t> diskspace;        // bytes: simfs quota or ploop image size
    std::optional<uint64_t> diskinodes;      // simfs inode quota
    std::optional<uint32_t> cpus;            // number of CPUs the container sees
    std::optional<uint32_t> ioprio;          // 0..7 (OpenVZ default 4)
    std::optional<bool> onboot;              // start with the host
    // Other user beancounters, passed through: name (kmemsize, numtcpsock, ...) ->
    // "barrier[:limit]" in the resource's unit, with vzctl's suffixes, or "unlimited".
    std::map<std::string, std::string> beancounters;
    bool operator==(const OpenVzSpec &) const = default;
};

// When hooks run (each list in order). A failing hook of the first four fails the start (the
// container's process is killed) and the error names it; poststart and poststop failures are
// only logged.
struct Hooks {
    std::vector<Hook> prestart;          // = create_runtime (deprecated by the OCI spec)
    std::vector<Hook> create_runtime;    // on the host, once the namespaces exist, before the
                                         // container's root is entered
    std::vector<Hook> create_container;  // in the container's namespaces, same point
    std::vector<Hook> start_container;   // in the container, right before its command
                                         // (path resolved in the container)
    std::vector<Hook> poststart;         // on the host, once the command runs
    std::vector<Hook> poststop;          // on the host, when the container is destroyed
    bool operator==(const Hooks &) const = default;
    bool empty() const { return *this == Hooks{}; }
};

// How far a clock of the container's time namespace is ahead of the host's (negative: behind).
struct ClockOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;  // 0..999999999
    bool operator==(const ClockOffset &) const = default;
};

// The offsets of a new time namespace's clocks (time_namespaces(7)); zero: the host's time.
struct TimeOffsets {
    ClockOffset monotonic;  // CLOCK_MONOTONIC (and its _RAW, _COARSE)
    ClockOffset boottime;   // CLOCK_BOOTTIME (and /proc/uptime)
    bool operator==(const TimeOffsets &) const = default;
    bool empty() const { return *this == TimeOffsets{}; }
};

struct Spec {
    std::string name;    // [A-Za-z0-9][A-Za-z0-9_.-]{0,63}
    std::string rootfs;  // absolute host path of the root (optional with openvz.ostemplate)
    bool readonly_rootfs = false;
    PrivateArea private_area;
    std::string hostname;  // needs a uts namespace
    // Unset: default_namespaces(). Set (even empty): exactly these.
    std::optional<std::vector<NamespaceSpec>> namespaces;
    std::vector<IdMap> uid_map;
    std::vector<IdMap> gid_map;
    ProcessSpec process;
    Resources resources;
    std::vector<MountSpec> mounts;
    std::vector<DeviceNode> devices;
    std::vector<NetInterfaceSpec> network;
    std::map<std::string, std::string> sysctl;
    // Cgroup hierarchies the container gets a directory in besides those its resources need:
    // controller names ("freezer", "hugetlb", "net_cls", ...) or "name=X" for a named cgroup-v1
    // hierarchy (mounted with -o none,name=X).
    std::vector<std::string> cgroups;
    std::map<std::string, std::string> annotations;  // free-form, kept with the container
    // Confinement (docs/security.md). Unset: the defaults (default_masked_paths(),
    // default_readonly_paths(), default_seccomp_profile()). Set (even empty): exactly these.
    std::optional<std::vector<std::string>> masked_paths;
    std::optional<std::vector<std::string>> readonly_paths;
    std::optional<SeccompSpec> seccomp;
    std::optional<OpenVzSpec> openvz;  // backend openvz only
    Hooks hooks;
    // The container's cgroup directory below each hierarchy's root (e.g. "machine/web1"),
    // instead of the session's <cgroup_parent>/<name>: what an engine chose (OCI cgroupsPath).
    std::string cgroup_path;
    // The OCI bundle the container was made from (ct-oci sets it): reported to hooks and by
    // info; nothing else reads it.
    std::string bundle;
    // The execution domain (personality(2)) the container's processes run in, init and exec'd
    // ones: "linux", or "linux32" (uname then reports a 32-bit machine, as linux32(1) does).
    // "": the caller's.
    std::string personality;
    // The propagation of the container's root mount: private, slave, shared, unbindable, or
    // one of them with r (recursive: the mounts under it too). "": none is set, and the root
    // keeps what every container gets: a slave of the host's mounts (docs/spec.md).
    std::string rootfs_propagation;
    // Offsets of the clocks of the container's new time namespace (needs one in namespaces).
    TimeOffsets time_offsets;
    // The container's processes (init and exec'd ones) stay in the session keyring of the
    // process that started them (OCI --no-new-keyring). false: each gets a new one, as runc
    // does: keyrings are not namespaced, and the caller's may hold its user's secrets.
    bool inherit_keyring = false;
    bool operator==(const Spec &) const = default;

    // The paths in effect: the field if set, else the default list.
    CT_API std::vector<std::string> effective_masked_paths() const;
    CT_API std::vector<std::string> effective_readonly_paths() const;

    // The namespaces in effect: `namespaces` if set, else default_namespaces().
    CT_API std::vector<NamespaceSpec> effective_namespaces() const;
    CT_API bool has_namespace(Namespace ns) const;
};

// Paths hidden from a container by default (an empty read-only view over each): the OCI
// runtime spec's defaults, /proc/kcore, /proc/keys, ..., /sys/firmware.
CT_API const std::vector<std::string> &default_masked_paths();
// Paths a container sees read-only by default: /proc/sys, /proc/sysrq-trigger, /proc/irq,
// /proc/bus, /proc/fs.
CT_API const std::vector<std::string> &default_readonly_paths();

// The namespace a sysctl key ("net.ipv4.ip_forward") lives in: net for net.*, ipc for
// kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.*, uts for kernel.hostname and
// kernel.domainname; nullopt for a key that is not namespaced (it would change the host).
CT_API std::optional<Namespace> sysctl_namespace(const std::string &key);

// Checks a spec completely, without touching the system. Throws ct::Error(invalid_spec) naming
// the first offending field ("resources.memory: ...").
CT_API void validate(const Spec &spec);

// Checks resource limits alone (what Container::update() takes), with the same rules.
CT_API void validate(const Resources &resources);

// Parses "64M", "1G", "512k", "1048576" (binary units) into bytes. Throws ct::Error
// (invalid_spec) naming `what` on a malformed size.
CT_API int64_t parse_size(const std::string &text, const std::string &what);

}  // namespace ct
