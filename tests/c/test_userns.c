/* libct_userns_add_uid_map/_gid_map: a user namespace whose root is an unprivileged host id. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

struct shared {
    int uid, gid;
    char map[128];
};

static int look(void *a) {
    struct shared *sh = a;
    sh->uid = (int)getuid();
    sh->gid = (int)getgid();
    FILE *f = fopen("/proc/self/uid_map", "r");
    if (f) {
        if (!fgets(sh->map, sizeof sh->map, f)) sh->map[0] = 0;
        fclose(f);
    }
    char c;
    return read(0, &c, 1) >= 0 ? 0 : 1; /* until the caller has looked from outside */
}

int main(void) {
    tc_init();
    if (access("/proc/self/ns/user", F_OK) != 0) tc_skip("no user namespaces");
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    ct_handler_t ct = libct_container_create(s, tc_name("userns"));
    CHECK_OK(libct_container_set_nsmask(
        ct, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("userns")));
    CHECK(libct_userns_add_uid_map(ct, 0, 200000, 0) == -LCTERR_INVARG, "an empty map");
    CHECK_OK(libct_userns_add_uid_map(ct, 0, 200000, 65536));
    CHECK_OK(libct_userns_add_gid_map(ct, 0, 300000, 65536));

    int in[2];
    REQUIRE(pipe(in) == 0, "pipe");
    ct_process_desc_t pd = libct_process_desc_create(s);
    int fds[] = {in[0], 1, 2};
    CHECK_OK(libct_process_desc_set_fds(pd, fds, 3));
    struct shared *sh = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, pd, look, sh);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    close(in[0]);
    /* spawn returned: the maps are written. From outside, the init is host uid 200000. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", libct_process_get_pid(p));
    const char *status = tc_read(path);
    CHECK(status && strstr(status, "Uid:\t200000"), "host view of the init's uid");
    CHECK(status && strstr(status, "Gid:\t300000"), "host view of the init's gid");
    close(in[1]);
    int st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    CHECK(sh->uid == 0 && sh->gid == 0, "root inside (%d:%d)", sh->uid, sh->gid);
    unsigned a = 1, b = 1, c = 0;
    CHECK(sscanf(sh->map, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 200000 && c == 65536,
          "uid_map '%s'", sh->map);
    libct_process_destroy(p);

    /* The same with an executed command. */
    int out[2];
    REQUIRE(pipe(out) == 0, "pipe");
    int efds[] = {0, out[1], 2};
    CHECK_OK(libct_process_desc_set_fds(pd, efds, 3));
    char *argv[] = {"sh", "-c", "echo $(id -u) $(cat /proc/self/gid_map)", NULL};
    p = libct_container_spawn_execv(ct, pd, "/bin/sh", argv);
    REQUIRE(!libct_handle_is_err(p), "spawn again: %ld", libct_handle_to_err(p));
    close(out[1]);
    const char *buf = tc_drain(out[0]);
    CHECK(!strcmp(buf, "0 0 300000 65536\n"), "output '%s'", buf);
    CHECK_OK(libct_process_wait(p, &st));
    libct_process_destroy(p);

    libct_process_desc_destroy(pd);
    libct_container_destroy(ct);
    libct_session_close(s);
    return tc_done();
}
