// bench-bare: the floor under any container runtime on this machine. Everything a minimal
// container start needs, done in-process with raw system calls and no library: cgroup v1
// memory/cpu/pids directories with limits, clone() into new mount, UTS, IPC, PID and network
// namespaces, a cgroup namespace rooted at the new cgroups, the rootfs bind-mounted and made
// the root with pivot_root, exec /bin/true, wait, rmdir the cgroups. No /proc, /dev, devices
// or capabilities setup: this is the lower bound, not a usable container.
//
// Every cgroup is made under a parent named after this process (ct-bench-bare-PID) in each
// controller's hierarchy and removed, with the parent, before exit, also on error or ^C.

#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "stats.hpp"

namespace {

using ct::bench::now_ms;

const char kUsage[] =
    "usage: bench-bare [--iterations N] [--warmup N] [--rootfs DIR] [--json]\n"
    "Times N bare container life cycles (default 200, after 5 untimed warm-up ones):\n"
    "cgroup v1 memory/cpu/pids dirs with limits (64M, 100 pids, 512 shares), clone into\n"
    "mount+uts+ipc+pid+net namespaces, cgroup namespace, bind rootfs, pivot_root,\n"
    "exec /bin/true, wait, rmdir. Needs root and cgroup v1 memory, cpu and pids hierarchies.\n"
    "  --rootfs DIR   root filesystem with /bin/true (default /var/lib/ct/rootfs/busybox)\n";

volatile sig_atomic_t g_stop = 0;

std::runtime_error sys_error(const std::string &what, int err = errno) {
    return std::runtime_error(what + ": " + std::strerror(err));
}

void write_file(const std::string &path, const std::string &value) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw sys_error("open " + path);
    ssize_t n = write(fd, value.data(), value.size());
    int err = errno;
    close(fd);
    if (n != ssize_t(value.size())) throw sys_error("write '" + value + "' to " + path, err);
}

// Removes a cgroup directory. A just-emptied v1 cgroup can stay busy for a moment while the
// last task's exit is accounted, so EBUSY is retried briefly.
bool remove_cgroup(const std::string &dir, bool loud) {
    for (int tries = 0; tries < 200; ++tries) {
        if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
        if (errno != EBUSY) break;
        usleep(5000);
    }
    if (loud) std::fprintf(stderr, "bench-bare: rmdir %s: %s\n", dir.c_str(), std::strerror(errno));
    return false;
}

// Mount points of the cgroup v1 hierarchies of `wanted`, from /proc/self/mountinfo.
std::map<std::string, std::string> v1_mounts(const std::set<std::string> &wanted) {
    std::ifstream in("/proc/self/mountinfo");
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream pre(line.substr(0, dash)), post(line.substr(dash + 3));
        std::string id, parent, dev, root, point, fstype, source, opts;
        pre >> id >> parent >> dev >> root >> point;
        post >> fstype >> source >> opts;
        if (fstype != "cgroup" || root != "/") continue;
        std::istringstream os(opts);
        for (std::string o; std::getline(os, o, ',');)
            if (wanted.count(o) && !out.count(o)) out[o] = point;
    }
    for (const auto &c : wanted)
        if (!out.count(c))
            throw std::runtime_error(
                "no cgroup v1 hierarchy with the '" + c +
                "' controller is mounted (bench-bare needs v1 memory, cpu, pids)");
    return out;
}

// The per-run parent cgroups: made in the constructor, removed in the destructor.
class ParentCgroups {
  public:
    explicit ParentCgroups(const std::map<std::string, std::string> &mounts) {
        std::string name = "ct-bench-bare-" + std::to_string(getpid());
        for (const auto &[ctrl, point] : mounts) {
            std::string dir = point + "/" + name;
            if (mkdir(dir.c_str(), 0755) < 0) throw sys_error("mkdir " + dir);
            dirs_[ctrl] = dir;
        }
    }
    ~ParentCgroups() {
        for (const auto &[ctrl, dir] : dirs_) remove_cgroup(dir, true);
    }
    ParentCgroups(const ParentCgroups &) = delete;
    ParentCgroups &operator=(const ParentCgroups &) = delete;
    const std::map<std::string, std::string> &dirs() const { return dirs_; }

  private:
    std::map<std::string, std::string> dirs_;
};

// One container's cgroups, with their limits.
class ContainerCgroups {
  public:
    ContainerCgroups(const ParentCgroups &parent, unsigned seq) {
        static const std::map<std::string, std::pair<std::string, std::string>> limits = {
            {"memory", {"memory.limit_in_bytes", std::to_string(64 << 20)}},
            {"cpu", {"cpu.shares", "512"}},
            {"pids", {"pids.max", "100"}},
        };
        for (const auto &[ctrl, pdir] : parent.dirs()) {
            std::string dir = pdir + "/c" + std::to_string(seq);
            if (mkdir(dir.c_str(), 0755) < 0) throw sys_error("mkdir " + dir);
            dirs_.push_back(dir);
            const auto &[file, value] = limits.at(ctrl);
            write_file(dir + "/" + file, value);
        }
    }
    ~ContainerCgroups() {
        if (!removed_) remove(false);
    }
    ContainerCgroups(const ContainerCgroups &) = delete;
    ContainerCgroups &operator=(const ContainerCgroups &) = delete;

    void attach(pid_t pid) const {
        for (const auto &d : dirs_) write_file(d + "/cgroup.procs", std::to_string(pid));
    }
    void remove(bool loud = true) {
        removed_ = true;
        bool ok = true;
        for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ok &= remove_cgroup(*it, true);
        if (!ok && loud) throw std::runtime_error("could not remove a container cgroup");
    }

  private:
    std::vector<std::string> dirs_;
    bool removed_ = false;
};

struct ChildArgs {
    const char *rootfs;
    int sync_fd;  // read end: one byte arrives once the child is in its cgroups
};

[[noreturn]] void child_fail(const char *step) {
    char msg[256];
    int len = std::snprintf(msg, sizeof msg, "bench-bare: container: %s: %s\n", step,
                            std::strerror(errno));
    if (len > 0) (void)!write(2, msg, size_t(len));
    _exit(127);
}

int child_main(void *p) {
    auto *a = static_cast<ChildArgs *>(p);
    char go;
    if (read(a->sync_fd, &go, 1) != 1) child_fail("wait for the parent");
    // After the cgroup move, so the namespace's root is the container's own cgroup.
    if (unshare(CLONE_NEWCGROUP) < 0) child_fail("unshare cgroup namespace");
    if (sethostname("bench", 5) < 0) child_fail("sethostname");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
        child_fail("make / private");
    if (mount(a->rootfs, a->rootfs, nullptr, MS_BIND | MS_REC, nullptr) < 0)
        child_fail("bind rootfs");
    if (chdir(a->rootfs) < 0) child_fail("chdir rootfs");
    // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only
    // the rootfs, without needing a put_old directory inside it.
    if (syscall(SYS_pivot_root, ".", ".") < 0) child_fail("pivot_root");
    if (umount2(".", MNT_DETACH) < 0) child_fail("detach the old root");
    if (chdir("/") < 0) child_fail("chdir /");
    char *argv[] = {const_cast<char *>("/bin/true"), nullptr};
    char *envp[] = {const_cast<char *>("PATH=/bin:/usr/bin"), nullptr};
    execve(argv[0], argv, envp);
    child_fail("exec /bin/true");
}

struct Phases {
    std::vector<double> cgroups, spawn, wait, cleanup, total;
};

// A running child is killed and reaped if an error unwinds past it.
class ChildGuard {
  public:
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ~ChildGuard() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    ChildGuard(const ChildGuard &) = delete;
    ChildGuard &operator=(const ChildGuard &) = delete;
    int wait() {
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0)
            if (errno != EINTR) throw sys_error("waitpid");
        pid_ = -1;
        return status;
    }

  private:
    pid_t pid_;
};

void one_container(const ParentCgroups &parent, unsigned seq, const std::string &rootfs,
                   void *stack_top, Phases *ph) {
    double t0 = now_ms();
    ContainerCgroups cg(parent, seq);
    double t1 = now_ms();

    int sync[2];
    if (pipe2(sync, O_CLOEXEC) < 0) throw sys_error("pipe");
    ChildArgs args{rootfs.c_str(), sync[0]};
    int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | SIGCHLD;
    pid_t pid = clone(child_main, stack_top, flags, &args);
    int clone_err = errno;
    close(sync[0]);
    if (pid < 0) {
        close(sync[1]);
        throw sys_error("clone", clone_err);
    }
    ChildGuard child(pid);
    try {
        cg.attach(pid);
    } catch (...) {
        close(sync[1]);
        throw;
    }
    ssize_t n = write(sync[1], "g", 1);
    int err = errno;
    close(sync[1]);
    if (n != 1) throw sys_error("release the container", err);
    double t2 = now_ms();

    int status = child.wait();
    double t3 = now_ms();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(
            "container " + std::to_string(seq) + ": /bin/true " +
            (WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                               : "was killed by signal " + std::to_string(WTERMSIG(status))));
    cg.remove();
    double t4 = now_ms();
    if (ph) {
        ph->cgroups.push_back(t1 - t0);
        ph->spawn.push_back(t2 - t1);
        ph->wait.push_back(t3 - t2);
        ph->cleanup.push_back(t4 - t3);
        ph->total.push_back(t4 - t0);
    }
}

}  // namespace

int main(int argc, char **argv) {
    unsigned iterations = 200, warmup = 5;
    std::string rootfs = "/var/lib/ct/rootfs/busybox";
    bool json = false;
    static const option longopts[] = {{"iterations", required_argument, nullptr, 'n'},
                                      {"warmup", required_argument, nullptr, 'w'},
                                      {"rootfs", required_argument, nullptr, 'r'},
                                      {"json", no_argument, nullptr, 'j'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {}};
    try {
        for (int c; (c = getopt_long(argc, argv, "n:w:r:jh", longopts, nullptr)) != -1;) {
            switch (c) {
                case 'n':
                    iterations = ct::bench::parse_count("--iterations", optarg);
                    break;
                case 'w':
                    warmup = ct::bench::parse_count("--warmup", optarg);
                    break;
                case 'r':
                    rootfs = optarg;
                    break;
                case 'j':
                    json = true;
                    break;
                case 'h':
                    std::fputs(kUsage, stdout);
                    return 0;
                default:
                    std::fputs(kUsage, stderr);
                    return 2;
            }
        }
        if (optind != argc)
            throw std::invalid_argument("unexpected argument '" + std::string(argv[optind]) + "'");
        if (iterations == 0) throw std::invalid_argument("--iterations must be at least 1");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-bare: %s\n%s", e.what(), kUsage);
        return 2;
    }

    struct sigaction sa {};
    sa.sa_handler = [](int) { g_stop = 1; };
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    Phases ph;
    try {
        if (access((rootfs + "/bin/true").c_str(), X_OK) < 0)
            throw sys_error("rootfs " + rootfs +
                            " has no executable /bin/true "
                            "(make one with tools/mkrootfs-busybox.sh)");
        // Without CLONE_VM the child runs on its own copy of this memory, so one stack serves
        // every iteration.
        const size_t stack_size = 256 * 1024;
        void *stack = mmap(nullptr, stack_size, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED) throw sys_error("mmap the child stack");
        void *top = static_cast<char *>(stack) + stack_size;

        ParentCgroups parent(v1_mounts({"memory", "cpu", "pids"}));
        for (unsigned i = 0; i < warmup + iterations && !g_stop; ++i)
            one_container(parent, i, rootfs, top, i < warmup ? nullptr : &ph);
        if (g_stop) throw std::runtime_error("interrupted");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-bare: FAILED: %s\n", e.what());
        return 1;
    }

    if (json) {
        std::printf("{\"iterations\":%u,\"warmup\":%u,\"rootfs\":%s,\"phases\":{", iterations,
                    warmup, ct::bench::json_quote(rootfs).c_str());
        std::printf("\"cgroups\":%s,", ct::bench::summary_json(ph.cgroups).c_str());
        std::printf("\"spawn\":%s,", ct::bench::summary_json(ph.spawn).c_str());
        std::printf("\"wait\":%s,", ct::bench::summary_json(ph.wait).c_str());
        std::printf("\"cleanup\":%s,", ct::bench::summary_json(ph.cleanup).c_str());
        std::printf("\"total\":%s}}\n", ct::bench::summary_json(ph.total).c_str());
    } else {
        std::printf("bare container life cycle, %u iterations (+%u warm-up), rootfs %s\n",
                    iterations, warmup, rootfs.c_str());
        ct::bench::print_table({{"cgroups", ph.cgroups},
                                {"spawn", ph.spawn},
                                {"wait", ph.wait},
                                {"cleanup", ph.cleanup},
                                {"total", ph.total}});
    }
    return 0;
}
