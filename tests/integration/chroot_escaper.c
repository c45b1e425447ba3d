/* A hostile process inside a container whose root is entered by chroot, for
 * test_confinement.cpp: the classic way out (chroot into a subdirectory, which leaves the
 * working directory above the new root, then walk up past the old root and chroot there).
 * argv[1]: a host path outside the container's root. Prints "ESCAPED" if it could read it
 * afterwards, else what stopped it. Static, so it runs in a busybox rootfs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    mkdir("/ct-escape", 0700);
    if (chroot("/ct-escape") < 0) {
        printf("chroot: %s\n", strerror(errno));
        return 0;
    }
    for (int i = 0; i < 64; ++i)
        if (chdir("..") < 0) break;
    if (chroot(".") < 0) {
        printf("chroot .: %s\n", strerror(errno));
        return 0;
    }
    struct stat st;
    if (stat(argv[1], &st) == 0)
        printf("ESCAPED\n");
    else
        printf("stayed: %s\n", strerror(errno));
    return 0;
}
