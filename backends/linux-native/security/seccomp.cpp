#include "security/seccomp.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ct/internal/document.hpp"
#include "security/userns.hpp"
#include "support.hpp"

namespace ct::linux_native {
namespace {

uint32_t action_of(const std::string &name, const std::optional<uint32_t> &ret) {
    if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
    if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(ret ? *ret : EPERM);
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
    if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
    if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
    if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(ret ? *ret : EPERM);
    if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
    throw Error(Errc::invalid_spec, "seccomp: unknown action '" + name + "'");
}

scmp_compare op_of(const std::string &op) {
    static const std::pair<const char *, scmp_compare> kOps[] = {
        {"SCMP_CMP_NE", SCMP_CMP_NE},
        {"SCMP_CMP_LT", SCMP_CMP_LT},
        {"SCMP_CMP_LE", SCMP_CMP_LE},
        {"SCMP_CMP_EQ", SCMP_CMP_EQ},
        {"SCMP_CMP_GE", SCMP_CMP_GE},
        {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
    for (const auto &[n, o] : kOps)
        if (op == n) return o;
    throw Error(Errc::invalid_spec, "seccomp: unknown comparison '" + op + "'");
}

uint32_t arch_of(const std::string &name) {
    // "SCMP_ARCH_X86_64" -> libseccomp's "x86_64".
    std::string n = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
    for (auto &c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint32_t a = seccomp_arch_resolve_name(n.c_str());
    if (!a)
        throw Error(Errc::unsupported,
                    "seccomp.architectures: this libseccomp does not know '" + name + "'");
    return a;
}

// The x32 ABI (64-bit calls with 32-bit pointers, numbers with bit 30 set) is a build option
// most distributions leave off: asked for real, with a harmless call.
bool kernel_runs_x32() {
#if defined(__x86_64__)
    static const bool runs = [] {
        long r = ::syscall(0x40000000L | SYS_getpid);
        return !(r < 0 && errno == ENOSYS);
    }();
    return runs;
#else
    return false;
#endif
}

struct Ctx {
    scmp_filter_ctx c;
    explicit Ctx(uint32_t def) : c(seccomp_init(def)) {
        if (!c) throw Error(Errc::backend, "seccomp: libseccomp could not start a filter");
    }
    ~Ctx() { seccomp_release(c); }
};

// 64-bit FNV-1a: only names the cache file; the file's own copy of the profile decides.
std::string hash_hex(const std::string &s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// What the cached program depends on besides the profile.
std::string cache_key(const SeccompSpec &p) {
    const scmp_version *v = seccomp_version();
    return "ct-seccomp 2 libseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) +
           "." + std::to_string(v->micro) + " arch " + std::to_string(seccomp_arch_native()) +
           " x32 " + (kernel_runs_x32() ? "1" : "0") + "\n" + doc::seccomp_to_json(p).dump() + "\n";
}

// The directory, made if missing (and its parent), as an fd: only when each is a real
// directory of ours that no one else can write.
Fd private_dir(const std::string &path) {
    auto ours = [](int fd) {
        struct stat st;
        return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() &&
               !(st.st_mode & 022);
    };
    std::string parent = path.substr(0, path.rfind('/'));
    for (const auto &d : {parent, path}) ::mkdir(d.c_str(), 0700);
    Fd p(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!p || !ours(p.get())) return Fd();
    Fd d(::openat(p.get(), path.substr(parent.size() + 1).c_str(),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!d || !ours(d.get())) return Fd();
    return d;
}

}  // namespace

SeccompProgram compile_seccomp(const SeccompSpec &p) {
    Ctx ctx(action_of(p.default_action, p.default_errno_ret));
    // A binary tree of system call numbers rather than a chain: a longer program, but each
    // call takes a few comparisons. Loading the filter costs in proportion to those (the
    // kernel runs it for every call number to build its cache of always-allowed calls): 0.9
    // ms for the default profile as a chain, 0.3 as a tree.
    seccomp_attr_set(ctx.c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (const auto &a : p.architectures) {
        // x32 calls on a kernel without the x32 ABI are refused before any filter sees them:
        // rules for them would only lengthen the program.
        if (arch_of(a) == SCMP_ARCH_X32 && !kernel_runs_x32()) continue;
        int r = seccomp_arch_add(ctx.c, arch_of(a));
        if (r < 0 && r != -EEXIST)
            throw Error(Errc::backend, "seccomp.architectures: add " + a + ": " + errstr(-r), -r);
    }
    uint32_t def = action_of(p.default_action, p.default_errno_ret);
    for (size_t i = 0; i < p.syscalls.size(); ++i) {
        const auto &sc = p.syscalls[i];
        uint32_t act = action_of(sc.action, sc.errno_ret);
        if (act == def) continue;  // nothing to add: libseccomp refuses such a rule
        std::vector<scmp_arg_cmp> cmps;
        bool same_index = false;
        for (const auto &a : sc.args) {
            for (const auto &c : cmps) same_index |= c.arg == a.index;
            cmps.push_back(scmp_arg_cmp{a.index, op_of(a.op), a.value, a.value_two});
        }
        for (const auto &name : sc.names) {
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) continue;  // not a system call of this architecture
            auto add = [&](const scmp_arg_cmp *c, unsigned n) {
                int r = seccomp_rule_add_array(ctx.c, act, nr, n, c);
                if (r < 0)
                    throw Error(Errc::invalid_spec,
                                "invalid spec: seccomp.syscalls[" + std::to_string(i) + "] (" +
                                    name + "): libseccomp refused the rule: " + errstr(-r),
                                -r);
            };
            // Comparisons of different arguments must all hold; several on one argument
            // cannot (libseccomp takes one per argument), so each becomes a rule of its own,
            // any of which matches: the reading runc and crun give such profiles.
            if (!same_index) {
                add(cmps.data(), static_cast<unsigned>(cmps.size()));
            } else {
                for (const auto &c : cmps) add(&c, 1);
            }
        }
    }
    SeccompProgram out;
    for (const auto &f : p.flags) {
        if (f == "SECCOMP_FILTER_FLAG_LOG") out.flags |= SECCOMP_FILTER_FLAG_LOG;
        if (f == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") out.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        // TSYNC: the process loading it has one thread.
    }
    Fd mem(::memfd_create("ct-seccomp", MFD_CLOEXEC));
    if (!mem) throw_sys("seccomp: create a memory file for the compiled filter", errno);
    int r = seccomp_export_bpf(ctx.c, mem.get());
    if (r < 0) throw Error(Errc::backend, "seccomp: compile the filter: " + errstr(-r), -r);
    off_t size = ::lseek(mem.get(), 0, SEEK_END);
    if (size <= 0 || size % sizeof(sock_filter))
        throw Error(Errc::backend, "seccomp: libseccomp produced no program");
    // The kernel's limit (BPF_MAXINSNS): refused here, with the profile named, not at start.
    if (static_cast<size_t>(size) / sizeof(sock_filter) > 4096)
        throw Error(Errc::invalid_spec,
                    "invalid spec: seccomp: the profile compiles to " +
                        std::to_string(size / sizeof(sock_filter)) +
                        " instructions, more than the kernel's 4096: merge its rules");
    out.insns.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (::pread(mem.get(), out.insns.data(), static_cast<size_t>(size), 0) != size)
        throw_sys("seccomp: read the compiled filter", errno);
    return out;
}

std::shared_ptr<const SeccompProgram> SeccompCache::for_process(const Spec &spec,
                                                                const Capabilities &caps) {
    if (spec.seccomp && spec.seccomp->unconfined) return nullptr;
    if (spec.seccomp) return get(*spec.seccomp);
    // The default profile depends on the capabilities alone: found by them, without making
    // the profile again on every start.
    std::string key;
    for (const auto &c : caps.bounding) key += c + ",";
    {
        std::lock_guard lock(mu_);
        if (auto it = defaults_.find(key); it != defaults_.end()) return it->second;
    }
    auto p = get(default_seccomp_profile(caps.bounding));
    std::lock_guard lock(mu_);
    defaults_[key] = p;
    return p;
}

std::shared_ptr<const SeccompProgram> SeccompCache::get(const SeccompSpec &profile) {
    std::string key = cache_key(profile);
    std::lock_guard lock(mu_);
    if (auto it = programs_.find(key); it != programs_.end()) return it->second;
    std::string file = dir_.empty() ? "" : dir_ + "/" + hash_hex(key) + ".bpf";
    std::shared_ptr<const SeccompProgram> p;
    if (!file.empty()) p = load(file, key);
    if (!p) {
        auto fresh = std::make_shared<SeccompProgram>(compile_seccomp(profile));
        if (!file.empty()) store(file, key, *fresh);
        p = std::move(fresh);
    }
    programs_[key] = p;
    return p;
}

// File: the key (which ends with the profile and a newline), the flags and the number of
// instructions, the instructions.
std::shared_ptr<const SeccompProgram> SeccompCache::load(const std::string &file,
                                                         const std::string &key) {
    Fd dir = private_dir(dir_);
    if (!dir) return nullptr;
    Fd fd(::openat(dir.get(), file.substr(dir_.size() + 1).c_str(),
                   O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return nullptr;
    struct stat st;
    // Only a file only we could have written: the program decides what the container may do.
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 022) || st.st_size > (1 << 22))
        return nullptr;
    std::string data(static_cast<size_t>(st.st_size), '\0');
    if (::pread(fd.get(), data.data(), data.size(), 0) != st.st_size) return nullptr;
    // A torn write must not pass for a shorter program: the count is checked too.
    uint32_t hdr[2];
    size_t head = key.size() + sizeof hdr;
    if (data.size() <= head || data.compare(0, key.size(), key) != 0) return nullptr;
    std::memcpy(hdr, data.data() + key.size(), sizeof hdr);
    if (data.size() - head != static_cast<size_t>(hdr[1]) * sizeof(sock_filter)) return nullptr;
    auto p = std::make_shared<SeccompProgram>();
    p->flags = hdr[0];
    p->insns.resize((data.size() - head) / sizeof(sock_filter));
    std::memcpy(p->insns.data(), data.data() + head, data.size() - head);
    return p;
}

std::string SeccompCache::default_dir() {
    if (host_root()) return "/run/ct/seccomp";  // root of another user namespace: a user
    if (const char *x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/')
        return std::string(x) + "/ct/seccomp";
    return "/tmp/ct-" + std::to_string(::geteuid()) + "/seccomp";
}

void SeccompCache::store(const std::string &file, const std::string &key, const SeccompProgram &p) {
    // Best effort: a cache that cannot be written costs the next process a compile, no more.
    Fd dir = private_dir(dir_);
    if (!dir) return;
    std::string data = key;
    uint32_t hdr[2] = {p.flags, static_cast<uint32_t>(p.insns.size())};
    data.append(reinterpret_cast<const char *>(hdr), sizeof hdr);
    data.append(reinterpret_cast<const char *>(p.insns.data()),
                p.insns.size() * sizeof(sock_filter));
    try {
        write_file_atomic(dir.get(), dir_, file.substr(dir_.size() + 1), data);
    } catch (const Error &) {
    }
}

}  // namespace ct::linux_native
