/* libct_container_spawn_cb: the init runs a function in a fork of the caller. It sees the
 * caller's memory as it was (shared mappings stay shared) and its file descriptors, and is a
 * child of the caller. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

struct shared {
    int ran, pid, ppid, value, got;
    char byte;
    int fd4_open;
};

static int g_value;

struct arg {
    struct shared *sh;
    int rd; /* a pipe of the caller's, not passed explicitly */
};

static int body(void *a) {
    struct arg *x = a;
    x->sh->ran = 1;
    x->sh->pid = getpid();
    x->sh->ppid = getppid();
    x->sh->value = g_value;
    char c = 0;
    x->sh->got = (int)read(x->rd, &c, 1);
    x->sh->byte = c;
    return 9;
}

static int fds_body(void *a) {
    struct shared *sh = a;
    sh->fd4_open = fcntl(4, F_GETFD) >= 0;
    return write(3, "via3", 4) == 4 ? 0 : 1;
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    ct_process_desc_t pd = libct_process_desc_create(s);

    /* No namespaces, the caller's root: the historical default. */
    struct shared *sh = tc_shared();
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    struct arg a = {sh, p[0]};
    g_value = 1234;
    ct_handler_t ct = libct_container_create(s, tc_name("plain"));
    ct_process_t pr = libct_container_spawn_cb(ct, pd, body, &a);
    REQUIRE(!libct_handle_is_err(pr), "spawn_cb: %ld", libct_handle_to_err(pr));
    g_value = 0; /* the fork has its own copy */
    int pid = libct_process_get_pid(pr);
    CHECK(tc_ppid(pid) == getpid(), "the init is a child of the caller");
    REQUIRE(write(p[1], "k", 1) == 1, "write");
    int st = -1;
    CHECK_OK(libct_process_wait(pr, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9, "the return value is the exit status: %#x", st);
    CHECK(sh->ran, "the callback ran");
    CHECK(sh->pid == pid, "in the process spawn returned (%d vs %d)", sh->pid, pid);
    CHECK(sh->ppid == getpid(), "whose parent is the caller");
    CHECK(sh->value == 1234, "with the caller's memory as it was: %d", sh->value);
    CHECK(sh->got == 1 && sh->byte == 'k', "and the caller's fds (read %d)", sh->got);
    libct_process_destroy(pr);
    libct_container_destroy(ct);

    /* A pid namespace: the callback is its pid 1. */
    memset(sh, 0, sizeof *sh);
    ct = libct_container_create(s, tc_name("pidns"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWPID | CLONE_NEWNS));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("pidns")));
    pr = libct_container_spawn_cb(ct, pd, body, &a);
    REQUIRE(!libct_handle_is_err(pr), "spawn_cb in a pid namespace: %ld", libct_handle_to_err(pr));
    REQUIRE(write(p[1], "z", 1) == 1, "write");
    CHECK_OK(libct_container_wait(ct));
    CHECK(sh->pid == 1, "pid 1 of its namespace (%d)", sh->pid);
    CHECK(sh->byte == 'z', "fds kept across the root change");
    libct_process_destroy(pr);
    libct_container_destroy(ct);

    /* set_fds: exactly these fds. */
    memset(sh, 0, sizeof *sh);
    int out[2];
    REQUIRE(pipe(out) == 0, "pipe");
    int fds[] = {0, 1, 2, out[1]};
    CHECK_OK(libct_process_desc_set_fds(pd, fds, 4));
    ct = libct_container_create(s, tc_name("fds"));
    pr = libct_container_spawn_cb(ct, pd, fds_body, sh);
    REQUIRE(!libct_handle_is_err(pr), "spawn_cb with fds: %ld", libct_handle_to_err(pr));
    close(out[1]);
    CHECK_OK(libct_process_wait(pr, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    char buf[16] = {0};
    CHECK(read(out[0], buf, sizeof buf - 1) == 4 && !strcmp(buf, "via3"), "fd 3: '%s'", buf);
    CHECK(!sh->fd4_open, "no other fd");
    close(out[0]);
    libct_process_destroy(pr);
    libct_container_destroy(ct);

    close(p[0]);
    close(p[1]);
    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
