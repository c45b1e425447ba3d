// Namespaces and the root filesystem, checked from inside the container.
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "fixture.hpp"

namespace ct::test {
namespace {

class Isolation : public LinuxTest {};

TEST_F(Isolation, HostnameIsIsolated) {
    utsname before{};
    uname(&before);
    auto s = spec({"/bin/hostname"});
    s.hostname = "inside-box";
    EXPECT_EQ(run(s).out, "inside-box\n");
    utsname after{};
    uname(&after);
    EXPECT_STREQ(before.nodename, after.nodename);
}

TEST_F(Isolation, OnlyLoopbackInTheNetworkNamespaceAndItIsUp) {
    auto r = run(spec({"/bin/sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/flags"}));
    EXPECT_EQ(r.out, "lo\n0x9\n") << r.err;  // IFF_UP | IFF_LOOPBACK
}

TEST_F(Isolation, RootIsTheRootfsWithFreshProcAndMinimalDev) {
    auto r = run(spec({"/bin/sh", "-c",
                       "ls /; echo --; ls /dev; echo --; ls /proc | grep -c '^[0-9]'; "
                       "echo x > /dev/null && head -c 4 /dev/zero | wc -c; "
                       "grep -c ' / ' /proc/self/mountinfo"}));
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    // The container's / is the busybox tree, not the host's.
    EXPECT_EQ(r.out.find("lib64"), std::string::npos);
    EXPECT_NE(r.out.find("bin\n"), std::string::npos);
    auto dev = r.out.substr(r.out.find("--\n") + 3);
    dev = dev.substr(0, dev.find("--\n"));
    EXPECT_EQ(dev,
              "core\nfd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\n"
              "urandom\nzero\n");
    // /proc shows the container's processes only: sh and ls/grep, never the host's hundreds.
    auto tail = r.out.substr(r.out.rfind("--\n") + 3);
    EXPECT_LE(std::stoi(tail), 4) << tail;
    EXPECT_NE(tail.find("\n4\n"), std::string::npos) << tail;
}

TEST_F(Isolation, ANamespaceSubsetSharesTheRest) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    auto s = spec({"/bin/sh", "-c", "hostname; ls /sys/class/net | wc -l; echo $$"});
    s.namespaces = std::vector<NamespaceSpec>{{Namespace::mount, {}}};
    auto r = run(s);
    std::istringstream in(r.out);
    std::string hn, nifs, pid;
    in >> hn >> nifs >> pid;
    EXPECT_EQ(hn, host);   // uts shared
    EXPECT_NE(pid, "1");   // pid namespace shared
    EXPECT_EQ(nifs, "0");  // no sysfs without a net namespace of its own
}

TEST_F(Isolation, JoinsAnExistingNamespaceByPath) {
    // The container joins the uts namespace of a running one.
    auto a = spec({"/bin/sleep", "30"});
    a.hostname = "shared-uts";
    auto ca = session().create(a);
    int64_t pid = ca.start(StartOptions{{-1, -1, -1}, false});
    auto b = spec({"/bin/hostname"});
    b.namespaces = std::vector<NamespaceSpec>{
        {Namespace::mount, {}}, {Namespace::uts, "/proc/" + std::to_string(pid) + "/ns/uts"}};
    EXPECT_EQ(run(b).out, "shared-uts\n");
    // The pod's hostname set again by each of its containers (CRI-O does); never in the
    // host's namespace, whose hostname it would change.
    b.hostname = "shared-uts";
    EXPECT_EQ(run(b).out, "shared-uts\n");
    utsname host{};
    uname(&host);
    b.namespaces =
        std::vector<NamespaceSpec>{{Namespace::mount, {}}, {Namespace::uts, "/proc/self/ns/uts"}};
    b.hostname = "not-the-hosts";
    try {
        session().create(b);
        ADD_FAILURE() << "a hostname for the host's uts namespace was accepted";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("hostname: the uts namespace /proc/self/ns/uts is "
                                             "the host's"),
                  std::string::npos)
            << e.what();
    }
    utsname after{};
    uname(&after);
    EXPECT_STREQ(host.nodename, after.nodename);
    ca.destroy(true);
    EXPECT_TRUE(session().list().empty());
}

// Joining another container's pid namespace (a pod's, `podman run --pid container:X`): the
// process is in that namespace, sees that container's processes and never the host's, and its
// /proc is that namespace's. (setns into a pid namespace moves only the caller's children:
// the container's process was left in the host's, with a /proc of all the host's processes.)
TEST_F(Isolation, JoiningAnotherContainersPidNamespaceNeverShowsTheHosts) {
    auto a = spec({"/bin/sleep", "30"});
    auto ca = session().create(a);
    int64_t pid = ca.start(StartOptions{{-1, -1, -1}, false});
    std::string pidns = "/proc/" + std::to_string(pid) + "/ns/pid";
    std::string want = std::filesystem::read_symlink(pidns).string();
    for (const auto &t : {Namespace::pid, Namespace::net}) {
        SCOPED_TRACE(t == Namespace::pid ? "pid joined" : "pid and net joined");
        auto b =
            spec({"/bin/sh", "-c",
                  "readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr '\\0' ' '; echo; "
                  "ls /proc | grep -c '^[0-9]'; kill -0 " +
                      std::to_string(::getpid()) + " 2>/dev/null && echo SEES-THE-HOST; true"});
        b.namespaces = std::vector<NamespaceSpec>{{Namespace::mount, {}}, {Namespace::pid, pidns}};
        if (t == Namespace::net)
            b.namespaces->push_back({Namespace::net, "/proc/" + std::to_string(pid) + "/ns/net"});
        auto r = run(b);
        EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
        std::istringstream in(r.out);
        std::string ns, cmdline, count, extra;
        std::getline(in, ns);
        std::getline(in, cmdline);
        std::getline(in, count);
        std::getline(in, extra);
        EXPECT_EQ(ns, want) << r.out;
        EXPECT_EQ(cmdline, "/bin/sleep 30 ") << r.out;  // the other container's init is pid 1
        EXPECT_LE(std::stoi(count.empty() ? "0" : count), 4) << r.out;  // sleep, sh, ls, grep
        EXPECT_EQ(extra, "") << r.out;
    }
    ca.destroy(true);
}

TEST_F(Isolation, NoDescriptorOfTheCallerLeaksIn) {
    int leak = open("/etc/hostname", O_RDONLY);  // deliberately not O_CLOEXEC
    ASSERT_GE(leak, 0);
    auto r = run(spec({"/bin/ls", "/proc/self/fd"}));
    close(leak);
    EXPECT_EQ(r.out, "0\n1\n2\n3\n") << "fd 3 is ls's own directory handle";
}

TEST_F(Isolation, BindMountReadOnlyAndSymlinksCannotEscapeTheRoot) {
    std::string data = "/tmp/ct-it-data-" + std::to_string(getpid());
    std::filesystem::create_directories(data);
    temp_dirs_.push_back(data);
    write_text(data + "/hello", "from the host\n");
    std::string root = private_rootfs("symlink");
    temp_dirs_.push_back(root);
    // A hostile link: /escape -> /tmp (absolute) must resolve inside the container's root.
    std::filesystem::create_symlink("/tmp", root + "/escape");
    auto s = spec({"/bin/sh", "-c",
                   "cat /data/hello; echo x > /data/new 2>/dev/null && echo WROTE; "
                   "cat /escape/sub/hello"});
    s.rootfs = root;
    s.mounts = {{data, "/data", "bind", {"ro"}}, {data, "/escape/sub", "bind", {"ro"}}};
    auto r = run(s);
    EXPECT_EQ(r.out, "from the host\nfrom the host\n") << r.err;
    EXPECT_FALSE(std::filesystem::exists(data + "/new"));
    // The mount point was made inside the rootfs (root/tmp/sub), never in the host's /tmp.
    EXPECT_TRUE(std::filesystem::exists(root + "/tmp/sub"));
    EXPECT_FALSE(std::filesystem::exists("/tmp/sub/hello"));
}

}  // namespace
}  // namespace ct::test
