/* job2.c: a program of the historical libct's C API (docs/user-guide.md, "From C"). */
#define _GNU_SOURCE
#include <libct.h>
#include <sched.h>
#include <sys/wait.h>

int main(void) {
    libct_session_t s = libct_session_open_local(); /* or libct_session_open("linux+ssh://h/") */
    ct_handler_t ct = libct_container_create(s, "job2");
    ct_process_desc_t p = libct_process_desc_create(s);
    char *argv[] = {"sh", "-c", "echo hi from $(hostname); exit 3", NULL};
    int status = 0;

    libct_container_set_nsmask(ct, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS);
    libct_container_uname(ct, "job2", NULL);
    libct_fs_set_root(ct, "/srv/rootfs/busybox");
    libct_controller_add(ct, CTL_MEMORY);
    libct_controller_configure(ct, CTL_MEMORY, "memory.limit_in_bytes", "64M");

    ct_process_t pr = libct_container_spawn_execv(ct, p, "/bin/sh", argv);
    if (libct_handle_is_err(pr)) /* -errno or -LCTERR_*: libct-errors.h */
        return 1;
    libct_process_wait(pr, &status);
    libct_process_destroy(pr);
    libct_container_destroy(ct);
    libct_process_desc_destroy(p);
    libct_session_close(s);
    return WEXITSTATUS(status); /* 3 */
}
