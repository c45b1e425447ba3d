/*
 * libct.h: the libct C API.
 *
 * Source compatible with the historical libct (Parallels, 2014-2017): the same names,
 * constants, numeric values and behaviour, implemented over the C++ API (ct::Session,
 * ct::Container, ct::Spec), so a program written for that libct drives any backend of this
 * one: libct_session_open("linux:///"), ("openvz:///"), ("linux+ssh://host/"), ...
 * docs/c-api.md describes the mapping and every difference.
 *
 * Conventions
 *   - int calls return 0 on success and a negative value on failure: -errno (below 1000) or
 *     -LCTERR_* (libct-errors.h).
 *   - Calls returning a handle encode a failure in the pointer itself (a value in
 *     [-4095, -1]): check with libct_handle_is_err(), decode with libct_handle_to_err().
 *   - A container's settings are recorded while it is stopped and applied when it is
 *     spawned; a setter called in another state returns -LCTERR_BADCTSTATE.
 *   - Handles of one session may be used from several threads, one call per handle at a time.
 */
#ifndef __UAPI_LIBCT_H__
#define __UAPI_LIBCT_H__

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libct-errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Handles and errors
 */

extern void *libct_err_to_handle(long err);
extern long libct_handle_to_err(void *handle);
extern int libct_handle_is_err(void *handle);

/* Logging (also declared in libct-log-levels.h, with the levels). */
void libct_log_init(int fd, unsigned int level);

/*
 * Sessions
 */

struct libct_session;
typedef struct libct_session *libct_session_t;

/* url: NULL or "local" for this machine's native backend; or any URI of ct::Session::open()
 * ("linux:///?root=/run/ct", "openvz:///", "linux+ssh://user@host/"). */
extern libct_session_t libct_session_open(const char *url);
extern libct_session_t libct_session_open_local(void);
/* Frees the session and every container handle of it (the containers themselves stay). */
extern void libct_session_close(libct_session_t s);

/*
 * Containers
 */

struct ct_handler;
typedef struct ct_handler *ct_handler_t;

struct ct_process_desc;
typedef struct ct_process_desc *ct_process_desc_t;

struct ct_process;
typedef struct ct_process *ct_process_t;

enum ct_state {
    CT_ERROR = -1,
    CT_STOPPED,
    CT_RUNNING,
    CT_PAUSED,
};

/* A new container (nothing is made until it is spawned). */
extern ct_handler_t libct_container_create(libct_session_t ses, const char *name);
/* A handle on an existing container of the session's backend. */
extern ct_handler_t libct_container_open(libct_session_t ses, const char *name);
/* Frees the handle; the container stays. */
extern void libct_container_close(ct_handler_t ct);

enum ct_state libct_container_state(ct_handler_t ct);
/* A process handle on the running container's init, if `pid` is it. */
extern ct_process_t libct_container_load(ct_handler_t ct, pid_t pid);

/* Start the container: its init runs ct_fn(arg) in a fork of the caller (spawn_cb), or
 * executes path (spawn_execv/_execve; env NULL: the caller's environment). The init is a
 * child of the caller. Returns once the container is set up and the command executed; an
 * exec failure is the call's error. */
extern ct_process_t libct_container_spawn_cb(ct_handler_t ct, ct_process_desc_t pr,
                                             int (*ct_fn)(void *), void *arg);
extern ct_process_t libct_container_spawn_execv(ct_handler_t ct, ct_process_desc_t pr,
                                                const char *path, char *const argv[]);
extern ct_process_t libct_container_spawn_execve(ct_handler_t ct, ct_process_desc_t pr,
                                                 const char *path, char *const argv[],
                                                 char *const env[]);
/* Run another process in the running container (a child of the caller, too). */
extern ct_process_t libct_container_enter_cb(ct_handler_t ct, ct_process_desc_t p,
                                             int (*ct_fn)(void *), void *arg);
extern ct_process_t libct_container_enter_execv(ct_handler_t ct, ct_process_desc_t p,
                                                const char *path, char *const argv[]);
extern ct_process_t libct_container_enter_execve(ct_handler_t ct, ct_process_desc_t p,
                                                 const char *path, char *const argv[],
                                                 char *const env[]);
/* SIGKILL to every process of the container. */
extern int libct_container_kill(ct_handler_t ct);
/* Waits for the container's init to exit. */
extern int libct_container_wait(ct_handler_t ct);
/* Removes the container (killing it if it runs) and frees the handle. */
extern void libct_container_destroy(ct_handler_t ct);
extern int libct_container_pause(ct_handler_t ct);
extern int libct_container_resume(ct_handler_t ct);
/* Moves the calling process into the running container's namespaces and root. The caller
 * must be single-threaded (the kernel's rule for joining a mount or user namespace). */
extern int libct_container_switch(ct_handler_t ct);

/*
 * Namespaces, sysctls, hostname
 */

/* Any subset of CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID,
 * CLONE_NEWUSER (<sched.h>); default: none. */
extern int libct_container_set_nsmask(ct_handler_t ct, unsigned long ns_mask);
/* Join an existing namespace (ns: one CLONE_NEW* flag) instead of creating one. */
extern int libct_container_set_nspath(ct_handler_t ct, int ns, const char *path);
extern int libct_container_set_sysctl(ct_handler_t ct, const char *name, const char *val);
extern int libct_container_uname(ct_handler_t ct, const char *host, const char *domain);

/*
 * Cgroups
 */

enum ct_controller {
    CTL_BLKIO,
    CTL_CPU,
    CTL_CPUACCT,
    CTL_CPUSET,
    CTL_DEVICES,
    CTL_FREEZER,
    CTL_HUGETLB,
    CTL_MEMORY,
    CTL_NETCLS,
    CT_NR_CONTROLLERS
};

/* While stopped: the container gets a cgroup of this controller. */
extern int libct_controller_add(ct_handler_t ct, enum ct_controller ctype);
/* Queued while stopped, written at once while running. */
extern int libct_controller_configure(ct_handler_t ct, enum ct_controller ctype, const char *param,
                                      const char *value);
/* Reads a file of the container's cgroup: returns the number of bytes read. */
extern int libct_controller_read(ct_handler_t ct, enum ct_controller ctype, const char *param,
                                 void *buf, size_t len);

/*
 * Filesystem
 */

/* The container's root: pivot_root with a mount namespace, chroot without. Default: "/". */
extern int libct_fs_set_root(ct_handler_t ct, const char *root_path);

enum ct_fs_type {
    CT_FS_NONE,   /* the root is prepared by the caller */
    CT_FS_SUBDIR, /* arg (a directory) is bind-mounted as the root */
};

extern int libct_fs_set_private(ct_handler_t ct, enum ct_fs_type type, void *arg);

#define CT_FS_RDONLY 0x0001
#define CT_FS_PRIVATE 0x0002
#define CT_FS_BIND 0x0004
#define CT_FS_NOEXEC 0x0008
#define CT_FS_NOSUID 0x0010
#define CT_FS_NODEV 0x0020
#define CT_FS_STRICTATIME 0x0040
#define CT_FS_REC 0x0080

/* A command run on the host (libct_fs_add_mount_with_actions). */
struct libct_cmd {
    struct libct_cmd *next;

    char *path;
    char **argv;
    char **envp;
    char *dir;
};

/* Destinations are relative to the container's root and created when missing. */
extern int libct_fs_add_bind_mount(ct_handler_t ct, const char *source, const char *destination,
                                   int flags);
extern int libct_fs_del_bind_mount(ct_handler_t ct, const char *destination);
extern int libct_fs_add_mount(ct_handler_t ct, const char *src, const char *dst, int flags,
                              const char *fstype, const char *data);
extern int libct_fs_add_mount_with_actions(ct_handler_t ct, const char *src, const char *dst,
                                           int flags, const char *fstype, const char *data,
                                           struct libct_cmd *pre, struct libct_cmd *post);
extern int libct_fs_add_devnode(ct_handler_t ct, const char *path, int mode, int major, int minor);

/*
 * Network
 */

enum ct_net_type {
    CT_NET_NONE,    /* no network configured */
    CT_NET_HOSTNIC, /* move a host device in (arg: its name) */
    CT_NET_VETH,    /* a veth pair (arg: struct ct_net_veth_arg *) */
};

struct ct_net_veth_arg {
    char *host_name;
    char *ct_name;
};

struct ct_net;
typedef struct ct_net *ct_net_t;

/* Needs CLONE_NEWNET in the namespace mask (else -LCTERR_NONS). */
extern ct_net_t libct_net_add(ct_handler_t ct, enum ct_net_type ntype, void *arg);
extern int libct_net_del(ct_handler_t ct, enum ct_net_type ntype, void *arg);
extern int libct_net_dev_set_mac_addr(ct_net_t n, const char *addr);
extern int libct_net_dev_set_master(ct_net_t n, const char *master);
/* The host end of a veth. */
extern ct_net_t libct_net_dev_get_peer(ct_net_t n);
extern int libct_net_dev_add_ip_addr(ct_net_t n, const char *addr);
extern int libct_net_dev_set_mtu(ct_net_t n, int mtu);

struct ct_net_route;
typedef struct ct_net_route *ct_net_route_t;

extern ct_net_route_t libct_net_route_add(ct_handler_t ct);
extern int libct_net_route_set_src(ct_net_route_t r, const char *addr);
extern int libct_net_route_set_dst(ct_net_route_t r, const char *addr);
extern int libct_net_route_set_dev(ct_net_route_t r, const char *dev);

struct ct_net_route_nh;
typedef struct ct_net_route_nh *ct_net_route_nh_t;

extern ct_net_route_nh_t libct_net_route_add_nh(ct_net_route_t r);
extern int libct_net_route_nh_set_gw(ct_net_route_nh_t nh, const char *addr);
extern int libct_net_route_nh_set_dev(ct_net_route_nh_t nh, const char *dev);

/*
 * User namespace
 */

extern int libct_userns_add_uid_map(ct_handler_t ct, unsigned int first, unsigned lower_first,
                                    unsigned int count);
extern int libct_userns_add_gid_map(ct_handler_t ct, unsigned int first, unsigned lower_first,
                                    unsigned int count);

/*
 * Options
 */

/* Mount a /proc for the container's pid namespace (with a mount namespace). */
#define LIBCT_OPT_AUTO_PROC_MOUNT 1
/* Bind-mount the container's own cgroups inside it, so that it can make sub-groups.
 * Argument: where (a path inside the root); NULL: /sys/fs/cgroup. */
#define LIBCT_OPT_CGROUP_SUBMOUNT 2
/* Track the container's tasks in the named cgroup hierarchy "name=libct" (mounted at
 * /sys/fs/cgroup/.libct when missing), so that libct_container_kill() reaches them all. */
#define LIBCT_OPT_KILLABLE 3
/* The container's init stays in the caller's session (no setsid()). */
#define LIBCT_OPT_NOSETSID 4
/* Register the container with systemd. */
#define LIBCT_OPT_SYSTEMD 5
/* The init exits once the container is set up; its namespaces are kept by the library, for
 * libct_container_switch(). */
#define LIBCT_OPT_TASKLESS 6

extern int libct_container_set_option(ct_handler_t ct, int opt, void *args);

/* The container's console: tty_fd (a terminal of the caller) becomes its /dev/console. */
extern int libct_container_set_console_fd(ct_handler_t ct, int tty_fd);

/*
 * Process descriptions: who and how a container process runs
 */

extern ct_process_desc_t libct_process_desc_create(libct_session_t ses);
extern ct_process_desc_t libct_process_desc_copy(ct_process_desc_t p);
extern void libct_process_desc_destroy(ct_process_desc_t p);
extern int libct_process_desc_setuid(ct_process_desc_t p, unsigned int uid);
extern int libct_process_desc_setgid(ct_process_desc_t p, unsigned int gid);
/* By name, looked up in the container's /etc/passwd and /etc/group when it starts. */
extern int libct_process_desc_set_user(ct_process_desc_t p, const char *user);
extern int libct_process_desc_set_groups(ct_process_desc_t p, unsigned int size,
                                         unsigned int groups[]);
/* The same call under its historical spellings. */
extern int libct_process_desc_setgroups(ct_process_desc_t p, unsigned int size,
                                        unsigned int groups[]);
extern int libct_process_desc_setgroupts(ct_process_desc_t p, unsigned int size,
                                         unsigned int groups[]);
extern int libct_process_desc_set_rlimit(ct_process_desc_t p, int resource, uint64_t soft,
                                         uint64_t hard);
extern int libct_process_desc_set_lsm_label(ct_process_desc_t p, const char *label);

#define CAPS_BSET 0x1
#define CAPS_ALLCAPS 0x2
#define CAPS_ALL (CAPS_BSET | CAPS_ALLCAPS)
/* mask: bit N is capability N (CAP_* of <linux/capability.h>); apply_to: CAPS_*. */
extern int libct_process_desc_set_caps(ct_process_desc_t ct, unsigned long mask,
                                       unsigned int apply_to);

extern int libct_process_desc_set_pdeathsig(ct_process_desc_t ct, int sig);

/* In libct_process_desc_set_fds(): the container's console. */
#define LIBCT_CONSOLE_FD -2
/* fds[i] becomes fd i of the process; every other fd is closed. */
extern int libct_process_desc_set_fds(ct_process_desc_t p, int *fds, int n);

extern int libct_process_desc_set_env(ct_process_desc_t p, char **env, int envn);

/*
 * Processes
 */

/* status: as waitpid() reports it. */
extern int libct_process_wait(ct_process_t p, int *status);
extern void libct_process_destroy(ct_process_t p);
extern int libct_process_get_pid(ct_process_t p);

struct libct_processes {
    int nproc;
    int array[];
};

/* The processes of the container (host pids); free with libct_processes_free(). */
extern struct libct_processes *libct_container_processes(ct_handler_t h);

static inline int libct_processes_get(struct libct_processes *p, int i) {
    return p->array[i];
}

void libct_processes_free(struct libct_processes *p);

#ifdef __cplusplus
}
#endif

#endif /* __UAPI_LIBCT_H__ */
