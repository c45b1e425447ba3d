/* Filesystem settings: bind mounts (read-only, deleted again), other mounts, mounts with host
 * commands before and after, device nodes, a private area (CT_FS_SUBDIR). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

struct shared {
    int ro_read, ro_write_errno, rw_write, gone, tmpfs, dev_ok, private_ok;
};

static int look(void *a) {
    struct shared *sh = a;
    sh->ro_read = tc_read("/mnt/ro/hello") && !strcmp(tc_read("/mnt/ro/hello"), "hi\n");
    int fd = open("/mnt/ro/new", O_CREAT | O_WRONLY, 0644);
    sh->ro_write_errno = fd < 0 ? errno : 0;
    fd = open("/mnt/rw/from-ct", O_CREAT | O_WRONLY, 0644);
    sh->rw_write = fd >= 0;
    if (fd >= 0) close(fd);
    sh->gone = access("/mnt/del/hello", F_OK) != 0;
    struct statfs sfs;
    sh->tmpfs = statfs("/mnt/tmp", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
    struct stat st;
    sh->dev_ok = stat("/dev/capinull", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
                 minor(st.st_rdev) == 3 && (st.st_mode & 07777) == 0600;
    sh->private_ok = access("/bin/busybox", X_OK) == 0;
    return 0;
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    const char *ro = tc_tmpdir("ro"), *rw = tc_tmpdir("rw"), *log = tc_tmpdir("log");
    tc_sh("echo hi > %s/hello && cp %s/hello %s/hello", ro, ro, log);

    /* The root is an empty mount point; the files come from a private area (CT_FS_SUBDIR). */
    const char *mnt = tc_tmpdir("root"), *area = tc_rootfs("area");
    ct_handler_t ct = libct_container_create(s, tc_name("mounts"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, mnt));
    CHECK_OK(libct_fs_set_private(ct, CT_FS_SUBDIR, (void *)area));
    CHECK_OK(libct_fs_add_bind_mount(ct, ro, "mnt/ro", CT_FS_RDONLY));
    CHECK_OK(libct_fs_add_bind_mount(ct, rw, "/mnt/rw", 0));
    CHECK_OK(libct_fs_add_bind_mount(ct, log, "mnt/del", 0));
    CHECK_OK(libct_fs_del_bind_mount(ct, "mnt/del"));
    CHECK_OK(libct_fs_add_devnode(ct, "dev/capinull", S_IFCHR | 0600, 1, 3));
    CHECK(libct_fs_add_devnode(ct, "dev/x", 0600, 1, 3) == -LCTERR_INVARG, "a node of no type");

    /* Commands around a mount: pre right before it, post right after. */
    char logfile[256], pre_cmd[300], post_cmd[300];
    snprintf(logfile, sizeof logfile, "%s/order", log);
    snprintf(pre_cmd, sizeof pre_cmd, "echo pre$X >> order");
    snprintf(post_cmd, sizeof post_cmd, "echo post >> %s", logfile);
    char *pre_argv[] = {"sh", "-c", pre_cmd, NULL};
    char *post_argv[] = {"sh", "-c", post_cmd, NULL};
    char *pre_env[] = {"X=1", "PATH=/bin:/usr/bin", NULL};
    struct libct_cmd post = {NULL, "/bin/sh", post_argv, NULL, NULL};
    struct libct_cmd pre = {NULL, "sh", pre_argv, pre_env, (char *)log};
    CHECK_OK(libct_fs_add_mount_with_actions(ct, "capi", "/mnt/tmp", CT_FS_NOSUID, "tmpfs",
                                             "size=1m,mode=755", &pre, &post));

    ct_process_desc_t pd = libct_process_desc_create(s);
    struct shared *sh = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, pd, look, sh);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    CHECK_OK(libct_container_wait(ct));
    CHECK(sh->private_ok, "the private area is the root");
    CHECK(sh->ro_read, "a read-only bind mount reads");
    CHECK(sh->ro_write_errno == EROFS, "and does not write (%d)", sh->ro_write_errno);
    CHECK(sh->rw_write, "a read-write one writes");
    char made[256];
    snprintf(made, sizeof made, "%s/from-ct", rw);
    CHECK(access(made, F_OK) == 0, "the write shows on the host");
    CHECK(sh->gone, "a deleted bind mount is not made");
    CHECK(sh->tmpfs, "the tmpfs is mounted");
    CHECK(sh->dev_ok, "the device node");
    const char *order = tc_read(logfile);
    CHECK(order && !strcmp(order, "pre1\npost\n"), "commands ran in order: '%s'",
          order ? order : "(none)");
    libct_process_destroy(p);
    libct_container_destroy(ct);

    /* A failing pre-mount command stops the spawn; nothing is made. */
    const char *name = tc_name("prefail");
    ct = libct_container_create(s, name);
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("prefail")));
    char *false_argv[] = {"false", NULL};
    struct libct_cmd fail_cmd = {NULL, "false", false_argv, NULL, NULL};
    CHECK_OK(
        libct_fs_add_mount_with_actions(ct, "capi", "/mnt", 0, "tmpfs", NULL, &fail_cmd, NULL));
    p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(libct_handle_to_err(p) == -LCTERR_CANTMOUNT, "pre-mount failure: %ld",
          libct_handle_to_err(p));
    CHECK(libct_handle_to_err(libct_container_open(s, name)) == -LCTERR_NOTFOUND, "not made");
    libct_container_destroy(ct);

    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
