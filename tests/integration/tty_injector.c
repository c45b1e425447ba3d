/* A hostile process inside a container, for test_confinement.cpp: it types argv[1] into its
 * stdin's terminal (TIOCSTI), which a shell reading that terminal would run once the container
 * is done, then tries a virtual console paste (TIOCLINUX). Prints what each ioctl answered.
 * Static, so it runs in a busybox rootfs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "";
    const char *sti = "ok";
    for (const char *c = text; *c; ++c)
        if (ioctl(0, TIOCSTI, c) < 0) {
            sti = strerror(errno);
            break;
        }
    char paste = 3; /* TIOCL_PASTESEL */
    const char *linux_ = ioctl(0, TIOCLINUX, &paste) < 0 ? strerror(errno) : "ok";
    printf("TIOCSTI: %s\nTIOCLINUX: %s\n", sti, linux_);
    return 0;
}
