#include "netns.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "sys.hpp"

namespace ct::linux_native::criu {

std::string netns_id(pid_t pid) {
    struct stat st;
    std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
    if (::stat(path.c_str(), &st) != 0) throw_sys("stat " + path, errno);
    return "net[" + std::to_string(st.st_ino) + "]";
}

Fd fresh_netns(const Spec &spec) {
    Fd out;
    Error failure(Errc::backend, "");
    bool failed = false;
    std::thread t([&] {
        try {
            if (::unshare(CLONE_NEWNET) != 0) throw_sys("create a network namespace", errno);
            out.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
            if (!out) throw_sys("open the new network namespace", errno);
            Fd sk(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
            if (!sk) throw_sys("open a socket in the new network namespace", errno);
            struct ifreq ifr {};
            std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
            if (::ioctl(sk.get(), SIOCGIFFLAGS, &ifr) != 0) throw_sys("get the flags of lo", errno);
            ifr.ifr_flags |= IFF_UP;
            if (::ioctl(sk.get(), SIOCSIFFLAGS, &ifr) != 0) throw_sys("bring lo up", errno);
            // /proc/sys/net shows the network namespace of the thread that opens it.
            for (const auto &[k, v] : spec.sysctl) {
                if (k.rfind("net.", 0) != 0) continue;
                std::string path = "/proc/sys/" + k;
                for (size_t i = 10; i < path.size(); ++i)
                    if (path[i] == '.') path[i] = '/';
                if (!write_file(path, v)) throw_sys("set sysctl " + k, errno);
            }
        } catch (const Error &e) {
            failure = e;
            failed = true;
        }
    });
    t.join();
    if (failed) throw failure;
    return out;
}

}  // namespace ct::linux_native::criu
