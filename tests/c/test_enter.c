/* libct_container_enter_cb/_execv/_execve: more processes in a running container, children of
 * the caller, in its namespaces. */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

struct shared {
    char host[64];
    int pid, ppid_ok;
};

static int peek(void *a) {
    struct shared *sh = a;
    gethostname(sh->host, sizeof sh->host);
    sh->pid = getpid();
    return 3;
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    ct_handler_t ct = libct_container_create(s, tc_name("enter"));
    CHECK_OK(
        libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("enter")));
    CHECK_OK(libct_container_uname(ct, "entered", NULL));
    ct_process_desc_t pd = libct_process_desc_create(s);

    struct shared *sh = tc_shared();
    CHECK(libct_handle_is_err(libct_container_enter_cb(ct, pd, peek, sh)),
          "entering a stopped container fails");

    int in[2];
    REQUIRE(pipe(in) == 0, "pipe");
    int fds[] = {in[0], 1, 2};
    ct_process_desc_t initd = libct_process_desc_copy(pd);
    CHECK_OK(libct_process_desc_set_fds(initd, fds, 3));
    char *argv[] = {"sh", "-c", "read x", NULL};
    ct_process_t init = libct_container_spawn_execv(ct, initd, "/bin/sh", argv);
    REQUIRE(!libct_handle_is_err(init), "spawn: %ld", libct_handle_to_err(init));
    close(in[0]);

    ct_process_t p = libct_container_enter_cb(ct, pd, peek, sh);
    REQUIRE(!libct_handle_is_err(p), "enter_cb: %ld", libct_handle_to_err(p));
    int st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "enter_cb status %#x", st);
    CHECK(!strcmp(sh->host, "entered"), "in the container's uts namespace: '%s'", sh->host);
    CHECK(sh->pid > 1 && sh->pid != libct_process_get_pid(p),
          "in its pid namespace (pid %d there, %d here)", sh->pid, libct_process_get_pid(p));
    libct_process_destroy(p);

    /* exec: a child of the caller, its output, its status. */
    int out[2], hold[2];
    REQUIRE(pipe(out) == 0 && pipe(hold) == 0, "pipes");
    int efds[] = {hold[0], out[1], 2};
    CHECK_OK(libct_process_desc_set_fds(pd, efds, 3));
    char *eargv[] = {"sh", "-c", "hostname; echo $E; read x; exit 4", NULL};
    char *env[] = {"E=ev", NULL};
    p = libct_container_enter_execve(ct, pd, "/bin/sh", eargv, env);
    REQUIRE(!libct_handle_is_err(p), "enter_execve: %ld", libct_handle_to_err(p));
    close(out[1]);
    close(hold[0]);
    int pid = libct_process_get_pid(p);
    CHECK(tc_ppid(pid) == getpid(), "an entered process is a child of the caller (%d)",
          tc_ppid(pid));
    close(hold[1]);
    const char *buf = tc_drain(out[0]);
    CHECK(!strcmp(buf, "entered\nev\n"), "output '%s'", buf);
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "enter_execve status %#x", st);
    libct_process_destroy(p);

    /* enter_execv, a command that does not exist: the call's error. */
    char *bad[] = {"nope", NULL};
    p = libct_container_enter_execv(ct, pd, "/bin/nope", bad);
    CHECK(libct_handle_is_err(p), "entering with a missing command fails");

    close(in[1]);
    CHECK_OK(libct_container_wait(ct));
    CHECK_OK(libct_process_wait(init, &st));
    libct_process_destroy(init);
    libct_process_desc_destroy(initd);
    libct_process_desc_destroy(pd);
    libct_container_destroy(ct);
    libct_session_close(s);
    return tc_done();
}
