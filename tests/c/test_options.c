/* libct_container_set_option: AUTO_PROC_MOUNT, CGROUP_SUBMOUNT, KILLABLE, NOSETSID. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

struct shared {
    int self, nprocs, limit_ok, mkdir_ok, sid, grandchild;
};

static int proc_view(void *a) {
    struct shared *sh = a;
    char buf[32] = {0};
    if (readlink("/proc/self", buf, sizeof buf - 1) > 0) sh->self = atoi(buf);
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (atoi(e->d_name) > 0) sh->nprocs++;
    if (d) closedir(d);
    return 0;
}

static int cgroup_view(void *a) {
    struct shared *sh = a;
    const char *l = tc_read("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    sh->limit_ok = l && atoll(l) == 48LL << 20;
    sh->mkdir_ok =
        mkdir("/sys/fs/cgroup/memory/sub", 0755) == 0 && rmdir("/sys/fs/cgroup/memory/sub") == 0;
    return 0;
}

static int session_of(void *a) {
    ((struct shared *)a)->sid = getsid(0);
    return 0;
}

/* Leaves a grandchild behind, in a new session: only the cgroup still knows it. */
static int fork_and_wait(void *a) {
    struct shared *sh = a;
    pid_t c = fork();
    if (c == 0) {
        setsid();
        pid_t g = fork();
        if (g == 0) {
            for (;;) pause();
        }
        sh->grandchild = g;
        _exit(0);
    }
    waitpid(c, NULL, 0);
    for (;;) pause();
    return 0;
}

static int libct_hierarchy_mounted(void) {
    const char *mi = tc_read("/proc/self/mountinfo");
    return mi && strstr(mi, "name=libct") != NULL;
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    ct_process_desc_t pd = libct_process_desc_create(s);
    struct shared *sh = tc_shared();

    /* AUTO_PROC_MOUNT: the container's /proc shows its own pid namespace. */
    ct_handler_t ct = libct_container_create(s, tc_name("proc"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("proc")));
    CHECK_OK(libct_container_set_option(ct, LIBCT_OPT_AUTO_PROC_MOUNT, NULL));
    ct_process_t p = libct_container_spawn_cb(ct, pd, proc_view, sh);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    CHECK_OK(libct_container_wait(ct));
    CHECK(sh->self == 1 && sh->nprocs == 1, "/proc of the container: self %d, %d processes",
          sh->self, sh->nprocs);
    libct_process_destroy(p);
    libct_container_destroy(ct);

    /* CGROUP_SUBMOUNT: its own cgroups inside, where it can make sub-groups. */
    if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0) {
        memset(sh, 0, sizeof *sh);
        ct = libct_container_create(s, tc_name("cgsub"));
        CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
        CHECK_OK(libct_fs_set_root(ct, tc_rootfs("cgsub")));
        CHECK_OK(libct_controller_add(ct, CTL_MEMORY));
        CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.limit_in_bytes", "48M"));
        CHECK_OK(libct_container_set_option(ct, LIBCT_OPT_CGROUP_SUBMOUNT, NULL));
        p = libct_container_spawn_cb(ct, pd, cgroup_view, sh);
        REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
        CHECK_OK(libct_container_wait(ct));
        CHECK(sh->limit_ok, "the container's own memory cgroup at /sys/fs/cgroup/memory");
        CHECK(sh->mkdir_ok, "a sub-group can be made there");
        libct_process_destroy(p);
        libct_container_destroy(ct);
    }

    /* NOSETSID: the init stays in the caller's session. */
    for (int opt = 0; opt < 2; opt++) {
        memset(sh, 0, sizeof *sh);
        ct = libct_container_create(s, tc_name(opt ? "nosetsid" : "setsid"));
        if (opt) CHECK_OK(libct_container_set_option(ct, LIBCT_OPT_NOSETSID, NULL));
        p = libct_container_spawn_cb(ct, pd, session_of, sh);
        REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
        int pid = libct_process_get_pid(p);
        CHECK_OK(libct_container_wait(ct));
        if (opt)
            CHECK(sh->sid == getsid(0), "NOSETSID: the caller's session (%d)", sh->sid);
        else
            CHECK(sh->sid == pid, "by default a session of its own (%d, pid %d)", sh->sid, pid);
        libct_process_destroy(p);
        libct_container_destroy(ct);
    }

    /* KILLABLE: tracked in the name=libct hierarchy; kill reaches a process that left the
     * init's session and process tree. */
    int mounted_before = libct_hierarchy_mounted();
    struct stat dir_before;
    int dir_existed = stat("/sys/fs/cgroup/.libct", &dir_before) == 0;
    memset(sh, 0, sizeof *sh);
    const char *name = tc_name("killable");
    ct = libct_container_create(s, name);
    CHECK_OK(libct_container_set_option(ct, LIBCT_OPT_KILLABLE, NULL));
    p = libct_container_spawn_cb(ct, pd, fork_and_wait, sh);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    CHECK(libct_hierarchy_mounted(), "the name=libct hierarchy is mounted");
    for (int i = 0; i < 200 && !sh->grandchild; i++) usleep(10000);
    REQUIRE(sh->grandchild > 0, "the grandchild");
    char path[256];
    snprintf(path, sizeof path, "/sys/fs/cgroup/.libct/%s/cgroup.procs", name);
    const char *procs = tc_read(path);
    char want[32];
    snprintf(want, sizeof want, "%d\n", sh->grandchild);
    CHECK(procs && strstr(procs, want), "the grandchild is tracked in %s", path);
    CHECK_OK(libct_container_kill(ct));
    CHECK_OK(libct_container_wait(ct));
    for (int i = 0; i < 200 && kill(sh->grandchild, 0) == 0; i++) usleep(10000);
    CHECK(kill(sh->grandchild, 0) != 0 && errno == ESRCH, "the grandchild is killed too");
    libct_process_destroy(p);
    libct_container_destroy(ct);
    snprintf(path, sizeof path, "/sys/fs/cgroup/.libct/%s", name);
    CHECK(access(path, F_OK) != 0, "its directory in the name=libct hierarchy is gone");
    if (!mounted_before) {
        CHECK(umount("/sys/fs/cgroup/.libct") == 0, "unmount the name=libct hierarchy");
        if (!dir_existed) rmdir("/sys/fs/cgroup/.libct");
    }

    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
