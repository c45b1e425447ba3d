/*
 * Runs a C API test in a network and mount namespace of its own (as root), before main():
 * what tests/common/isolate.cpp does for the C++ tests. The leak checks compare this
 * namespace's devices and mount table before and after; anything else on the machine making
 * veths or mounts meanwhile cannot look like a leak. CT_TEST_HOST_NAMESPACES=1 runs in the
 * caller's namespaces instead.
 */
#define _GNU_SOURCE
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void isolate_test_process(void) {
    if (geteuid() != 0 || getenv("CT_TEST_HOST_NAMESPACES")) return;
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        perror("test isolation: unshare(CLONE_NEWNET | CLONE_NEWNS)");
        exit(1);
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        perror("test isolation: make / private");
        exit(1);
    }
    /* A sysfs of this network namespace, with the cgroup hierarchies carried over onto it. */
    char keep[] = "/tmp/ct-capi-cgroups-XXXXXX";
    if (!mkdtemp(keep) || mount("/sys/fs/cgroup", keep, NULL, MS_BIND | MS_REC, NULL) ||
        mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) ||
        mount(keep, "/sys/fs/cgroup", NULL, MS_MOVE, NULL)) {
        perror("test isolation: remount /sys for the test's network namespace");
        exit(1);
    }
    rmdir(keep);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    if (s >= 0) close(s);
}
