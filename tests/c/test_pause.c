/* libct_container_pause/_resume: every process of the container stops and goes on. */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tc.h"

static int count(void *a) {
    volatile unsigned long *n = a;
    for (;;) {
        (*n)++;
        usleep(1000);
    }
    return 0;
}

static void nap(int ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    ct_handler_t ct = libct_container_create(s, tc_name("pause"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWPID | CLONE_NEWNS));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("pause")));
    ct_process_desc_t pd = libct_process_desc_create(s);
    volatile unsigned long *n = tc_shared();

    CHECK(libct_container_pause(ct) == -LCTERR_BADCTSTATE, "pausing a container never spawned");
    ct_process_t p = libct_container_spawn_cb(ct, pd, count, (void *)n);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    nap(50);
    CHECK(*n > 0, "counting");

    CHECK_OK(libct_container_pause(ct));
    CHECK(libct_container_state(ct) == CT_PAUSED, "paused");
    CHECK(libct_container_set_nsmask(ct, 0) == -LCTERR_BADCTSTATE, "settings while paused");
    nap(20);
    unsigned long frozen = *n;
    nap(200);
    CHECK(*n == frozen, "no progress while paused (%lu -> %lu)", frozen, *n);

    CHECK_OK(libct_container_resume(ct));
    CHECK(libct_container_state(ct) == CT_RUNNING, "running again");
    nap(100);
    CHECK(*n > frozen, "progress after resume");

    CHECK_OK(libct_container_kill(ct));
    CHECK_OK(libct_container_wait(ct));
    int st = 0;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == 9, "killed: %#x", st);
    CHECK(libct_container_state(ct) == CT_STOPPED, "stopped");
    libct_process_destroy(p);
    libct_process_desc_destroy(pd);
    libct_container_destroy(ct);
    libct_session_close(s);
    return tc_done();
}
