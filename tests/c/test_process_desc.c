/* Process descriptions: user by name, uid/gid/groups, rlimits, capabilities, the parent death
 * signal, the environment; a copy keeps them. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tc.h"

static libct_session_t s;

/* Runs `script` in a fresh busybox container as described by `pd`; returns its output. */
static const char *run(const char *tag, ct_process_desc_t pd, const char *script) {
    const char *got = "";
    ct_handler_t ct = libct_container_create(s, tc_name(tag));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs(tag)));
    int out[2];
    REQUIRE(pipe(out) == 0, "pipe");
    ct_process_desc_t d = libct_process_desc_copy(pd);
    int fds[] = {0, out[1], 2};
    CHECK_OK(libct_process_desc_set_fds(d, fds, 3));
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    ct_process_t p = libct_container_spawn_execv(ct, d, "/bin/sh", argv);
    close(out[1]);
    if (libct_handle_is_err(p)) {
        CHECK(0, "%s: spawn: %ld", tag, libct_handle_to_err(p));
        close(out[0]);
    } else {
        got = tc_drain(out[0]);
        int st;
        CHECK_OK(libct_process_wait(p, &st));
        libct_process_destroy(p);
    }
    libct_process_desc_destroy(d);
    libct_container_destroy(ct);
    return got;
}

static int pdeath(void *a) {
    int *sig = a;
    if (prctl(PR_GET_PDEATHSIG, sig) != 0) *sig = -1;
    return 0;
}

int main(void) {
    tc_init();
    s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");

    /* A user by name, from the container's /etc/passwd and /etc/group. */
    ct_process_desc_t pd = libct_process_desc_create(s);
    CHECK_OK(libct_process_desc_set_user(pd, "daemon"));
    const char *o = run("byname", pd, "echo $(id -u):$(id -g)");
    CHECK(!strcmp(o, "1:1\n"), "user daemon: '%s'", o);
    CHECK(libct_process_desc_set_user(pd, NULL) == -LCTERR_INVARG, "a NULL name");
    libct_process_desc_destroy(pd);

    /* By number, with supplementary groups. */
    pd = libct_process_desc_create(s);
    CHECK_OK(libct_process_desc_setuid(pd, 65534));
    CHECK_OK(libct_process_desc_setgid(pd, 65534));
    unsigned int groups[] = {100, 1};
    CHECK_OK(libct_process_desc_set_groups(pd, 2, groups));
    o = run("byid", pd, "echo $(id -u) $(id -g) $(id -G)");
    CHECK(!strcmp(o, "65534 65534 65534 1 100\n") || !strcmp(o, "65534 65534 65534 100 1\n"),
          "ids: '%s'", o);
    libct_process_desc_destroy(pd);

    /* rlimits, and the environment of set_env for an execv'd init. */
    pd = libct_process_desc_create(s);
    CHECK_OK(libct_process_desc_set_rlimit(pd, RLIMIT_NOFILE, 100, 200));
    char *env[] = {"A=from-desc", "PATH=/bin", NULL};
    CHECK_OK(libct_process_desc_set_env(pd, env, 2));
    o = run("rlimit", pd, "echo $(ulimit -n) $(ulimit -Hn) $A");
    CHECK(!strcmp(o, "100 200 from-desc\n"), "rlimits: '%s'", o);
    libct_process_desc_destroy(pd);

    /* Capabilities: CAP_CHOWN (0) and CAP_NET_BIND_SERVICE (10) only. */
    unsigned long mask = (1UL << CAP_CHOWN) | (1UL << CAP_NET_BIND_SERVICE);
    pd = libct_process_desc_create(s);
    CHECK_OK(libct_process_desc_set_caps(pd, mask, CAPS_ALL));
    o = run("caps", pd,
            "grep -E '^Cap(Bnd|Eff|Prm)' /proc/self/status | tr -d '\\t' | tr '\\n' ' '");
    CHECK(!strcmp(o, "CapPrm:0000000000000401 CapEff:0000000000000401 CapBnd:0000000000000401 "),
          "CAPS_ALL: '%s'", o);
    libct_process_desc_destroy(pd);
    pd = libct_process_desc_create(s);
    CHECK_OK(libct_process_desc_set_caps(pd, mask, CAPS_BSET));
    o = run("bset", pd, "grep -E '^CapBnd' /proc/self/status | tr -d '\\t'");
    CHECK(!strcmp(o, "CapBnd:0000000000000401\n"), "CAPS_BSET: '%s'", o);
    CHECK(libct_process_desc_set_caps(pd, ~0UL, CAPS_ALL) == -LCTERR_INVARG, "unknown bits");

    /* The parent death signal: of a callback... */
    CHECK_OK(libct_process_desc_set_pdeathsig(pd, SIGKILL));
    ct_handler_t ct = libct_container_create(s, tc_name("pdeath"));
    int *sig = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, pd, pdeath, sig);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    CHECK_OK(libct_container_wait(ct));
    CHECK(*sig == SIGKILL, "PR_GET_PDEATHSIG in the callback: %d", *sig);
    libct_process_destroy(p);
    libct_container_destroy(ct);

    /* ...and of a command: it dies with the thread that spawned it. */
    const char *name = tc_name("pdeathexec");
    int *pid = tc_shared();
    pid_t helper = fork();
    if (helper == 0) {
        libct_session_t hs = libct_session_open_local();
        ct_handler_t hc = libct_container_create(hs, name);
        char *argv[] = {"sleep", "1000", NULL};
        ct_process_t hp = libct_container_spawn_execv(hc, pd, "/bin/sleep", argv);
        *pid = libct_handle_is_err(hp) ? -1 : libct_process_get_pid(hp);
        _exit(0); /* without waiting: the sleep must go too */
    }
    int st;
    waitpid(helper, &st, 0);
    REQUIRE(*pid > 0, "the helper's spawn");
    int gone = 0;
    for (int i = 0; i < 300 && !gone; i++) {
        gone = kill(*pid, 0) != 0 && errno == ESRCH;
        if (!gone) usleep(10000);
    }
    CHECK(gone, "the init died with its parent");
    ct = libct_container_open(s, name);
    CHECK(!libct_handle_is_err(ct), "the container outlives the helper");
    if (!libct_handle_is_err(ct)) libct_container_destroy(ct);
    libct_process_desc_destroy(pd);

    libct_session_close(s);
    return tc_done();
}
