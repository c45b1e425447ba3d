/* Handles, errors, logging, sessions, settings in the wrong state: the C API's conventions. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libct-log-levels.h>

#include "tc.h"

static int exit_code(void *arg) {
    return *(int *)arg;
}

int main(void) {
    tc_init();

    /* The numeric values are part of the interface. */
    CHECK(LCTERR_BADCTSTATE == 1002 && LCTERR_BADTYPE == 1003 && LCTERR_BADARG == 1004 &&
              LCTERR_NONS == 1005 && LCTERR_NOTFOUND == 1006 && LCTERR_INVARG == 1007 &&
              LCTERR_OPNOTSUPP == 1008 && LCTERR_CANTMOUNT == 1010 && LCTERR_CGCREATE == 1021 &&
              LCTERR_CGCONFIG == 1022 && LCTERR_CGATTACH == 1023 && LCTERR_BADCTRID == 1042 &&
              LCTERR_BADCTRNAME == 1043 && LCTERR_RPCUNKNOWN == 1044 && LCTERR_RPCCOMM == 1045,
          "error values");
    CHECK(LOG_MSG == 0 && LOG_ERROR == 1 && LOG_WARN == 2 && LOG_INFO == 3 && LOG_DEBUG == 4 &&
              DEFAULT_LOGLEVEL == LOG_WARN,
          "log levels");
    CHECK(CT_ERROR == -1 && CT_STOPPED == 0 && CT_RUNNING == 1 && CT_PAUSED == 2, "states");
    CHECK(LIBCT_OPT_AUTO_PROC_MOUNT == 1 && LIBCT_OPT_CGROUP_SUBMOUNT == 2 &&
              LIBCT_OPT_KILLABLE == 3 && LIBCT_OPT_NOSETSID == 4 && LIBCT_OPT_SYSTEMD == 5 &&
              LIBCT_OPT_TASKLESS == 6 && LIBCT_CONSOLE_FD == -2,
          "options");
    CHECK(CT_FS_RDONLY == 1 && CT_FS_PRIVATE == 2 && CT_FS_BIND == 4 && CT_FS_NOEXEC == 8 &&
              CT_FS_NOSUID == 0x10 && CT_FS_NODEV == 0x20 && CT_FS_STRICTATIME == 0x40 &&
              CT_FS_REC == 0x80 && CAPS_BSET == 1 && CAPS_ALLCAPS == 2 && CAPS_ALL == 3,
          "flags");
    CHECK(CTL_BLKIO == 0 && CTL_MEMORY == 7 && CTL_NETCLS == 8 && CT_NR_CONTROLLERS == 9 &&
              CT_NET_NONE == 0 && CT_NET_HOSTNIC == 1 && CT_NET_VETH == 2 && CT_FS_SUBDIR == 1,
          "enums");

    /* Error handles. */
    void *h = libct_err_to_handle(-LCTERR_NOTFOUND);
    CHECK(libct_handle_is_err(h), "an error handle is an error");
    CHECK(libct_handle_to_err(h) == -LCTERR_NOTFOUND, "and carries its value");
    CHECK(!libct_handle_is_err(NULL), "NULL is not an error handle");
    CHECK(libct_handle_is_err(libct_err_to_handle(-4095)), "-4095 is an error");
    CHECK(!libct_handle_is_err(libct_err_to_handle(-4096)), "-4096 is not");

    /* NULL and error handles never crash: they are -LCTERR_INVARG. */
    CHECK(libct_container_set_nsmask(NULL, 0) == -LCTERR_INVARG, "NULL container");
    CHECK(libct_container_set_nsmask(h, 0) == -LCTERR_INVARG, "error handle as container");
    CHECK(libct_container_state(NULL) == CT_ERROR, "state of NULL");
    CHECK(libct_net_dev_set_mtu(NULL, 1500) == -LCTERR_INVARG, "NULL net device");
    CHECK(libct_process_desc_setuid(NULL, 1) == -LCTERR_INVARG, "NULL process description");
    CHECK(libct_process_wait(NULL, NULL) == -LCTERR_INVARG, "NULL process");
    CHECK(libct_handle_to_err(libct_container_create(NULL, "x")) == -LCTERR_INVARG, "NULL session");
    libct_container_close(NULL);
    libct_container_destroy(NULL);
    libct_session_close(NULL);
    libct_process_destroy(NULL);
    libct_process_desc_destroy(NULL);

    /* A failed call logs why, at LOG_ERROR, on the fd given to libct_log_init. */
    int logp[2];
    REQUIRE(pipe2(logp, O_NONBLOCK) == 0, "pipe");
    libct_log_init(logp[1], LOG_ERROR);
    close(logp[1]); /* the library keeps its own duplicate */
    libct_session_t bad = libct_session_open("nosuchbackend:///");
    CHECK(libct_handle_is_err(bad), "an unknown backend is an error handle");
    char msg[4096] = {0};
    ssize_t n = read(logp[0], msg, sizeof msg - 1);
    CHECK(n > 0 && strstr(msg, "nosuchbackend"), "the log names the backend: '%s'", msg);
    libct_log_init(-1, 0); /* silent again */
    libct_container_set_nsmask(NULL, 0);
    /* EOF: the library let go of its duplicate, the last write end. */
    CHECK(read(logp[0], msg, sizeof msg) == 0, "the log is closed after fd -1");
    close(logp[0]);
    libct_log_init(2, LOG_INFO);

    /* Two sessions in one process, each with its own containers. */
    libct_session_t s1 = libct_session_open_local();
    libct_session_t s2 = libct_session_open("local");
    REQUIRE(!libct_handle_is_err(s1) && !libct_handle_is_err(s2), "local sessions");
    const char *n1 = tc_name("one"), *n2 = tc_name("two");
    ct_handler_t c1 = libct_container_create(s1, n1);
    ct_handler_t c2 = libct_container_create(s2, n2);
    REQUIRE(!libct_handle_is_err(c1) && !libct_handle_is_err(c2), "containers");
    CHECK(libct_container_state(c1) == CT_STOPPED, "a new container is stopped");

    /* Bad arguments. */
    CHECK(libct_handle_to_err(libct_container_create(s1, n1)) == -EEXIST, "a name twice");
    CHECK(libct_handle_to_err(libct_container_create(s1, "bad/name")) == -LCTERR_INVARG,
          "a bad name");
    CHECK(
        libct_handle_to_err(libct_container_open(s1, "capi-no-such-container")) == -LCTERR_NOTFOUND,
        "opening a container that does not exist");
    CHECK(libct_container_set_option(c1, 99, NULL) == -LCTERR_BADTYPE,
          "an unknown option is a bad type, as the old library answered");
    CHECK(libct_container_set_option(c1, LIBCT_OPT_SYSTEMD, NULL) == -LCTERR_OPNOTSUPP,
          "SYSTEMD is refused clearly");
    CHECK(libct_container_set_nsmask(c1, 0x1) == -LCTERR_NONS,
          "a mask with a non-namespace, as the old library answered it");
    CHECK(libct_container_uname(c1, "h", NULL) == -LCTERR_NONS, "a hostname without a uts ns");
    CHECK(libct_handle_to_err(libct_net_add(c1, CT_NET_HOSTNIC, "lo")) == -LCTERR_NONS,
          "a device without a net ns");
    CHECK(libct_controller_add(c1, CT_NR_CONTROLLERS) == -LCTERR_INVARG, "unknown controller");
    CHECK(libct_controller_configure(c1, CTL_MEMORY, "memory.limit_in_bytes", "1M") ==
              -LCTERR_NOTFOUND,
          "configuring a controller not added");
    char buf[64];
    CHECK(libct_controller_read(c1, CTL_MEMORY, "memory.usage_in_bytes", buf, sizeof buf) ==
              -LCTERR_BADCTSTATE,
          "reading the cgroup of a container never spawned");
    CHECK(libct_container_wait(c1) == -LCTERR_BADCTSTATE, "waiting for one never spawned");
    CHECK(libct_container_kill(c1) == -LCTERR_BADCTSTATE, "killing one never spawned");
    CHECK(libct_fs_add_mount(c1, "x", "y", 0x1000, "tmpfs", NULL) == -LCTERR_INVARG,
          "unknown mount flags");
    CHECK(libct_fs_set_private(c1, 7, "/") == -LCTERR_BADTYPE, "unknown private type");
    CHECK(libct_fs_del_bind_mount(c1, "/nowhere") == -LCTERR_NOTFOUND, "no such bind mount");
    /* A refused call changes nothing: the spawns below run without a private area. */
    CHECK(libct_fs_set_private(c1, CT_FS_SUBDIR, NULL) == -LCTERR_INVARG, "a NULL directory");
    ct_process_desc_t pd = libct_process_desc_create(s1);
    CHECK(libct_handle_is_err(libct_container_spawn_cb(c1, pd, NULL, NULL)),
          "a NULL callback is refused, not called");
    CHECK(libct_process_desc_set_rlimit(pd, 999, 1, 1) == -LCTERR_INVARG, "unknown rlimit");
    CHECK(libct_process_desc_set_caps(pd, 1, 0) == -LCTERR_INVARG, "caps applied to nothing");
    CHECK(libct_process_desc_set_lsm_label(pd, NULL) == -LCTERR_INVARG, "a NULL LSM label");
    /* A label is kept; a host without AppArmor or SELinux refuses the spawn, naming it. */
    if (access("/sys/fs/selinux/enforce", F_OK) != 0 &&
        access("/sys/kernel/security/apparmor", F_OK) != 0) {
        ct_process_desc_t lsm = libct_process_desc_create(s1);
        int code0 = 0;
        CHECK_OK(libct_process_desc_set_lsm_label(lsm, "ct-test-profile"));
        ct_process_t lp = libct_container_spawn_cb(c1, lsm, exit_code, &code0);
        CHECK(libct_handle_to_err(lp) == -LCTERR_OPNOTSUPP,
              "an AppArmor profile on a host without AppArmor: %ld", libct_handle_to_err(lp));
        CHECK_OK(libct_process_desc_set_lsm_label(lsm, "system_u:system_r:container_t:s0"));
        lp = libct_container_spawn_cb(c1, lsm, exit_code, &code0);
        CHECK(libct_handle_to_err(lp) == -LCTERR_OPNOTSUPP,
              "an SELinux label on a host without SELinux: %ld", libct_handle_to_err(lp));
        libct_process_desc_destroy(lsm);
    }

    /* Settings change only while stopped. */
    int code = 7;
    ct_process_t p = libct_container_spawn_cb(c1, pd, exit_code, &code);
    REQUIRE(!libct_handle_is_err(p), "spawn: %ld", libct_handle_to_err(p));
    CHECK(libct_container_state(c1) == CT_RUNNING || libct_container_state(c1) == CT_STOPPED,
          "spawned");
    int st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "the callback's return value is the exit code");
    CHECK(libct_container_state(c1) == CT_STOPPED, "stopped once its init exited");
    libct_process_destroy(p);

    /* Spawned again: the settings may change in between. */
    CHECK_OK(libct_container_set_nsmask(c1, CLONE_NEWUTS));
    CHECK_OK(libct_container_uname(c1, "again", NULL));
    code = 3;
    p = libct_container_spawn_cb(c1, pd, exit_code, &code);
    REQUIRE(!libct_handle_is_err(p), "spawn again: %ld", libct_handle_to_err(p));
    CHECK_OK(libct_container_wait(c1));
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "second run's status %d", st);
    libct_process_destroy(p);

    /* A second handle, of another session of this process, waits for an init this process
     * started: it reaps it, and the spawning handle still learns the status. */
    code = 5;
    ct_handler_t c3 = libct_container_create(s2, tc_name("waited"));
    REQUIRE(!libct_handle_is_err(c3), "third container");
    CHECK_OK(libct_container_set_nsmask(c3, CLONE_NEWPID));
    ct_process_desc_t sleeper = libct_process_desc_create(s2);
    char *sleep_argv[] = {"sleep", "1000", NULL};
    p = libct_container_spawn_execv(c3, sleeper, "/bin/sleep", sleep_argv);
    REQUIRE(!libct_handle_is_err(p), "spawn a sleeper: %ld", libct_handle_to_err(p));
    ct_handler_t other = libct_container_open(s1, tc_name("waited"));
    REQUIRE(!libct_handle_is_err(other), "open it in the other session");
    CHECK_OK(libct_container_kill(other));
    CHECK_OK(libct_container_wait(other));
    CHECK(libct_container_state(other) == CT_STOPPED, "stopped once waited for");
    st = -1;
    CHECK_OK(libct_process_wait(p, &st));
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the spawning handle's status %#x", st);
    CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "no zombie left");
    libct_process_destroy(p);
    libct_process_desc_destroy(sleeper);
    libct_container_close(other);
    libct_container_destroy(c3);

    /* The second session's container is independent of the first's. */
    CHECK(libct_container_state(c2) == CT_STOPPED, "the other session's container");
    ct_handler_t again = libct_container_open(s2, n1);
    CHECK(!libct_handle_is_err(again), "a container of one session opens in another");
    if (!libct_handle_is_err(again)) libct_container_close(again);

    libct_process_desc_destroy(pd);
    libct_container_destroy(c1);
    libct_session_close(s1);
    libct_container_destroy(libct_container_create(s2, tc_name("three")));
    libct_session_close(s2);
    return tc_done();
}
