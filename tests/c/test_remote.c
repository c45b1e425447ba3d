/* The C API on another backend: linux+ssh:// (the remote backend and the real ct-agent, with a
 * stand-in for ssh that runs the far side's command line locally). What only a backend in this
 * process can do is refused with -LCTERR_OPNOTSUPP; the rest works as on linux:///. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

static int nothing(void *arg) {
    (void)arg;
    return 0;
}

int main(void) {
    tc_init();
    const char *dir = tc_tmpdir("remote");
    char argv_file[256], uri[1024];
    snprintf(argv_file, sizeof argv_file, "%s/ssh-argv", dir);
    setenv("CT_SSH", CT_FAKE_SSH, 1);
    setenv("CT_FAKE_SSH_ARGV", argv_file, 1);
    setenv("CT_FAKE_SSH_MODE", "shell", 1);
    /* The far linux backend's options ride along: its state root, cgroups at the roots. */
    snprintf(uri, sizeof uri,
             "linux+ssh://root@far.example/?agent=%s&root=%s/state&cgroup_parent=/", CT_TEST_AGENT,
             dir);
    libct_session_t s = libct_session_open(uri);
    REQUIRE(!libct_handle_is_err(s), "remote session: %ld", libct_handle_to_err(s));

    const char *name = tc_name("far");
    ct_handler_t ct = libct_container_create(s, name);
    REQUIRE(!libct_handle_is_err(ct), "create");
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS));
    CHECK_OK(libct_container_uname(ct, "far", NULL));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("far")));
    CHECK_OK(libct_controller_add(ct, CTL_MEMORY));
    CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.limit_in_bytes", "40M"));
    /* A cgroup file without a spec field goes to the far host's cgroup (the backend's
     * cgroup_write slot, forwarded). Host commands, terminals, TASKLESS: they live on this
     * machine. */
    CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.swappiness", "5"));
    char *t[] = {"true", NULL};
    struct libct_cmd cmd = {NULL, "true", t, NULL, NULL};
    CHECK(libct_fs_add_mount_with_actions(ct, "x", "/mnt", 0, "tmpfs", NULL, &cmd, NULL) ==
              -LCTERR_OPNOTSUPP,
          "host commands");
    CHECK(libct_container_set_option(ct, LIBCT_OPT_TASKLESS, NULL) == -LCTERR_OPNOTSUPP,
          "TASKLESS");
    CHECK(libct_container_set_console_fd(ct, 0) == -LCTERR_OPNOTSUPP, "a local console");

    ct_process_desc_t pd = libct_process_desc_create(s);
    CHECK(libct_handle_to_err(libct_container_spawn_cb(ct, pd, nothing, NULL)) == -LCTERR_OPNOTSUPP,
          "a callback cannot run on another machine");

    int out[2];
    REQUIRE(pipe(out) == 0, "pipe");
    int fds[] = {0, out[1], 2};
    CHECK_OK(libct_process_desc_set_fds(pd, fds, 3));
    char *argv[] = {"sh", "-c", "echo $(hostname); exit 4", NULL};
    ct_process_t p = libct_container_spawn_execv(ct, pd, "/bin/sh", argv);
    REQUIRE(!libct_handle_is_err(p), "remote spawn: %ld", libct_handle_to_err(p));
    close(out[1]);
    const char *got = tc_drain(out[0]);
    CHECK(!strcmp(got, "far\n"), "output '%s'", got);
    char buf[256];
    int st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "status %#x", st);
    char limit[256];
    snprintf(limit, sizeof limit, "/sys/fs/cgroup/memory/%s/memory.limit_in_bytes", name);
    /* The far side is this machine here: its cgroup stays until destroy. */
    const char *l = tc_read(limit);
    if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0)
        CHECK(l && atoll(l) == 40LL << 20, "the limit reached the far cgroup: %s", l ? l : "-");
    if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0) {
        memset(buf, 0, sizeof buf);
        int n = libct_controller_read(ct, CTL_MEMORY, "memory.limit_in_bytes", buf, sizeof buf - 1);
        CHECK(n > 0 && atoll(buf) == 40LL << 20, "read the far cgroup's file: %d '%s'", n, buf);
        snprintf(limit, sizeof limit, "/sys/fs/cgroup/memory/%s/memory.swappiness", name);
        l = tc_read(limit);
        CHECK(l && atoi(l) == 5, "the far cgroup's swappiness: %s", l ? l : "-");
    }
    CHECK(libct_container_switch(ct) == -LCTERR_OPNOTSUPP, "switch");
    libct_process_destroy(p);
    libct_container_destroy(ct);
    CHECK(libct_handle_to_err(libct_container_open(s, name)) == -LCTERR_NOTFOUND, "destroyed");

    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
