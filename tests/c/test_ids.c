/* Ids are 0..4294967294: (uid_t)-1 means "leave unchanged" to setresuid(), setgroups() and
 * chown(), so a process given it would keep root's ids. The setters that take ids refuse it,
 * and id map ranges that reach or wrap past it, with a message naming the call and the field;
 * the largest id works. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libct-log-levels.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

static int logs[2];

/* What libct logged since the last call (its messages are the C API's only explanation). */
static const char *logged(void) {
    static char buf[4096];
    ssize_t n = read(logs[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

#define REFUSED(call, message)                                                                  \
    do {                                                                                        \
        int rc_ = (call);                                                                       \
        CHECK(rc_ == -LCTERR_INVARG, "%s returned %d", #call, rc_);                             \
        const char *log_ = logged();                                                            \
        CHECK(strstr(log_, message) != NULL, "%s logged '%s', not '%s'", #call, log_, message); \
    } while (0)

int main(void) {
    tc_init();
    REQUIRE(pipe2(logs, O_NONBLOCK | O_CLOEXEC) == 0, "pipe");
    libct_log_init(logs[1], LOG_ERROR);
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");

    ct_process_desc_t pd = libct_process_desc_create(s);
    REQUIRE(!libct_handle_is_err(pd), "process description");
    REFUSED(libct_process_desc_setuid(pd, (unsigned)-1),
            "libct_process_desc_setuid: uid 4294967295 is not an id (0..4294967294)");
    REFUSED(libct_process_desc_setgid(pd, 4294967295u),
            "libct_process_desc_setgid: gid 4294967295 is not an id");
    unsigned groups[] = {5, 4294967295u};
    REFUSED(libct_process_desc_set_groups(pd, 2, groups),
            "libct_process_desc_set_groups: groups[1] 4294967295 is not an id");
    REFUSED(libct_process_desc_setgroups(pd, 2, groups), "groups[1] 4294967295 is not an id");

    ct_handler_t ct = libct_container_create(s, tc_name("maps"));
    REQUIRE(!libct_handle_is_err(ct), "container");
    REFUSED(libct_userns_add_uid_map(ct, 4294967295u, 100000, 1),
            "libct_userns_add_uid_map: first 4294967295 + count 1 goes past the last id");
    REFUSED(libct_userns_add_uid_map(ct, 0, 4294967290u, 10),
            "libct_userns_add_uid_map: lower_first 4294967290 + count 10 goes past");
    REFUSED(libct_userns_add_gid_map(ct, 4294967290u, 0, 10),
            "libct_userns_add_gid_map: first 4294967290 + count 10 goes past");
    REFUSED(libct_userns_add_gid_map(ct, 1, 0, 4294967295u),
            "libct_userns_add_gid_map: first 1 + count 4294967295 goes past");
    /* Up to the last id is a range (the whole of them: the initial namespace's map). */
    CHECK_OK(libct_userns_add_uid_map(ct, 0, 0, 4294967295u));
    CHECK_OK(libct_userns_add_gid_map(ct, 4294967290u, 100000, 5));
    libct_container_destroy(ct);

    /* The largest id is an id: a process runs as it. */
    CHECK_OK(libct_process_desc_setuid(pd, 4294967294u));
    CHECK_OK(libct_process_desc_setgid(pd, 4294967294u));
    unsigned big[] = {4294967294u};
    CHECK_OK(libct_process_desc_set_groups(pd, 1, big));
    ct = libct_container_create(s, tc_name("run"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("run")));
    int out[2];
    REQUIRE(pipe(out) == 0, "pipe");
    int fds[] = {0, out[1], 2};
    CHECK_OK(libct_process_desc_set_fds(pd, fds, 3));
    char *argv[] = {"sh", "-c", "id -u; id -g; id -G", NULL};
    ct_process_t p = libct_container_spawn_execv(ct, pd, "/bin/sh", argv);
    close(out[1]);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld (%s)", libct_handle_to_err(p), logged());
    const char *got = tc_drain(out[0]);
    CHECK(!strcmp(got, "4294967294\n4294967294\n4294967294\n"), "output '%s'", got);
    int st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    libct_process_destroy(p);
    libct_container_destroy(ct);
    libct_process_desc_destroy(pd);
    libct_session_close(s);
    libct_log_init(2, LOG_INFO);
    return tc_done();
}
