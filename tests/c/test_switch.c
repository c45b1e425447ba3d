/* libct_container_switch: the calling process joins a container's namespaces and root, a
 * running one's and a TASKLESS one's (its init has gone; the library keeps its namespaces). */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

static int nothing(void *arg) {
    (void)arg;
    return 0;
}

/* In a child: switch, then check the marker file and the host name. */
static int switch_and_check(ct_handler_t ct, const char *marker, const char *host) {
    pid_t c = fork();
    if (c == 0) {
        if (libct_container_switch(ct) != 0) _exit(10);
        if (access(marker, F_OK) != 0) _exit(11);
        char h[64] = {0};
        gethostname(h, sizeof h - 1);
        if (strcmp(h, host)) _exit(12);
        _exit(0);
    }
    int st = -1;
    waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    ct_process_desc_t pd = libct_process_desc_create(s);

    /* A running container. */
    const char *root = tc_rootfs("running");
    tc_sh("touch %s/marker-running", root);
    ct_handler_t ct = libct_container_create(s, tc_name("running"));
    CHECK_OK(
        libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC));
    CHECK_OK(libct_fs_set_root(ct, root));
    CHECK_OK(libct_container_uname(ct, "sw-running", NULL));
    CHECK(libct_container_switch(ct) == -LCTERR_BADCTSTATE, "switching into a stopped one");
    int in[2];
    REQUIRE(pipe(in) == 0, "pipe");
    int fds[] = {in[0], 1, 2};
    ct_process_desc_t initd = libct_process_desc_copy(pd);
    CHECK_OK(libct_process_desc_set_fds(initd, fds, 3));
    char *argv[] = {"cat", NULL};
    ct_process_t p = libct_container_spawn_execv(ct, initd, "/bin/cat", argv);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    close(in[0]);
    CHECK(switch_and_check(ct, "/marker-running", "sw-running") == 0, "switch into it");
    close(in[1]);
    CHECK_OK(libct_container_wait(ct));
    libct_process_destroy(p);
    libct_container_destroy(ct);

    /* Two TASKLESS containers, as libct's test/ct_switch.c: one switch after the other. */
    const char *r1 = tc_rootfs("tl1"), *r2 = tc_rootfs("tl2");
    tc_sh("touch %s/test1 %s/test2", r1, r2);
    ct_handler_t c1 = libct_container_create(s, tc_name("tl1"));
    ct_handler_t c2 = libct_container_create(s, tc_name("tl2"));
    CHECK_OK(libct_container_set_nsmask(c1, CLONE_NEWNS | CLONE_NEWUTS));
    CHECK_OK(libct_container_set_nsmask(c2, CLONE_NEWNS | CLONE_NEWUTS));
    CHECK_OK(libct_container_uname(c1, "tl-one", NULL));
    CHECK_OK(libct_container_uname(c2, "tl-two", NULL));
    CHECK_OK(libct_fs_set_root(c1, r1));
    CHECK_OK(libct_fs_set_root(c2, r2));
    CHECK_OK(libct_container_set_option(c1, LIBCT_OPT_TASKLESS, NULL));
    CHECK_OK(libct_container_set_option(c2, LIBCT_OPT_TASKLESS, NULL));
    ct_process_t p1 = libct_container_spawn_cb(c1, pd, NULL, NULL);
    ct_process_t p2 = libct_container_spawn_cb(c2, pd, NULL, NULL);
    REQUIRE(!libct_handle_is_err(p1) && !libct_handle_is_err(p2), "spawn taskless: %ld %ld",
            libct_handle_to_err(p1), libct_handle_to_err(p2));
    CHECK(libct_container_state(c1) == CT_RUNNING, "a TASKLESS container runs without a task");
    CHECK(kill(libct_process_get_pid(p1), 0) != 0, "its init has exited");
    int st = -1;
    CHECK_OK(libct_process_wait(p1, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "init status %#x", st);
    pid_t c = fork();
    if (c == 0) {
        if (libct_container_switch(c1) || access("/test1", F_OK)) _exit(1);
        char h[64] = {0};
        gethostname(h, sizeof h - 1);
        if (strcmp(h, "tl-one")) _exit(2);
        if (libct_container_switch(c2) || access("/test2", F_OK)) _exit(3);
        gethostname(h, sizeof h - 1);
        if (strcmp(h, "tl-two")) _exit(4);
        _exit(0);
    }
    waitpid(c, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "switch into one, then the other: %#x", st);
    CHECK(libct_handle_to_err(libct_container_enter_cb(c1, pd, nothing, NULL)) == -LCTERR_OPNOTSUPP,
          "a TASKLESS container has no process to enter beside");
    CHECK_OK(libct_container_kill(c1));
    CHECK_OK(libct_container_kill(c2));
    CHECK(libct_container_state(c1) == CT_STOPPED, "stopped once let go");
    libct_process_destroy(p1);
    libct_process_destroy(p2);
    libct_container_destroy(c1);
    libct_container_destroy(c2);

    /* TASKLESS needs a callback spawn, and no new pid namespace (it would end with the init). */
    ct = libct_container_create(s, tc_name("tlpid"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_container_set_option(ct, LIBCT_OPT_TASKLESS, NULL));
    CHECK(libct_handle_to_err(libct_container_spawn_cb(ct, pd, NULL, NULL)) == -LCTERR_INVARG,
          "TASKLESS with a pid namespace");
    libct_container_destroy(ct);

    libct_process_desc_destroy(initd);
    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
