/* libct_controller_add/_configure/_read on a cgroup-v1 host: a container named N lives in
 * <controller mount>/N, where programs read its files directly. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tc.h"

static const char *cg_file(const char *ctrl, const char *name, const char *file) {
    static char p[512];
    snprintf(p, sizeof p, "/sys/fs/cgroup/%s/%s/%s", ctrl, name, file);
    return p;
}

static long long cg_num(const char *ctrl, const char *name, const char *file) {
    const char *t = tc_read(cg_file(ctrl, name, file));
    return t ? atoll(t) : -12345;
}

int main(void) {
    tc_init();
    if (access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) != 0 ||
        access("/sys/fs/cgroup/cpu/cpu.shares", F_OK) != 0)
        tc_skip("not a cgroup-v1 host with memory and cpu controllers at /sys/fs/cgroup/<name>");
    int freezer = access("/sys/fs/cgroup/freezer/freezer.state", F_OK) == 0 ||
                  access("/sys/fs/cgroup/freezer/tasks", F_OK) == 0;
    libct_session_t s = libct_session_open_local();
    REQUIRE(!libct_handle_is_err(s), "session");
    const char *name = tc_name("cg");
    ct_handler_t ct = libct_container_create(s, name);
    CHECK_OK(libct_controller_add(ct, CTL_MEMORY));
    CHECK_OK(libct_controller_add(ct, CTL_CPU));
    CHECK_OK(libct_controller_add(ct, CTL_DEVICES));
    if (freezer) CHECK_OK(libct_controller_add(ct, CTL_FREEZER));
    /* Spec fields (any backend) and plain files (this machine), queued until the spawn. */
    CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.limit_in_bytes", "64M"));
    CHECK_OK(libct_controller_configure(ct, CTL_CPU, "cpu.shares", "512"));
    CHECK_OK(libct_controller_configure(ct, CTL_CPU, "cpu.cfs_period_us", "50000"));
    CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.swappiness", "42"));
    CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.swappiness", "43")); /* replaces */
    CHECK_OK(libct_controller_configure(ct, CTL_DEVICES, "devices.allow", "c 10:200 rwm"));
    CHECK(libct_controller_configure(ct, CTL_CPU, "cpu.shares", "lots") == -LCTERR_INVARG,
          "a malformed value");

    int in[2];
    REQUIRE(pipe(in) == 0, "pipe");
    ct_process_desc_t pd = libct_process_desc_create(s);
    int fds[] = {in[0], 1, 2};
    CHECK_OK(libct_process_desc_set_fds(pd, fds, 3));
    char *argv[] = {"cat", NULL};
    ct_process_t p = libct_container_spawn_execv(ct, pd, "/bin/cat", argv);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    close(in[0]);
    int pid = libct_process_get_pid(p);

    CHECK(cg_num("memory", name, "memory.limit_in_bytes") == 64LL << 20, "memory limit %lld",
          cg_num("memory", name, "memory.limit_in_bytes"));
    CHECK(cg_num("cpu", name, "cpu.shares") == 512, "cpu.shares");
    CHECK(cg_num("cpu", name, "cpu.cfs_period_us") == 50000, "cpu.cfs_period_us");
    CHECK(cg_num("memory", name, "memory.swappiness") == 43, "memory.swappiness %lld",
          cg_num("memory", name, "memory.swappiness"));
    const char *devs = tc_read(cg_file("devices", name, "devices.list"));
    CHECK(devs && strstr(devs, "c 10:200 rwm"), "device rule: %s", devs ? devs : "(none)");
    const char *ctrls[] = {"memory", "cpu", "devices", freezer ? "freezer" : NULL};
    for (int i = 0; i < 4; i++) {
        if (!ctrls[i]) continue;
        const char *procs = tc_read(cg_file(ctrls[i], name, "cgroup.procs"));
        char want[32];
        snprintf(want, sizeof want, "%d\n", pid);
        CHECK(procs && strstr(procs, want), "the init is in %s/%s", ctrls[i], name);
    }

    char buf[64] = {0};
    int n = libct_controller_read(ct, CTL_MEMORY, "memory.limit_in_bytes", buf, sizeof buf - 1);
    CHECK(n == (int)strlen("67108864\n") && !strcmp(buf, "67108864\n"), "read %d '%s'", n, buf);
    CHECK(libct_controller_read(ct, CTL_MEMORY, "../../etc/passwd", buf, sizeof buf) ==
              -LCTERR_INVARG,
          "only files of the cgroup");
    CHECK(libct_controller_read(ct, CTL_MEMORY, "memory.nosuchfile", buf, sizeof buf) < 0,
          "a missing file");

    /* While running: written at once. */
    CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.swappiness", "17"));
    CHECK(cg_num("memory", name, "memory.swappiness") == 17, "swappiness now");
    CHECK(libct_controller_configure(ct, CTL_MEMORY, "memory.nosuchfile", "1") == -LCTERR_CGCONFIG,
          "a file the cgroup does not have");
    CHECK_OK(libct_controller_configure(ct, CTL_MEMORY, "memory.limit_in_bytes", "32M"));
    CHECK(cg_num("memory", name, "memory.limit_in_bytes") == 32LL << 20, "new memory limit %lld",
          cg_num("memory", name, "memory.limit_in_bytes"));
    CHECK(libct_controller_add(ct, CTL_BLKIO) == -LCTERR_BADCTSTATE, "add while running");

    close(in[1]);
    int st;
    CHECK_OK(libct_process_wait(p, &st));
    libct_process_destroy(p);
    libct_process_desc_destroy(pd);
    libct_container_destroy(ct);

    /* A controller the host lacks: the spawn says so, and leaves nothing. */
    if (access("/sys/fs/cgroup/net_cls", F_OK) != 0) {
        ct = libct_container_create(s, tc_name("nocg"));
        CHECK_OK(libct_controller_add(ct, CTL_NETCLS));
        ct_process_desc_t d2 = libct_process_desc_create(s);
        char *t[] = {"true", NULL};
        p = libct_container_spawn_execv(ct, d2, "/bin/true", t);
        CHECK(libct_handle_to_err(p) == -LCTERR_OPNOTSUPP, "net_cls missing: %ld",
              libct_handle_to_err(p));
        libct_process_desc_destroy(d2);
        libct_container_destroy(ct);
    }
    libct_session_close(s);
    return tc_done();
}
