/*
 * A program written for the historical libct (2014-2017), in the style of that project's
 * test/ programs: it uses nothing but the libct.h interface of the time, and compiles and runs
 * unchanged against this libct. docs/c-api.md shows it as the C example.
 *
 *   cc ct_sample.c -lct -o ct_sample && sudo ./ct_sample /path/to/rootfs
 *
 * It starts a container (own mount, pid, uts and ipc namespaces, rootfs as /) whose init is a
 * callback, runs a shell command in a second container, and checks what both saw.
 */
#define _GNU_SOURCE
#include <libct-log-levels.h>
#include <libct.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int pass(char *msg) {
    printf("%s\nPASS\n", msg);
    return 0;
}

static int fail(char *msg) {
    printf("%s\nFAIL\n", msg);
    return 1;
}

struct ct_arg {
    int *mark;
};

static int ct_main(void *a) {
    struct ct_arg *ca = a;
    char host[64];

    ca->mark[0] = 1;
    ca->mark[1] = getpid();
    if (gethostname(host, sizeof(host)) == 0 && !strcmp(host, "sample")) ca->mark[2] = 1;
    if (access("/bin/sh", X_OK) == 0) ca->mark[3] = 1;
    return 0;
}

int main(int argc, char **argv) {
    libct_session_t s;
    ct_handler_t ct;
    ct_process_desc_t p;
    ct_process_t pr;
    struct ct_arg ca;
    char name[64], out[128];
    char *sh_a[] = {"sh", "-c", "echo hello from $(hostname)", NULL};
    int pfd[2], fds[3], status, n;

    if (argc < 2) return fail("Usage: ct_sample ROOTFS");

    libct_log_init(2, LOG_ERROR);
    ca.mark = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, 0, 0);
    memset(ca.mark, 0, 4 * sizeof(int));

    s = libct_session_open_local();
    if (libct_handle_is_err(s)) return fail("Can't open session");

    snprintf(name, sizeof(name), "capi-era-%d-1", getpid());
    ct = libct_container_create(s, name);
    if (libct_handle_is_err(ct)) return fail("Can't create container");
    p = libct_process_desc_create(s);

    libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC);
    libct_container_set_option(ct, LIBCT_OPT_AUTO_PROC_MOUNT, NULL);
    libct_container_uname(ct, "sample", NULL);
    libct_fs_set_root(ct, argv[1]);

    pr = libct_container_spawn_cb(ct, p, ct_main, &ca);
    if (libct_handle_is_err(pr)) return fail("Unable to start CT");
    libct_container_wait(ct);
    libct_process_destroy(pr);
    libct_container_destroy(ct);

    if (!ca.mark[0]) return fail("Container is not alive");
    if (ca.mark[1] != 1) return fail("Init is not pid 1");
    if (!ca.mark[2] || !ca.mark[3]) return fail("Container has wrong hostname or root");

    /* The second one runs a command; its output comes through a pipe. */
    snprintf(name, sizeof(name), "capi-era-%d-2", getpid());
    ct = libct_container_create(s, name);
    libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS);
    libct_container_uname(ct, "second", NULL);
    libct_fs_set_root(ct, argv[1]);

    if (pipe(pfd)) return fail("Can't make a pipe");
    fds[0] = 0;
    fds[1] = pfd[1];
    fds[2] = 2;
    libct_process_desc_set_fds(p, fds, 3);

    pr = libct_container_spawn_execv(ct, p, "/bin/sh", sh_a);
    if (libct_handle_is_err(pr)) return fail("Unable to exec in CT");
    close(pfd[1]);
    n = read(pfd[0], out, sizeof(out) - 1);
    out[n > 0 ? n : 0] = '\0';
    libct_process_wait(pr, &status);
    libct_process_destroy(pr);
    libct_container_destroy(ct);
    libct_process_desc_destroy(p);
    libct_session_close(s);

    if (strcmp(out, "hello from second\n")) return fail("Wrong output");
    if (!WIFEXITED(status) || WEXITSTATUS(status)) return fail("Wrong exit status");

    return pass("Containers are created, run and destroyed");
}
