/* The memory workload of bench/criu_compare.sh: touches N MiB (argv[1]) page by page, says so
 * in /ready, then sleeps. Static, so it runs in a busybox rootfs under any runtime. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256, len = mib << 20;
    volatile char *p = malloc(len);
    if (!p) return 1;
    for (size_t i = 0; i < len; i += 4096) p[i] = (char)(i >> 12 | 1);
    int fd = open("/ready", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
    for (;;) pause();
}
