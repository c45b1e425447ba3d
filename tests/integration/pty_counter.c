/* A pty inside a container, for the checkpoint tests: the child counts on the slave side of a
 * pty pair (its controlling terminal); the parent reads the master and keeps the last number in
 * /count. Static, so it runs in the busybox rootfs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
        perror("pty");
        return 1;
    }
    const char *name = ptsname(m);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        setsid();
        int s = open(name, O_RDWR);
        if (s < 0 || ioctl(s, TIOCSCTTY, 0) != 0) return 1;
        dup2(s, 1);
        for (long i = 1;; ++i) {
            char line[32];
            int n = snprintf(line, sizeof line, "%ld\n", i);
            if (write(1, line, n) != n) return 1;
            usleep(100000);
        }
    }
    char buf[256], last[64] = "";
    size_t len = 0;
    for (;;) {
        ssize_t n = read(m, buf, sizeof buf);
        if (n <= 0) return 1;
        for (ssize_t i = 0; i < n; ++i) {
            char c = buf[i];
            if (c == '\r') continue;
            if (c != '\n') {
                if (len + 1 < sizeof last) last[len++] = c;
                continue;
            }
            last[len] = '\n';
            int f = open("/count.new", O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (f >= 0) {
                ssize_t w = write(f, last, len + 1);
                close(f);
                if (w == (ssize_t)len + 1) rename("/count.new", "/count");
            }
            len = 0;
        }
    }
}
