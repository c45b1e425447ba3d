#include "criu/netns.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "launch/plan.hpp"
#include "net/network.hpp"
#include "support.hpp"

namespace ct::linux_native::criu {

std::string netns_id(pid_t pid) {
    struct stat st;
    std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
    if (::stat(path.c_str(), &st) != 0) throw_sys("stat " + path, errno);
    return "net[" + std::to_string(st.st_ino) + "]";
}

namespace {

void attach_interfaces(const Spec &spec, int netns, const std::string &state_dir) {
    net::Network network(spec.network);
    if (network.empty()) return;
    // Right after a checkpoint that stopped the container, its old network namespace may still
    // be on its way out (the kernel tears namespaces down asynchronously), with the host end
    // of its veths: give it a moment before making new ones under the same names.
    for (const auto &i : spec.network) {
        if (i.type != "veth" || i.host_name.empty()) continue;
        for (int t = 0; t < 300 && ::if_nametoindex(i.host_name.c_str()) != 0; ++t) ::usleep(10000);
    }
    network.attach(netns, state_dir);
}

void lo_up() {
    Fd sk(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sk) throw_sys("open a socket in the new network namespace", errno);
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(sk.get(), SIOCGIFFLAGS, &ifr) != 0) throw_sys("get the flags of lo", errno);
    ifr.ifr_flags |= IFF_UP;
    if (::ioctl(sk.get(), SIOCSIFFLAGS, &ifr) != 0) throw_sys("bring lo up", errno);
}

}  // namespace

Fd restore_netns(const Spec &spec, const std::string &state_dir) {
    std::string joined;
    for (const auto &n : spec.effective_namespaces())
        if (n.type == Namespace::net) joined = n.path;
    Fd out;
    Error failure(Errc::backend, "");
    bool failed = false;
    std::thread t([&] {
        try {
            if (!joined.empty()) {
                // The engine's namespace, as it made it: only the spec's settings are added.
                out.reset(::open(joined.c_str(), O_RDONLY | O_CLOEXEC));
                if (!out) throw_sys("open the network namespace " + joined, errno);
                if (::setns(out.get(), CLONE_NEWNET) != 0)
                    throw_sys("join the network namespace " + joined, errno);
            } else {
                if (::unshare(CLONE_NEWNET) != 0) throw_sys("create a network namespace", errno);
                out.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
                if (!out) throw_sys("open the new network namespace", errno);
                lo_up();
            }
            // /proc/sys/net shows the network namespace of the thread that opens it.
            for (const auto &[k, v] : spec.sysctl)
                if (k.rfind("net.", 0) == 0 && !write_file(sysctl_path(k), v))
                    throw_sys("set sysctl " + k, errno);
        } catch (const Error &e) {
            failure = e;
            failed = true;
        }
    });
    t.join();
    if (failed) throw failure;
    attach_interfaces(spec, out.get(), state_dir);
    return out;
}

}  // namespace ct::linux_native::criu
