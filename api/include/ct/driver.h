/*
 * libct driver ABI: the C boundary between libct.so and a backend shared object.
 *
 * A backend is a file named ct-backend-<name>.so exporting exactly one symbol,
 * CT_BACKEND_ENTRY_SYMBOL, of type ct_backend_entry_fn. It returns a pointer to a static,
 * immutable ct_backend descriptor that stays valid for the life of the process (backends are
 * never unloaded).
 *
 * Why C: a C table of function pointers survives compiler and standard-library changes on
 * either side; a C++ vtable or a std::string crossing the boundary does not. Backends are C++
 * inside, but nothing C++ (no exception, no STL type) crosses this line.
 *
 * Versioning rules
 *   - abi_major differs from CT_DRIVER_ABI_MAJOR: the loader refuses the backend.
 *   - New operations are only ever appended to ct_backend_ops (abi_minor is bumped). The
 *     descriptor's `size` tells the loader which slots the backend was compiled with; slots
 *     beyond it, and NULL slots, mean "unsupported by this backend" and are reported as such.
 *   - Rich data (container spec, state/info, stats, options) crosses as versioned JSON
 *     documents (see docs/driver-abi.md), so adding a field never changes this header.
 *
 * Memory rules
 *   - Every string the caller passes in is owned by the caller and valid during the call only.
 *   - A backend never returns memory to free. It hands bytes back through a caller-supplied
 *     ct_out sink, which copies them before returning. The same sink carries error messages.
 *
 * Error rules
 *   - Every operation returns CT_OK (0) or one of enum ct_status. On failure it writes a
 *     human-readable message naming the object and the cause to `err` (if err != NULL).
 *   - Operations never longjmp, throw or abort across this boundary.
 */
#ifndef CT_DRIVER_H
#define CT_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CT_DRIVER_ABI_MAJOR 1
#define CT_DRIVER_ABI_MINOR 2

/* The one symbol a backend exports. */
#define CT_BACKEND_ENTRY_SYMBOL "ct_backend_entry"

/* Status codes shared by every operation. Numeric values are part of the ABI. */
enum ct_status {
    CT_OK = 0,
    CT_ERR_INVALID_SPEC = 1,     /* the spec or an argument document is malformed or invalid */
    CT_ERR_INVALID_ARGUMENT = 2, /* a plain argument (name, signal, flag) is invalid */
    CT_ERR_NOT_FOUND = 3,        /* no such container / process / file */
    CT_ERR_EXISTS = 4,           /* a container of that name already exists */
    CT_ERR_BAD_STATE = 5,        /* the container is not in a state that allows the call */
    CT_ERR_UNSUPPORTED = 6,      /* the backend (or this host) cannot do this */
    CT_ERR_PERMISSION = 7,       /* the caller lacks a privilege the call needs */
    CT_ERR_BACKEND = 8,          /* the backend or the system failed (kernel, tool, I/O) */
    CT_ERR_TRANSPORT = 9,        /* the link to a remote host failed */
    CT_ERR_TIMEOUT = 10,         /* a wait ran out of time */
    CT_ERR_EXEC = 11             /* the container's command could not be executed */
};

/* Caller-owned output sink. A backend calls put() zero or more times; the pieces are
 * concatenated. The caller embeds this struct in its own and recovers it from `self`.
 * On an error sink, set_errno() (may be NULL) records the errno behind the failure, so that
 * callers can tell ENOENT from EACCES (the C API returns -errno). */
typedef struct ct_out {
    void (*put)(struct ct_out *self, const char *data, size_t len);
    void (*set_errno)(struct ct_out *self, int err);
} ct_out;

/* Caller-owned input stream: read() fills up to `len` bytes and returns how many (0 at the
 * end of the stream, -1 on an error, with a message put into `err` of the operation). */
typedef struct ct_in {
    int64_t (*read)(struct ct_in *self, char *buf, size_t len);
} ct_in;

/* Services the host (libct.so) offers to a backend. Passed to open(). Grows by appending;
 * check `size` before touching a field added after 1.0. */
enum ct_log_level { CT_LOG_ERROR = 1, CT_LOG_WARN = 2, CT_LOG_INFO = 3, CT_LOG_DEBUG = 4 };
typedef struct ct_host {
    uint32_t size;      /* sizeof(ct_host) as libct.so was compiled */
    uint32_t abi_major; /* the host's CT_DRIVER_ABI_MAJOR */
    uint32_t abi_minor; /* the host's CT_DRIVER_ABI_MINOR */
    uint32_t reserved;
    /* Log a message through libct's logger. May be NULL. Thread-safe. */
    void (*log)(int level, const char *backend, const char *message);
    /* Report progress of a long operation (image transfer, restore): `what` names it
     * ("migrate 'web1': transfer"), done/total in bytes (total 0: unknown). May be NULL. */
    void (*progress)(const char *what, uint64_t done, uint64_t total);
} ct_host;

/* Process stdio and options for start() and exec(). Grows by appending; check `size`. */
#define CT_PROC_DETACH                                                      \
    0x1u /* the process must outlive the calling process (e.g. `ct start`): \
          * the backend arranges for someone else to reap it and record its \
          * exit status so a later session can wait() for it */
#define CT_PROC_DEFER_EXEC                                                       \
    0x2u /* start(): the process is set up in the container and waits before its \
          * command (the container stays in state "created", with its pid); the  \
          * next start() of the container executes the command (OCI create/start) */
#define CT_PROC_CONTROLLING_TTY                                                  \
    0x4u /* the process's stdin, a terminal, becomes the controlling terminal of \
          * the session it leads (TIOCSCTTY): the libct C API's console. Since   \
          * ABI 1.2: ctty_fd instead, when it is set */
typedef struct ct_proc_args {
    uint32_t size;  /* sizeof(ct_proc_args) as the caller compiled it */
    uint32_t flags; /* CT_PROC_* */
    int stdin_fd;   /* fd in the caller to use as the process's stdin; -1: /dev/null */
    int stdout_fd;  /* likewise for stdout */
    int stderr_fd;  /* likewise for stderr */
    /* JSON process document (docs/driver-abi.md) for exec(), or to override the spec's
     * process in start(); NULL: start() uses the spec's process. */
    const char *process_doc;
    /* When the process document asks for a terminal: an AF_UNIX socket of the caller on which
     * the backend sends (SCM_RIGHTS) the master side of the pty it allocated, as runc's
     * --console-socket does. -1: the backend reports CT_ERR_INVALID_ARGUMENT for a terminal. */
    int console_socket;
    /* When nfds > 0: fds[i] of the caller becomes fd i of the process (i < nfds), replacing
     * stdin/stdout/stderr_fd; every other fd is closed. The libct C API's set_fds. */
    uint32_t nfds;
    const int *fds;
    /* When fn != NULL: instead of executing process.args, the process runs fn(fn_arg) in a
     * fork of the caller (same memory image, no exec) and exits with its return value, once
     * the container is set up. Only in-process backends can do this; others refuse it with
     * CT_ERR_UNSUPPORTED. The libct C API's spawn_cb / enter_cb. */
    int (*fn)(void *fn_arg);
    void *fn_arg;
    /* ABI 1.2. With CT_PROC_CONTROLLING_TTY: a terminal fd of the caller that becomes the
     * controlling terminal instead of stdin, whichever fds the process gets (the historical
     * libct's console: set_console_fd without set_fds). The process does not keep it unless
     * it is among its fds. -1 or 0 (a zeroed struct): stdin. In-process backends only. */
    int ctty_fd;
} ct_proc_args;

/* kill() flags */
#define CT_KILL_ALL 0x1u /* signal every process of the container, not only the target */
/* hold() flags */
#define CT_HOLD_RELEASE 0x1u /* let go of the namespaces held instead */
/* destroy() flags */
#define CT_DESTROY_FORCE 0x1u /* kill a running container first instead of refusing */

/* Capability flags (informational: `ct backends`; the ops table is authoritative). */
#define CT_CAP_NAMESPACES (1ull << 0)
#define CT_CAP_CGROUPS (1ull << 1)
#define CT_CAP_USERNS (1ull << 2)
#define CT_CAP_NETWORK (1ull << 3)
#define CT_CAP_EXEC (1ull << 4)
#define CT_CAP_PAUSE (1ull << 5)
#define CT_CAP_UPDATE (1ull << 6)
#define CT_CAP_STATS (1ull << 7)
#define CT_CAP_CHECKPOINT (1ull << 8)
#define CT_CAP_MIGRATE (1ull << 9)
#define CT_CAP_REMOTE (1ull << 10)
#define CT_CAP_PERSISTENT_STATE (1ull << 11) /* containers outlive the session that made them */

/* A backend's per-session state; opaque to libct. */
typedef struct ct_session ct_session;

/*
 * The operations, described once: every other description of them — the slots of
 * ct_backend_ops below, the loader's slot list and dispatch, the shared trampolines backends
 * fill their tables with, the remote backend's client stubs, ct-agent's dispatch and its
 * read/write classification — follows from this list (docs/driver-abi.md, "Adding an
 * operation"). In ABI order: new operations are appended, never inserted.
 *
 *   X(name, shape, access, transport)
 *   shape      the parameters after the session, one of the CT_OP_PARAMS_* below
 *   access     R: reads only (concurrent with anything); W: changes a container or files
 *   transport  PLAIN: every argument and result is a value, which a remote host's agent
 *              forwards as it is; STREAMS: fds or data streams cross too (relayed by hand);
 *              LOCAL: it acts on the calling process itself, so only a backend whose
 *              containers are on the caller's machine can have it (a remote one cannot)
 *
 * Every slot may be NULL ("unsupported"). Container operations take the container's name.
 * Process ids (`pid`) are the backend's own ids for processes it started (for the linux
 * backend: host pids); 0 names the container's init process.
 *
 *   create      a spec document; the container starts in state "created"
 *   list        a JSON array of info documents;  info: one info document
 *   start       returns once the command has been executed (or failed to be: CT_ERR_EXEC)
 *   wait        timeout_ms < 0 waits forever; *wstatus gets a waitpid()-style status
 *   kill, destroy, exec, pause, resume, update (a resources document), stats, processes
 *   checkpoint, restore, migrate: CRIU and migration; options are JSON documents
 *   get_files, put_files, remove_files: files on the backend's host, for moving checkpoint
 *      images between sessions (libct's generic migration: checkpoint on one session,
 *      get_files there, put_files on the other, restore there). The archive is the stream
 *      format of docs/driver-abi.md ("file archives"). get_files streams every regular file
 *      and directory under `dir` into `archive`; put_files creates `dir` (it must not exist)
 *      and unpacks `archive` into it; remove_files deletes `dir` and everything under it.
 *   -- ABI 1.1 --
 *   cgroup_read, cgroup_write: a file of the container's own cgroup of `controller`
 *      ("memory", "cpu", ..., "name=X" for a named hierarchy, "unified" for the cgroup2
 *      tree): what a limit without a spec field needs (the libct C API's controller_*).
 *   hold: the session keeps the container's namespaces and root open, so that they outlive
 *      its processes (until destroy, the session's close, or hold with CT_HOLD_RELEASE).
 *   join: moves the calling process into the container's namespaces (those it holds, else
 *      its init's) and root; a multi-threaded caller cannot join a mount or user namespace.
 */
#define CT_BACKEND_OPS(X)                   \
    X(create, DOC_IN, W, PLAIN)             \
    X(list, DOC_OUT, R, PLAIN)              \
    X(info, NAME_DOC_OUT, R, PLAIN)         \
    X(start, SPAWN, W, STREAMS)             \
    X(wait, WAIT, R, STREAMS)               \
    X(kill, KILL, W, PLAIN)                 \
    X(destroy, NAME_FLAGS, W, STREAMS)      \
    X(exec, SPAWN, W, STREAMS)              \
    X(pause, NAME, W, PLAIN)                \
    X(resume, NAME, W, PLAIN)               \
    X(update, NAME_DOC_IN, W, PLAIN)        \
    X(stats, NAME_DOC_OUT, R, PLAIN)        \
    X(processes, NAME_DOC_OUT, R, PLAIN)    \
    X(checkpoint, NAME_DOC_IN, W, PLAIN)    \
    X(restore, NAME_DOC_IN, W, STREAMS)     \
    X(migrate, NAME_DOC_IN, W, PLAIN)       \
    X(get_files, DIR_OUT, R, STREAMS)       \
    X(put_files, DIR_IN, W, STREAMS)        \
    X(remove_files, DIR, W, PLAIN)          \
    X(cgroup_read, CGROUP_READ, R, PLAIN)   \
    X(cgroup_write, CGROUP_WRITE, W, PLAIN) \
    X(hold, NAME_FLAGS, W, LOCAL)           \
    X(join, NAME, W, LOCAL)

/* The shapes: an operation's parameters after the session. */
#define CT_OP_PARAMS_DOC_IN const char *doc, ct_out *err
#define CT_OP_PARAMS_DOC_OUT ct_out *doc, ct_out *err
#define CT_OP_PARAMS_NAME const char *name, ct_out *err
#define CT_OP_PARAMS_NAME_DOC_IN const char *name, const char *doc, ct_out *err
#define CT_OP_PARAMS_NAME_DOC_OUT const char *name, ct_out *doc, ct_out *err
#define CT_OP_PARAMS_NAME_FLAGS const char *name, uint32_t flags, ct_out *err
#define CT_OP_PARAMS_SPAWN const char *name, const ct_proc_args *args, int64_t *pid, ct_out *err
#define CT_OP_PARAMS_WAIT \
    const char *name, int64_t pid, int64_t timeout_ms, int *wstatus, ct_out *err
#define CT_OP_PARAMS_KILL const char *name, int64_t pid, int sig, uint32_t flags, ct_out *err
#define CT_OP_PARAMS_DIR const char *dir, ct_out *err
#define CT_OP_PARAMS_DIR_OUT const char *dir, ct_out *archive, ct_out *err
#define CT_OP_PARAMS_DIR_IN const char *dir, ct_in *archive, ct_out *err
#define CT_OP_PARAMS_CGROUP_READ \
    const char *name, const char *controller, const char *file, ct_out *data, ct_out *err
#define CT_OP_PARAMS_CGROUP_WRITE \
    const char *name, const char *controller, const char *file, const char *value, ct_out *err

/* The operation table: the session's open/close, then one slot per operation above. */
typedef struct ct_backend_ops {
    /* open() parses the URI (e.g. "linux:///?root=/run/ct") and may refuse it. */
    int (*open)(const ct_host *host, const char *uri, ct_session **out, ct_out *err);
    void (*close)(ct_session *s);
#define CT_OP_SLOT(name, shape, access, transport) \
    int (*name)(ct_session * s, CT_OP_PARAMS_##shape);
    CT_BACKEND_OPS(CT_OP_SLOT)
#undef CT_OP_SLOT
} ct_backend_ops;

/* The descriptor. `ops` is last so that appending slots grows `size`. */
typedef struct ct_backend {
    uint32_t abi_major; /* CT_DRIVER_ABI_MAJOR the backend was built with */
    uint32_t abi_minor; /* CT_DRIVER_ABI_MINOR the backend was built with */
    uint32_t size;      /* sizeof(ct_backend) as the backend was built */
    uint32_t reserved;
    const char *name;        /* "linux": matches the file name ct-backend-<name>.so */
    const char *version;     /* the backend's own version string */
    const char *description; /* one line for `ct backends` */
    /* NULL-terminated list of URI schemes served: exact ("linux", "local") or a transport
     * pattern "*+ssh" (any "<backend>+ssh" URI). */
    const char *const *schemes;
    uint64_t caps; /* CT_CAP_* */
    ct_backend_ops ops;
} ct_backend;

/* The smallest descriptor the loader accepts: ABI 1.0, all 1.0 slots present (remove_files is
 * the last slot of 1.0; slots appended later are checked against `size` one by one). */
#define CT_BACKEND_MIN_SIZE_1_0 \
    (offsetof(ct_backend, ops) + offsetof(ct_backend_ops, remove_files) + sizeof(void *))

typedef const ct_backend *(*ct_backend_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* CT_DRIVER_H */
