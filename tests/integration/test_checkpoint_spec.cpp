// A restore under a configuration the caller gives (RestoreOptions::spec, an OCI engine's
// bundle): into a network namespace joined by path, into a new copy of the rootfs that lacks
// the mount points, and what it refuses — a spec that does not describe the images, the
// host's network namespace with sysctls, a link in the new rootfs that leads out of it.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "criu_fixture.hpp"
#include "proc_util.hpp"
#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

// A network namespace that exists while the object does: a thread of this process unshares
// it and waits; its /proc/<pid>/task/<tid>/ns/net is a path a spec can join, and nothing is
// mounted for it (it goes with the thread).
class NetnsThread {
  public:
    NetnsThread() {
        thread_ = std::thread([this] {
            std::unique_lock lock(mu_);
            ok_ = ::unshare(CLONE_NEWNET) == 0;
            path_ = "/proc/" + std::to_string(::getpid()) + "/task/" +
                    std::to_string(::syscall(SYS_gettid)) + "/ns/net";
            ready_ = true;
            cv_.notify_all();
            cv_.wait(lock, [this] { return done_; });
        });
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return ready_; });
    }
    ~NetnsThread() {
        {
            std::lock_guard lock(mu_);
            done_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    bool ok() const { return ok_; }
    const std::string &path() const { return path_; }
    ino_t inode() const { return inode_of(path_); }
    static ino_t inode_of(const std::string &path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
    }

  private:
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool ready_ = false, done_ = false, ok_ = false;
    std::string path_;
};

// A net.* sysctl as the network namespace of `pid` has it (read from a thread that joins it).
std::string net_sysctl_of(int64_t pid, const std::string &file) {
    std::string out;
    std::thread t([&] {
        int fd = ::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) return;
        ::close(fd);
        out = read_text("/proc/sys/net/" + file);
    });
    t.join();
    return out;
}

void join_net(Spec &s, const std::string &path) {
    s.namespaces = default_namespaces();
    for (auto &n : *s.namespaces)
        if (n.type == Namespace::net) n.path = path;
}

ino_t netns_of(int64_t pid) {
    return NetnsThread::inode_of("/proc/" + std::to_string(pid) + "/ns/net");
}

class RestoreSpec : public CheckpointTest {
  protected:
    // The images of a counter container of `s`, checkpointed (which stops it) and destroyed.
    std::string images_of(const Spec &s, const std::string &tag) {
        auto c = start_detached(s);
        EXPECT_GE(wait_counter(s.rootfs, 3), 3) << "the counter does not count";
        std::string dir = images(tag);
        c.checkpoint({dir, false, false, false});
        c.destroy(true);
        return dir;
    }
    // Restore from `dir` under `given`, stdio /dev/null.
    static RestoreOptions under(const std::string &dir, const Spec &given) {
        RestoreOptions r;
        r.dir = dir;
        r.stdio = {-1, -1, -1};
        r.spec = given;
        return r;
    }
};

// Podman's network: a namespace the engine made, joined by path. The images leave it out; the
// restore joins the saved path, or the one the given spec names, and sets its net.* sysctls
// there again.
TEST_F(RestoreSpec, AJoinedNetworkNamespaceIsJoinedAgainOrReplaced) {
    NetnsThread first, second;
    ASSERT_TRUE(first.ok() && second.ok());
    std::string rootfs = private_rootfs("joined-net");
    temp_dirs_.push_back(rootfs);
    Spec s = counter_spec(spec({}), rootfs);
    join_net(s, first.path());
    s.sysctl["net.ipv4.ping_group_range"] = "0 0";
    auto c = start_detached(s);
    ASSERT_GE(wait_counter(rootfs, 3), 3);
    EXPECT_EQ(netns_of(c.info().pid), first.inode());

    std::string dir = images("joined-net");
    c.checkpoint({dir, false, false, false});
    auto back = restore_quiet(c.name(), dir);
    EXPECT_EQ(netns_of(back.info().pid), first.inode()) << "not in the saved path's namespace";

    std::string dir2 = images("joined-net-2");
    back.checkpoint({dir2, false, false, false});
    long at = read_counter(rootfs);
    Spec moved = s;
    join_net(moved, second.path());
    auto again = session().restore(c.name(), under(dir2, moved));
    int64_t pid = again.info().pid;
    EXPECT_EQ(netns_of(pid), second.inode()) << "not in the given spec's namespace";
    EXPECT_EQ(net_sysctl_of(pid, "ipv4/ping_group_range"), "0\t0\n");
    EXPECT_GE(wait_counter(rootfs, at + 3), at + 3) << "the restored counter does not count";
    EXPECT_LT(read_counter(rootfs), at + 40) << "restarted, not restored";
    // What the container records is where it is now.
    bool recorded = false;
    for (const auto &n : again.info().spec.effective_namespaces())
        recorded |= n.type == Namespace::net && n.path == second.path();
    EXPECT_TRUE(recorded);
    again.destroy(true);
}

// A restore into a new copy of the rootfs (an engine's restore --import): the mount points a
// start made in the old one are made in the new one, and the container runs there.
TEST_F(RestoreSpec, ANewRootfsGetsTheMountPoints) {
    std::string old_root = private_rootfs("old-root"), new_root = private_rootfs("new-root");
    temp_dirs_.push_back(old_root);
    temp_dirs_.push_back(new_root);
    std::string data = temp_dir(temp_dirs_, "data"), file = data + "/file";
    write_text(file, "from the host\n");
    Spec s = counter_spec(spec({}), old_root);
    s.mounts.push_back({file, "/etc/ct-extra", "bind", {"ro"}});
    s.mounts.push_back({data, "/srv/new/data", "bind", {}});
    s.mounts.push_back({"tmpfs", "/scratch", "tmpfs", {}});
    s.mounts.push_back({data, "/scratch/data", "bind", {}});
    std::string dir = images_of(s, "new-root");
    ASSERT_FALSE(fs::exists(new_root + "/etc/ct-extra"));
    Spec moved = s;
    moved.rootfs = new_root;
    auto back = session().restore(s.name + "-b", under(dir, moved));
    EXPECT_GE(wait_counter(new_root, 3), 3) << "not counting in the new rootfs";
    EXPECT_TRUE(fs::is_regular_file(new_root + "/etc/ct-extra"));
    EXPECT_TRUE(fs::is_directory(new_root + "/srv/new/data"));
    // Under the tmpfs: restored with its contents, nothing made in the rootfs.
    EXPECT_FALSE(fs::exists(new_root + "/scratch/data"));
    RunResult e = exec_captured(back, {.args = {"/bin/cat", "/etc/ct-extra"}});
    EXPECT_EQ(e.out, "from the host\n") << e.err;
    EXPECT_EQ(back.info().spec.rootfs, new_root);
    back.destroy(true);
}

// A given spec that does not describe the images' container is refused, naming the field,
// before anything is made.
TEST_F(RestoreSpec, ASpecThatDoesNotMatchTheImagesIsRefused) {
    std::string rootfs = private_rootfs("mismatch");
    temp_dirs_.push_back(rootfs);
    Spec s = counter_spec(spec({}), rootfs);
    std::string dir = images_of(s, "mismatch");

    NetnsThread other;
    ASSERT_TRUE(other.ok());
    struct Case {
        const char *what;
        std::function<void(Spec &)> change;
        std::string field;
    };
    std::string data = temp_dir(temp_dirs_, "data");
    std::vector<Case> cases = {
        {"an extra mount",
         [&](Spec &x) {
             x.mounts.push_back({data, "/data", "bind", {}});
         },
         "mounts[0] (/data)"},
        {"no uts namespace",
         [](Spec &x) {
             x.namespaces = default_namespaces();
             std::erase_if(*x.namespaces,
                           [](const NamespaceSpec &n) { return n.type == Namespace::uts; });
         },
         "namespaces"},
        {"a joined uts namespace",
         [](Spec &x) {
             x.namespaces = default_namespaces();
             for (auto &n : *x.namespaces)
                 if (n.type == Namespace::uts) n.path = "/proc/self/ns/uts";
         },
         "namespaces: uts joins"},
    };
    for (const auto &k : cases) {
        Spec given = s;
        k.change(given);
        try {
            session().restore(s.name, under(dir, given));
            ADD_FAILURE() << k.what << ": restored";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::invalid_spec) << k.what << ": " << e.what();
            EXPECT_NE(std::string(e.what()).find(k.field), std::string::npos)
                << k.what << ": " << e.what();
        }
        EXPECT_TRUE(session().list().empty()) << k.what;
        EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty()) << k.what;
    }
}

// Escape: a given spec that joins the host's network namespace with a net.* sysctl would set
// it on the host. Refused, as at create; the host's value stays.
TEST_F(RestoreSpec, TheHostsNetworkNamespaceGetsNoSysctls) {
    std::string rootfs = private_rootfs("host-net");
    temp_dirs_.push_back(rootfs);
    Spec s = counter_spec(spec({}), rootfs);
    std::string dir = images_of(s, "host-net");

    const std::string knob = "/proc/sys/net/ipv4/ping_group_range";
    std::string before = read_text(knob);
    Spec given = s;
    join_net(given, "/proc/" + std::to_string(::getpid()) + "/ns/net");  // the caller's
    given.sysctl["net.ipv4.ping_group_range"] = "7 7";
    try {
        session().restore(s.name, under(dir, given));
        ADD_FAILURE() << "restored with a sysctl in the host's network namespace";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec) << e.what();
        EXPECT_NE(std::string(e.what()).find("is the host's"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_text(knob), before);
    EXPECT_TRUE(session().list().empty());
}

// Escape: the new rootfs holds a link where a mount point goes, pointing at a directory of the
// host by its host path. Resolved inside the root, it leads nowhere, and is refused; nothing
// is made on the host.
TEST_F(RestoreSpec, ALinkInTheNewRootfsDoesNotLeadToTheHost) {
    std::string old_root = private_rootfs("link-old"), new_root = private_rootfs("link-new");
    temp_dirs_.push_back(old_root);
    temp_dirs_.push_back(new_root);
    std::string data = temp_dir(temp_dirs_, "data"), host_dir = temp_dir(temp_dirs_, "host");
    Spec s = counter_spec(spec({}), old_root);
    s.mounts.push_back({data, "/srv/data", "bind", {}});
    std::string dir = images_of(s, "link");

    ASSERT_FALSE(fs::exists(new_root + host_dir));
    fs::create_symlink(host_dir, new_root + "/srv");
    Spec moved = s;
    moved.rootfs = new_root;
    try {
        session().restore(s.name, under(dir, moved));
        ADD_FAILURE() << "restored through a link out of the rootfs";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("/srv"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(fs::is_empty(host_dir)) << "made something on the host";
    EXPECT_TRUE(session().list().empty());
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty());
}

}  // namespace
}  // namespace ct::test
