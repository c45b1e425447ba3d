/* libct_container_set_console_fd: a terminal of the caller as the container's /dev/console;
 * LIBCT_CONSOLE_FD in set_fds hands it to the process as stdio. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

/* Reads the pty master until `want` has appeared (or 10 s pass). */
static int read_until(int master, const char *want, char *buf, size_t len) {
    size_t n = strlen(buf);
    for (int i = 0; i < 100 && !strstr(buf, want); i++) {
        struct pollfd pfd = {master, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0) continue;
        ssize_t r = read(master, buf + n, len - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
        buf[n] = 0;
    }
    return strstr(buf, want) != NULL;
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");

    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "pty");
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0, "pty slave");

    ct_handler_t ct = libct_container_create(s, tc_name("console"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("console")));
    int devnull = open("/dev/null", O_RDONLY);
    CHECK(libct_container_set_console_fd(ct, devnull) == -LCTERR_INVARG, "not a terminal");
    close(devnull);
    CHECK_OK(libct_container_set_console_fd(ct, slave));
    close(slave); /* the library keeps its own */

    ct_process_desc_t pd = libct_process_desc_create(s);
    int fds[] = {LIBCT_CONSOLE_FD, LIBCT_CONSOLE_FD, LIBCT_CONSOLE_FD};
    CHECK_OK(libct_process_desc_set_fds(pd, fds, 3));
    char *argv[] = {"sh", "-c",
                    "[ -t 1 ] && echo stdio-is-a-tty; echo via-dev-console > /dev/console; exit 6",
                    NULL};
    ct_process_t p = libct_container_spawn_execv(ct, pd, "/bin/sh", argv);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    char buf[4096] = {0};
    CHECK(read_until(master, "via-dev-console", buf, sizeof buf), "console output: '%s'", buf);
    CHECK(strstr(buf, "stdio-is-a-tty") != NULL, "stdio is the console: '%s'", buf);
    int st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 6, "status %#x", st);
    libct_process_destroy(p);
    libct_container_destroy(ct);

    /* LIBCT_CONSOLE_FD without a console. */
    ct = libct_container_create(s, tc_name("noconsole"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("noconsole")));
    p = libct_container_spawn_execv(ct, pd, "/bin/sh", argv);
    CHECK(libct_handle_to_err(p) == -LCTERR_INVARG, "LIBCT_CONSOLE_FD needs a console: %ld",
          libct_handle_to_err(p));
    libct_container_destroy(ct);

    close(master);
    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
