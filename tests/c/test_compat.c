/* Behaviours of the historical libct that programs rely on (issue 15): a mount namespace
 * without a root of its own, the init's working directory, the console as controlling
 * terminal, mounts refused by the call that adds them without a mount namespace, post-mount
 * commands inside the container's mount namespace, a private area left as it was found,
 * destroy from a process that switched into the container, the MAC of a veth's host end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

static libct_session_t s;
static ct_process_desc_t pd;

struct seen {
    int pid, proc_self, marker, tty_nr, mark, cwd_ok, kcore_read, mount_errno;
    char cwd[256];
};

static const char *marker_path;

/* The seventh field of /proc/self/stat: the controlling terminal's device. */
static int tty_nr(void) {
    const char *st = tc_read("/proc/self/stat");
    const char *paren = st ? strrchr(st, ')') : NULL;
    int nr = -1;
    if (paren) sscanf(paren + 2, "%*c %*d %*d %*d %d", &nr);
    return nr;
}

static int look(void *a) {
    struct seen *sh = a;
    sh->pid = getpid();
    char buf[64] = {0};
    sh->proc_self = readlink("/proc/self", buf, sizeof buf - 1) > 0 ? atoi(buf) : -1;
    sh->marker = marker_path && access(marker_path, F_OK) == 0;
    sh->tty_nr = tty_nr();
    if (!getcwd(sh->cwd, sizeof sh->cwd)) sh->cwd[0] = 0;
    /* Confined as any container, the host's root notwithstanding: masked /proc paths, no
     * CAP_SYS_ADMIN to mount with. */
    char b[16];
    int fd = open("/proc/kcore", O_RDONLY);
    sh->kcore_read = fd >= 0 ? (int)read(fd, b, sizeof b) : -1;
    if (fd >= 0) close(fd);
    sh->mount_errno = mount("none", "/mnt", "tmpfs", 0, NULL) == 0 ? 0 : errno;
    return 0;
}

/* 1. A mount namespace without libct_fs_set_root: the host's root, seen privately, with the
 * /proc of the new pid namespace; nothing shows on the host (tc_done compares its mounts). */
static void host_root_in_own_mount_ns(int userns) {
    const char *dir = tc_tmpdir(userns ? "hostroot-user" : "hostroot");
    char marker[256];
    snprintf(marker, sizeof marker, "%s/marker", dir);
    tc_sh("touch %s", marker);
    marker_path = marker;
    ct_handler_t ct = libct_container_create(s, tc_name(userns ? "hostroot-user" : "hostroot"));
    unsigned long mask = CLONE_NEWNS | CLONE_NEWPID;
    if (userns) {
        mask |= CLONE_NEWUSER;
        CHECK_OK(libct_userns_add_uid_map(ct, 0, 100000, 65536));
        CHECK_OK(libct_userns_add_gid_map(ct, 0, 100000, 65536));
    }
    CHECK_OK(libct_container_set_nsmask(ct, mask));
    struct seen *sh = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(!libct_handle_is_err(p), "spawn without a root (userns %d): %ld", userns,
          libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        CHECK_OK(libct_container_wait(ct));
        CHECK(sh->pid == 1, "the init is pid 1 of its namespace (%d)", sh->pid);
        CHECK(sh->proc_self == 1, "/proc is the new pid namespace's (self = %d)", sh->proc_self);
        CHECK(sh->marker, "the host's root is the container's root");
        CHECK(sh->kcore_read <= 0, "/proc/kcore is masked (read %d)", sh->kcore_read);
        CHECK(sh->mount_errno == EPERM, "no mounting over the host's root (%d)", sh->mount_errno);
        libct_process_destroy(p);
    }
    libct_container_destroy(ct);
    marker_path = NULL;
}

/* 2. Without a root the init starts in the caller's working directory. */
static void caller_cwd(void) {
    const char *dir = tc_tmpdir("cwd");
    char old[4096];
    REQUIRE(getcwd(old, sizeof old), "getcwd");
    REQUIRE(chdir(dir) == 0, "chdir %s", dir);
    ct_handler_t ct = libct_container_create(s, tc_name("cwd"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    char *argv[] = {"sh", "-c", "pwd > ./cwd-seen", NULL};
    ct_process_t p = libct_container_spawn_execv(ct, pd, "/bin/sh", argv);
    CHECK(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        int st = -1;
        CHECK_OK(libct_process_wait(p, &st));
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a relative path in argv works: %#x", st);
        libct_process_destroy(p);
    }
    libct_container_destroy(ct);
    REQUIRE(chdir(old) == 0, "chdir back");
    char seen[256], want[256];
    snprintf(seen, sizeof seen, "%s/cwd-seen", dir);
    snprintf(want, sizeof want, "%s\n", dir);
    const char *got = tc_read(seen);
    CHECK(got && !strcmp(got, want), "the init's working directory: '%s'", got ? got : "(none)");
}

/* 3. The console is the init's controlling terminal (tty_nr), with or without a mount
 * namespace; Ctrl-C typed on it reaches the init. */
static void on_intr(int sig) {
    (void)sig;
    _exit(42);
}

/* A handler: the init of a pid namespace ignores signals it has none for. */
static int wait_for_intr(void *a) {
    struct seen *sh = a;
    signal(SIGINT, on_intr);
    sh->tty_nr = tty_nr();
    sh->mark = 1;
    for (;;) pause();
    return 0;
}

static void console_ctty(unsigned long mask, const char *tag) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "pty");
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0, "pty slave");
    struct stat st;
    REQUIRE(fstat(slave, &st) == 0, "fstat");
    ct_handler_t ct = libct_container_create(s, tc_name(tag));
    CHECK_OK(libct_container_set_nsmask(ct, mask));
    CHECK_OK(libct_container_set_console_fd(ct, slave));
    close(slave);
    ct_process_desc_t d = libct_process_desc_copy(pd);
    int fds[] = {LIBCT_CONSOLE_FD, LIBCT_CONSOLE_FD, LIBCT_CONSOLE_FD};
    CHECK_OK(libct_process_desc_set_fds(d, fds, 3));
    struct seen *sh = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, d, wait_for_intr, sh);
    CHECK(!libct_handle_is_err(p), "%s: spawn with a console: %ld", tag, libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        for (int i = 0; i < 500 && !sh->mark; i++) usleep(10000);
        CHECK(sh->tty_nr == (int)st.st_rdev,
              "%s: the console is the controlling terminal "
              "(tty_nr %#x, console %#x)",
              tag, sh->tty_nr, (unsigned)st.st_rdev);
        REQUIRE(write(master, "\003", 1) == 1, "type ^C");
        int status = -1;
        CHECK_OK(libct_process_wait(p, &status));
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42,
              "%s: ^C on the console interrupts the init: %#x", tag, status);
        libct_process_destroy(p);
    }
    libct_container_destroy(ct);
    libct_process_desc_destroy(d);
    close(master);
}

/* Reads the pty master until `want` has appeared (or 10 s pass). */
static int read_until(int master, const char *want, char *buf, size_t len) {
    size_t n = strlen(buf);
    for (int i = 0; i < 100 && !strstr(buf, want); i++) {
        struct pollfd pfd = {master, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0) continue;
        ssize_t r = read(master, buf + n, len - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
        buf[n] = 0;
    }
    return strstr(buf, want) != NULL;
}

/* The same for a command: the backend makes the console its terminal, whichever fds it gets
 * (`fds`, NULL: no set_fds, the caller's stdio), as the old libct did. The command writes to
 * /dev/tty, its controlling terminal, to show which that is. */
static void console_ctty_command(unsigned long mask, const int *fds, int nfds, const char *tag) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "pty");
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0, "pty slave");
    struct stat st;
    REQUIRE(fstat(slave, &st) == 0, "fstat");
    ct_handler_t ct = libct_container_create(s, tc_name(tag));
    CHECK_OK(libct_container_set_nsmask(ct, mask));
    CHECK_OK(libct_container_set_console_fd(ct, slave));
    close(slave);
    ct_process_desc_t d = libct_process_desc_copy(pd);
    if (fds) CHECK_OK(libct_process_desc_set_fds(d, (int *)fds, nfds));
    char *argv[] = {"sh", "-c",
                    "trap 'exit 42' INT; read -r _ _ _ _ _ _ nr _ < /proc/self/stat; "
                    "echo \"tty=$nr;\" > /dev/tty; while :; do sleep 1; done",
                    NULL};
    ct_process_t p = libct_container_spawn_execv(ct, d, "/bin/sh", argv);
    CHECK(!libct_handle_is_err(p), "%s: spawn with a console: %ld", tag, libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        char buf[4096] = {0}, want[64];
        snprintf(want, sizeof want, "tty=%d;", (int)st.st_rdev);
        CHECK(read_until(master, want, buf, sizeof buf),
              "%s: the console is the command's controlling terminal: '%s' (want %s)", tag, buf,
              want);
        REQUIRE(write(master, "\003", 1) == 1, "type ^C");
        int status = -1;
        CHECK_OK(libct_process_wait(p, &status));
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42,
              "%s: ^C on the console interrupts the command: %#x", tag, status);
        libct_process_destroy(p);
    }
    libct_container_destroy(ct);
    libct_process_desc_destroy(d);
    close(master);
}

/* 4. Without a mount namespace of its own a mount is refused by the call that adds it. */
static void mounts_need_mount_ns(void) {
    const char *dir = tc_tmpdir("nons");
    ct_handler_t ct = libct_container_create(s, tc_name("nons"));
    CHECK(libct_fs_add_bind_mount(ct, dir, "/mnt", 0) == -LCTERR_NONS, "bind mount, no mask");
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWPID));
    CHECK(libct_fs_add_bind_mount(ct, dir, "/mnt", 0) == -LCTERR_NONS, "bind mount");
    CHECK(libct_fs_add_mount(ct, "x", "/mnt", 0, "tmpfs", NULL) == -LCTERR_NONS, "mount");
    CHECK(libct_fs_add_devnode(ct, "/dev/n", S_IFCHR | 0600, 1, 3) == -LCTERR_NONS, "devnode");
    CHECK(libct_container_set_option(ct, LIBCT_OPT_CGROUP_SUBMOUNT, NULL) == -LCTERR_NONS,
          "cgroup submount");
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWPID | CLONE_NEWNS));
    CHECK_OK(libct_fs_add_bind_mount(ct, dir, "/mnt", 0));
    CHECK(libct_container_set_nsmask(ct, CLONE_NEWPID) == -LCTERR_INVARG,
          "the mask cannot drop the mount namespace its mounts need");
    CHECK_OK(libct_fs_del_bind_mount(ct, "/mnt"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWPID));
    /* With nothing to mount it runs in the host's mount namespace, as before. */
    struct seen *sh = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        CHECK_OK(libct_container_wait(ct));
        CHECK(sh->pid == 1, "pid %d", sh->pid);
        libct_process_destroy(p);
    }
    libct_container_destroy(ct);
}

/* 5. A mount's commands run in the container's mount namespace, around that mount, before
 * the init: the pre-mount one right before it (the mount before it made, its own not yet),
 * the post-mount one right after (what it writes lands in the container's tmpfs, not in the
 * host's directory). A pre-mount command does not run for a container that is refused. */
static void mount_commands(void) {
    const char *root = tc_rootfs("cmds");
    const char *seen = tc_tmpdir("cmds-seen");
    ct_handler_t ct = libct_container_create(s, tc_name("cmds"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, root));
    CHECK_OK(libct_fs_add_mount(ct, "capi", "/mnt/first", 0, "tmpfs", "size=1m"));
    char pre_cmd[1024];
    snprintf(pre_cmd, sizeof pre_cmd,
             "readlink /proc/self/ns/mnt > %s/pre-ns; "
             "grep -c ' %s/mnt/first ' /proc/self/mountinfo > %s/pre; "
             "grep -c ' %s/mnt/tmp ' /proc/self/mountinfo >> %s/pre; true",
             seen, root, seen, root, seen);
    char *pre_argv[] = {"sh", "-c", pre_cmd, NULL};
    struct libct_cmd pre = {NULL, "sh", pre_argv, NULL, NULL};
    char cmd[512];
    snprintf(cmd, sizeof cmd, "touch %s/mnt/tmp/post-mark", root);
    char *post_argv[] = {"sh", "-c", cmd, NULL};
    struct libct_cmd post = {NULL, "sh", post_argv, NULL, NULL};
    CHECK_OK(libct_fs_add_mount_with_actions(ct, "capi", "/mnt/tmp", 0, "tmpfs", "size=1m", &pre,
                                             &post));
    static char mark[] = "/mnt/tmp/post-mark";
    marker_path = mark;
    struct seen *sh = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        CHECK_OK(libct_container_wait(ct));
        CHECK(sh->marker, "the post-mount command wrote into the container's mount");
        libct_process_destroy(p);
    }
    char host[512];
    snprintf(host, sizeof host, "%s/mnt/tmp/post-mark", root);
    CHECK(access(host, F_OK) != 0, "and not into the host's directory under it");
    char path[512], own_ns[64] = "";
    snprintf(path, sizeof path, "%s/pre", seen);
    const char *pre_seen = tc_read(path);
    CHECK(pre_seen && !strcmp(pre_seen, "1\n0\n"),
          "the pre-mount command ran after the mount before it, before its own: '%s'",
          pre_seen ? pre_seen : "(none)");
    snprintf(path, sizeof path, "%s/pre-ns", seen);
    const char *pre_ns = tc_read(path);
    ssize_t n = readlink("/proc/self/ns/mnt", own_ns, sizeof own_ns - 1);
    CHECK(n > 0 && pre_ns && strncmp(pre_ns, own_ns, (size_t)n) != 0,
          "in the container's mount namespace: '%s' (the caller's: '%s')",
          pre_ns ? pre_ns : "(none)", own_ns);
    libct_container_destroy(ct);
    marker_path = NULL;

    /* A failing post-mount command fails the spawn; nothing is left. */
    const char *fname = tc_name("cmds-postfail");
    ct = libct_container_create(s, fname);
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, root));
    char *false_argv[] = {"false", NULL};
    struct libct_cmd fails = {NULL, "false", false_argv, NULL, NULL};
    CHECK_OK(
        libct_fs_add_mount_with_actions(ct, "capi", "/mnt/tmp", 0, "tmpfs", NULL, NULL, &fails));
    p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(libct_handle_to_err(p) == -LCTERR_CANTMOUNT, "a failing post-mount command: %ld",
          libct_handle_to_err(p));
    CHECK(libct_handle_to_err(libct_container_open(s, fname)) == -LCTERR_NOTFOUND, "not made");
    libct_container_destroy(ct);

    /* A command not found in PATH is refused by the call that adds it. */
    ct = libct_container_create(s, tc_name("cmds-nocmd"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    char *none_argv[] = {"no-such-command-c15", NULL};
    struct libct_cmd none = {NULL, "no-such-command-c15", none_argv, NULL, NULL};
    CHECK(libct_fs_add_mount_with_actions(ct, "capi", "/mnt/tmp", 0, "tmpfs", NULL, &none, NULL) ==
              -LCTERR_CANTMOUNT,
          "a command not in PATH is refused when added");
    libct_container_destroy(ct);

    /* Refused (a bind source that does not exist): the pre-mount command never ran. */
    const char *log = tc_tmpdir("cmds-log");
    ct = libct_container_create(s, tc_name("cmds-bad"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, root));
    snprintf(cmd, sizeof cmd, "touch %s/pre-ran", log);
    char *ran_argv[] = {"sh", "-c", cmd, NULL};
    struct libct_cmd pre_ran = {NULL, "sh", ran_argv, NULL, NULL};
    CHECK_OK(libct_fs_add_mount_with_actions(ct, "/nonexistent/capi-c15", "/mnt/x", CT_FS_BIND,
                                             NULL, NULL, &pre_ran, NULL));
    p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(libct_handle_is_err(p), "a missing bind source is refused");
    char ran[512];
    snprintf(ran, sizeof ran, "%s/pre-ran", log);
    CHECK(access(ran, F_OK) != 0, "the pre-mount command of a refused container did not run");
    libct_container_destroy(ct);
}

/* 6. The mount points the spawn made in a private area go with the container; what was
 * there before stays. */
static void private_area_left_clean(void) {
    const char *mnt = tc_tmpdir("area-root"), *area = tc_rootfs("area");
    tc_sh("rm -rf %s/proc %s/dev %s/sys %s/new && mkdir -p %s/kept", area, area, area, area, area);
    const char *src = tc_tmpdir("area-src");
    ct_handler_t ct = libct_container_create(s, tc_name("area"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, mnt));
    CHECK_OK(libct_fs_set_private(ct, CT_FS_SUBDIR, (void *)area));
    CHECK_OK(libct_fs_add_bind_mount(ct, src, "/new/deeper", 0));
    CHECK_OK(libct_fs_add_bind_mount(ct, src, "/kept/m", 0));
    struct seen *sh = tc_shared();
    ct_process_t p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        CHECK_OK(libct_container_wait(ct));
        libct_process_destroy(p);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/proc", area);
    CHECK(access(path, F_OK) == 0, "the backend made /proc's mount point in the area");
    libct_container_destroy(ct);
    const char *gone[] = {"proc", "dev", "new/deeper", "new", "kept/m"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", area, gone[i]);
        CHECK(access(path, F_OK) != 0, "%s is left in the private area", gone[i]);
    }
    snprintf(path, sizeof path, "%s/kept", area);
    CHECK(access(path, F_OK) == 0, "a directory of the area's own stays");
    snprintf(path, sizeof path, "%s/bin/busybox", area);
    CHECK(access(path, F_OK) == 0, "the area's files stay");

    /* The backend keeps the record, not the handle: a container destroyed through another
     * handle leaves the area as clean, and a file written into a made directory keeps it. */
    const char *name = tc_name("area2");
    ct = libct_container_create(s, name);
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID));
    CHECK_OK(libct_fs_set_root(ct, mnt));
    CHECK_OK(libct_fs_set_private(ct, CT_FS_SUBDIR, (void *)area));
    CHECK_OK(libct_fs_add_bind_mount(ct, src, "/new/deeper", 0));
    p = libct_container_spawn_cb(ct, pd, look, sh);
    CHECK(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        CHECK_OK(libct_container_wait(ct));
        libct_process_destroy(p);
    }
    libct_container_close(ct);
    snprintf(path, sizeof path, "%s/new/file", area);
    tc_sh("echo left > %s", path);
    ct = libct_container_open(s, name);
    CHECK(!libct_handle_is_err(ct), "open %s: %ld", name, libct_handle_to_err(ct));
    if (!libct_handle_is_err(ct)) libct_container_destroy(ct);
    const char *gone2[] = {"proc", "dev", "new/deeper"};
    for (size_t i = 0; i < sizeof gone2 / sizeof gone2[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", area, gone2[i]);
        CHECK(access(path, F_OK) != 0, "%s is left after a destroy through another handle",
              gone2[i]);
    }
    snprintf(path, sizeof path, "%s/new/file", area);
    CHECK(access(path, F_OK) == 0, "a file left in a made directory keeps it");
    tc_sh("rm -rf %s/new", area);
}

/* 7. destroy from a process that has switched into the container. */
static int sleep_forever(void *a) {
    (void)a;
    for (;;) pause();
    return 0;
}

static void destroy_after_switch(void) {
    const char *name = tc_name("switched");
    ct_handler_t ct = libct_container_create(s, name);
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("switched")));
    ct_process_t p = libct_container_spawn_cb(ct, pd, sleep_forever, NULL);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    pid_t init = libct_process_get_pid(p);
    pid_t c = fork();
    if (c == 0) {
        if (libct_container_switch(ct) != 0) _exit(10);
        if (access("/bin/busybox", F_OK) != 0) _exit(11); /* inside its root */
        libct_container_destroy(ct);
        /* Back inside afterwards, as the caller switched. */
        if (access("/bin/busybox", F_OK) != 0) _exit(12);
        _exit(0);
    }
    int st = -1;
    waitpid(c, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "switch, then destroy: %#x", st);
    ct_handler_t left = libct_container_open(s, name);
    CHECK(libct_handle_to_err(left) == -LCTERR_NOTFOUND, "the container is gone: %ld",
          libct_handle_to_err(left));
    if (libct_handle_is_err(left)) {
        int ist = -1;
        CHECK(waitpid(init, &ist, 0) == init && WIFSIGNALED(ist), "the init was killed: %#x", ist);
        libct_container_close(ct);
    } else {
        libct_container_close(left);
        libct_container_destroy(ct); /* from here, so that the test leaves nothing */
    }
    libct_process_destroy(p);
}

/* 8. The MAC address of a veth's host end. */
static int nothing(void *a) {
    (void)a;
    return 0;
}

static void veth_host_mac(void) {
    char host[16];
    snprintf(host, sizeof host, "c15h%d", (int)getpid() % 100000);
    ct_handler_t ct = libct_container_create(s, tc_name("hostmac"));
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID));
    struct ct_net_veth_arg va = {host, "eth0"};
    ct_net_t n = libct_net_add(ct, CT_NET_VETH, &va);
    REQUIRE(!libct_handle_is_err(n), "veth: %ld", libct_handle_to_err(n));
    ct_net_t peer = libct_net_dev_get_peer(n);
    REQUIRE(!libct_handle_is_err(peer), "peer");
    CHECK_OK(libct_net_dev_set_mac_addr(peer, "02:15:00:00:00:01"));
    CHECK_OK(libct_net_dev_set_mac_addr(n, "02:15:00:00:00:02"));
    ct_process_t p = libct_container_spawn_cb(ct, pd, sleep_forever, NULL);
    CHECK(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    if (!libct_handle_is_err(p)) {
        char path[128];
        snprintf(path, sizeof path, "/sys/class/net/%s/address", host);
        const char *mac = tc_read(path);
        CHECK(mac && !strcmp(mac, "02:15:00:00:00:01\n"), "host end's MAC: %s",
              mac ? mac : "(no device)");
        CHECK_OK(libct_container_kill(ct));
        CHECK_OK(libct_container_wait(ct));
        libct_process_destroy(p);
    }
    libct_container_destroy(ct);
    CHECK(tc_link_gone_soon(host), "the host end goes with the container");

    /* A malformed one is the spawn's error, naming the field; nothing is made. */
    const char *name = tc_name("badmac");
    ct = libct_container_create(s, name);
    CHECK_OK(libct_container_set_nsmask(ct, CLONE_NEWNET));
    n = libct_net_add(ct, CT_NET_VETH, &va);
    REQUIRE(!libct_handle_is_err(n), "veth");
    CHECK_OK(libct_net_dev_set_mac_addr(libct_net_dev_get_peer(n), "02:15:zz"));
    p = libct_container_spawn_cb(ct, pd, nothing, NULL);
    CHECK(libct_handle_to_err(p) == -LCTERR_INVARG, "malformed host MAC: %ld",
          libct_handle_to_err(p));
    CHECK(!tc_link_exists(host), "no device made");
    libct_container_destroy(ct);
}

/* Whether this kernel lets a user namespace mount the /proc of its pid namespace over the
 * host's root (it refuses when the host's /proc has something mounted over parts of it). */
static int userns_proc_probe(void) {
    pid_t c = fork();
    if (c == 0) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0) _exit(1);
        pid_t g = fork();
        if (g == 0) {
            if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) _exit(2);
            _exit(mount("proc", "/proc", "proc", 0, NULL) == 0 ? 0 : 3);
        }
        int st = -1;
        waitpid(g, &st, 0);
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
    }
    int st = -1;
    waitpid(c, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void) {
    tc_init();
    s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    pd = libct_process_desc_create(s);

    host_root_in_own_mount_ns(0);
    if (userns_proc_probe())
        host_root_in_own_mount_ns(1);
    else
        printf(
            "note: user namespace part of item 1 not run: this kernel refuses a /proc mount "
            "to a user namespace here\n");
    caller_cwd();
    console_ctty(CLONE_NEWPID, "console-nomnt");
    console_ctty(CLONE_NEWNS | CLONE_NEWPID, "console-mnt");
    const int all[] = {LIBCT_CONSOLE_FD, LIBCT_CONSOLE_FD, LIBCT_CONSOLE_FD};
    const int out_only[] = {0, LIBCT_CONSOLE_FD, LIBCT_CONSOLE_FD};
    console_ctty_command(CLONE_NEWPID, all, 3, "console-cmd-nomnt");
    console_ctty_command(CLONE_NEWNS | CLONE_NEWPID, all, 3, "console-cmd-mnt");
    console_ctty_command(CLONE_NEWPID, NULL, 0, "console-cmd-nofds");
    console_ctty_command(CLONE_NEWNS | CLONE_NEWPID, NULL, 0, "console-cmd-nofds-mnt");
    console_ctty_command(CLONE_NEWPID, out_only, 3, "console-cmd-outonly");
    mounts_need_mount_ns();
    mount_commands();
    private_area_left_clean();
    destroy_after_switch();
    veth_host_mac();

    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
