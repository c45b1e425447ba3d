// Runs a test program in a network and mount namespace of its own (as root), before main() and
// before any thread exists (unshare(CLONE_NEWNS) refuses a multi-threaded process).
//
// Why: the leak checks compare the host's network devices and mount table before and after
// every test. Anything else on the machine making veths or mounts at the same time (another
// test binary, a developer's shell) would look like a leak. In namespaces of its own the test
// still drives the real kernel — to the backend these namespaces *are* the host — and a device
// or mount the backend leaves behind shows up here, where the check looks.
// CT_TEST_HOST_NAMESPACES=1 runs in the caller's namespaces instead.
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

__attribute__((constructor)) void isolate_test_process() {
    if (::geteuid() != 0 || std::getenv("CT_TEST_HOST_NAMESPACES")) return;
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        std::perror("test isolation: unshare(CLONE_NEWNET | CLONE_NEWNS)");
        std::exit(1);
    }
    // Private, so mounts made elsewhere meanwhile do not appear here (and ours not there).
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        std::perror("test isolation: make / private");
        std::exit(1);
    }
    // sysfs shows the network namespace of whoever mounted it: stack a fresh one on /sys so
    // /sys/class/net lists this namespace's devices, and carry the cgroup hierarchies over
    // onto it (they were submounts of the old /sys).
    char keep[] = "/tmp/ct-test-cgroups-XXXXXX";
    if (!::mkdtemp(keep) || ::mount("/sys/fs/cgroup", keep, nullptr, MS_BIND | MS_REC, nullptr) ||
        ::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) ||
        ::mount(keep, "/sys/fs/cgroup", nullptr, MS_MOVE, nullptr)) {
        std::perror("test isolation: remount /sys for the test's network namespace");
        std::exit(1);
    }
    ::rmdir(keep);
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr {};
    std::strcpy(ifr.ifr_name, "lo");
    if (s >= 0 && ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
        ::ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    if (s >= 0) ::close(s);
}

}  // namespace
