/* libct_container_spawn_execv/_execve: a command as the container's init, its stdio and
 * fds, its environment, its exit status; an exec failure is the spawn's error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

static const unsigned long kNs = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;

/* Everything a pipe holds until its write ends are closed. */
static const char *drain(int fd) {
    static char buf[4096];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;
    buf[n] = 0;
    return buf;
}

static ct_handler_t make(libct_session_t s, const char *tag) {
    ct_handler_t ct = libct_container_create(s, tc_name(tag));
    REQUIRE(!libct_handle_is_err(ct), "create %s", tag);
    CHECK_OK(libct_container_set_nsmask(ct, kNs));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs(tag)));
    return ct;
}

int main(void) {
    tc_init();
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");

    /* stdio from set_fds, the environment of execve, the exit status. */
    ct_handler_t ct = make(s, "exec");
    CHECK_OK(libct_container_uname(ct, "capihost", NULL));
    int in[2], out[2];
    REQUIRE(pipe(in) == 0 && pipe(out) == 0, "pipes");
    ct_process_desc_t pd = libct_process_desc_create(s);
    int fds[] = {in[0], out[1], out[1]};
    CHECK_OK(libct_process_desc_set_fds(pd, fds, 3));
    char *argv[] = {"sh", "-c", "read x; echo $FOO $(hostname) $x; exit 5", NULL};
    char *env[] = {"FOO=bar", "PATH=/bin", NULL};
    ct_process_t p = libct_container_spawn_execve(ct, pd, "/bin/sh", argv, env);
    REQUIRE(!libct_handle_is_err(p), "spawn_execve: %ld", libct_handle_to_err(p));
    close(in[0]);
    close(out[1]);
    int pid = libct_process_get_pid(p);
    CHECK(pid > 0, "pid %d", pid);
    CHECK(tc_ppid(pid) == getpid(), "the init is a child of the caller (ppid %d)", tc_ppid(pid));
    CHECK(libct_container_state(ct) == CT_RUNNING, "running");

    struct libct_processes *ps = libct_container_processes(ct);
    CHECK(!libct_handle_is_err(ps) && ps->nproc >= 1, "processes");
    int found = 0;
    for (int i = 0; !libct_handle_is_err(ps) && i < ps->nproc; i++)
        found |= libct_processes_get(ps, i) == pid;
    CHECK(found, "the init is among the container's processes");
    if (!libct_handle_is_err(ps)) libct_processes_free(ps);

    ct_process_t loaded = libct_container_load(ct, pid);
    CHECK(!libct_handle_is_err(loaded) && libct_process_get_pid(loaded) == pid, "load the init");
    CHECK(libct_handle_to_err(libct_container_load(ct, pid + 100000)) == -LCTERR_NOTFOUND,
          "load another pid");

    /* Settings cannot change while it runs. */
    CHECK(libct_container_set_nsmask(ct, kNs) == -LCTERR_BADCTSTATE, "nsmask while running");
    CHECK(libct_fs_set_root(ct, "/") == -LCTERR_BADCTSTATE, "root while running");
    CHECK(libct_handle_is_err(libct_container_spawn_execv(ct, pd, "/bin/true", argv)),
          "spawn while running");

    REQUIRE(write(in[1], "x1\n", 3) == 3, "write");
    close(in[1]);
    const char *o = drain(out[0]);
    close(out[0]);
    CHECK(!strcmp(o, "bar capihost x1\n"), "output '%s'", o);
    int st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "status %#x", st);
    CHECK_OK(libct_container_wait(ct));
    CHECK(libct_container_state(ct) == CT_STOPPED, "stopped");
    if (!libct_handle_is_err(loaded)) {
        CHECK_OK(libct_process_wait(loaded, &st));
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "the loaded handle's status %#x", st);
        libct_process_destroy(loaded);
    }
    libct_process_destroy(p);
    libct_container_destroy(ct);

    /* execv: the caller's environment; an extra fd through set_fds. */
    ct = make(s, "env");
    setenv("CAPI_MARK", "42", 1);
    REQUIRE(pipe(out) == 0, "pipe");
    int fds4[] = {0, out[1], 2, out[1]};
    CHECK_OK(libct_process_desc_set_fds(pd, fds4, 4));
    char *argv2[] = {"sh", "-c", "echo $CAPI_MARK >&3; [ -e /proc/self/fd/4 ] && echo leak >&3",
                     NULL};
    p = libct_container_spawn_execv(ct, pd, "/bin/sh", argv2);
    REQUIRE(!libct_handle_is_err(p), "spawn_execv: %ld", libct_handle_to_err(p));
    close(out[1]);
    o = drain(out[0]);
    close(out[0]);
    CHECK(!strcmp(o, "42\n"), "the caller's environment reaches an execv'd init: '%s'", o);
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x", st);
    libct_process_destroy(p);
    libct_container_destroy(ct);

    /* An exec failure is the spawn's error, and leaves nothing behind. */
    const char *name = tc_name("noexec");
    ct = libct_container_create(s, name);
    CHECK_OK(libct_container_set_nsmask(ct, kNs));
    CHECK_OK(libct_fs_set_root(ct, tc_rootfs("noexec")));
    char *argv3[] = {"nope", NULL};
    p = libct_container_spawn_execv(ct, pd, "/bin/nope", argv3);
    CHECK(libct_handle_is_err(p) && libct_handle_to_err(p) == -ENOENT, "exec failure: %ld",
          libct_handle_to_err(p));
    CHECK(libct_container_state(ct) == CT_STOPPED, "still stopped");
    CHECK(libct_handle_to_err(libct_container_open(s, name)) == -LCTERR_NOTFOUND,
          "the backend has no such container after the failure");
    libct_container_destroy(ct);

    libct_process_desc_destroy(pd);
    libct_session_close(s);
    return tc_done();
}
