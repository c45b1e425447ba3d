/*
 * memc: a small but working libct backend written in plain C (compiled as C11), proving that
 * the driver ABI really is C. Containers live in the session's memory (they end with it); a
 * container's "init" is an ordinary child process running the spec's process.args with the
 * stdio the caller passes. Operations it does not implement are left NULL, which libct reports
 * as "not supported by backend memc".
 *
 * It reads the JSON spec document with a minimal reader of its own: a C backend needs no C++
 * and no JSON library to speak the ABI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ct/driver.h"

/* The name it is built under: memc, or memc10 (as a backend of ABI 1.0). */
#ifndef CT_MEMC_NAME
#define CT_MEMC_NAME "memc"
#endif

enum state { CREATED, RUNNING, STOPPED };
static const char *const state_names[] = {"created", "running", "stopped"};

struct container {
    struct container *next;
    char *name;
    char *spec;  /* the spec document, verbatim: info returns it */
    char **argv; /* process.args of the spec */
    enum state state;
    pid_t pid;
    int wstatus; /* valid when state == STOPPED and has_status */
    int has_status;
    long long created;
};

struct ct_session {
    pthread_mutex_t mu;
    struct container *head;
};

/* ---- errors ------------------------------------------------------------------------------ */

static int fail(ct_out *err, int status, int errnum, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    if (err && err->put) err->put(err, buf, (size_t)n);
    if (errnum && err && err->set_errno) err->set_errno(err, errnum);
    return status;
}

static void put_str(ct_out *out, const char *s) {
    out->put(out, s, strlen(s));
}

/* ---- a minimal JSON reader: enough to find keys and read strings -------------------------- */

static const char *ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
    return p;
}

/* p at '"'. Returns the end of the string (after the quote), or NULL. *out (if out) gets the
 * decoded text, malloc'd; \u escapes outside ASCII become '?'. */
static const char *read_string(const char *p, char **out) {
    if (*p != '"') return NULL;
    const char *s = ++p;
    size_t cap = 0;
    while (*p && *p != '"') {
        if (*p == '\\') {
            if (!*++p) return NULL;
        }
        ++p;
        ++cap;
    }
    if (*p != '"') return NULL;
    if (out) {
        char *d = malloc(cap + 1), *o = d;
        if (!d) return NULL;
        for (const char *q = s; q < p; ++q) {
            if (*q != '\\') {
                *o++ = *q;
                continue;
            }
            switch (*++q) {
                case 'n':
                    *o++ = '\n';
                    break;
                case 't':
                    *o++ = '\t';
                    break;
                case 'r':
                    *o++ = '\r';
                    break;
                case 'b':
                    *o++ = '\b';
                    break;
                case 'f':
                    *o++ = '\f';
                    break;
                case 'u': {
                    unsigned v = 0;
                    int k;
                    for (k = 1; k <= 4 && q[k]; ++k) {
                        char c = q[k];
                        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
                    }
                    q += k - 1;
                    *o++ = v < 0x80 ? (char)v : '?';
                    break;
                }
                default:
                    *o++ = *q; /* \" \\ \/ */
            }
        }
        *o = 0;
        *out = d;
    }
    return p + 1;
}

static const char *skip_value(const char *p) {
    p = ws(p);
    if (*p == '"') return read_string(p, NULL);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                p = read_string(ws(p), NULL);
                if (!p || *(p = ws(p)) != ':') return NULL;
                ++p;
            }
            if (!(p = skip_value(p))) return NULL;
            p = ws(p);
            if (*p == close) return p + 1;
            if (*p != ',') return NULL;
            ++p;
        }
    }
    while (*p && !strchr(",}] \t\r\n", *p)) ++p; /* number, true, false, null */
    return p;
}

/* obj at '{': the value of `key`, or NULL. */
static const char *find_key(const char *obj, const char *key) {
    const char *p = ws(obj);
    if (*p != '{') return NULL;
    p = ws(p + 1);
    while (*p == '"') {
        char *k = NULL;
        p = read_string(p, &k);
        if (!p || *(p = ws(p)) != ':') {
            free(k);
            return NULL;
        }
        p = ws(p + 1);
        int match = strcmp(k, key) == 0;
        free(k);
        if (match) return p;
        if (!(p = skip_value(p))) return NULL;
        p = ws(p);
        if (*p != ',') return NULL;
        p = ws(p + 1);
    }
    return NULL;
}

static void free_argv(char **argv) {
    if (!argv) return;
    for (char **a = argv; *a; ++a) free(*a);
    free(argv);
}

/* A JSON array of strings into a NULL-terminated argv; NULL when absent or malformed. */
static char **read_argv(const char *p) {
    if (!p || *(p = ws(p)) != '[') return NULL;
    size_t n = 0, cap = 4;
    char **argv = calloc(cap, sizeof *argv);
    p = ws(p + 1);
    while (argv && *p == '"') {
        if (n + 2 > cap) {
            char **more = realloc(argv, (cap *= 2) * sizeof *argv);
            if (!more) break;
            argv = more;
        }
        argv[n + 1] = NULL;
        if (!(p = read_string(p, &argv[n]))) break;
        ++n;
        p = ws(p);
        if (*p == ',') p = ws(p + 1);
    }
    if (!argv || !p || *p != ']' || n == 0) {
        if (argv) argv[n] = NULL;
        free_argv(argv);
        return NULL;
    }
    argv[n] = NULL;
    return argv;
}

/* ---- containers ----------------------------------------------------------------------------- */

static struct container *find(ct_session *s, const char *name) {
    for (struct container *c = s->head; c; c = c->next)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

static void put_info(const struct container *c, ct_out *doc) {
    char head[256];
    snprintf(head, sizeof head,
             "{\"version\":1,\"name\":\"%s\",\"backend\":\"" CT_MEMC_NAME
             "\",\"state\":\"%s\",\"pid\":%d,"
             "\"created\":%lld,",
             c->name, state_names[c->state], c->state == RUNNING ? (int)c->pid : 0, c->created);
    put_str(doc, head);
    if (c->state == STOPPED && c->has_status) {
        int sig = WIFSIGNALED(c->wstatus);
        snprintf(head, sizeof head, "\"exit_status\":{\"signaled\":%s,\"code\":%d},",
                 sig ? "true" : "false", sig ? WTERMSIG(c->wstatus) : WEXITSTATUS(c->wstatus));
        put_str(doc, head);
    }
    put_str(doc, "\"spec\":");
    put_str(doc, c->spec);
    put_str(doc, "}");
}

/* Reaps init; with timeout_ms >= 0 gives up after that long. Called without the lock. */
static int reap(pid_t pid, int64_t timeout_ms, int *wstatus) {
    struct timespec tick = {0, 1000000};
    for (int64_t waited = 0;; ++waited) {
        pid_t r = waitpid(pid, wstatus, timeout_ms < 0 ? 0 : WNOHANG);
        if (r == pid) return 0;
        if (r < 0 && errno != EINTR) return -1;
        if (r == 0) {
            if (waited >= timeout_ms) return 1;
            nanosleep(&tick, NULL);
        }
    }
}

/* ---- operations ----------------------------------------------------------------------------- */

static int op_open(const ct_host *host, const char *uri, ct_session **out, ct_out *err) {
    (void)host;
    if (strcmp(uri, CT_MEMC_NAME ":///") != 0)
        return fail(err, CT_ERR_INVALID_ARGUMENT, 0, "memc takes no host or options: '%s'", uri);
    ct_session *s = calloc(1, sizeof *s);
    if (!s) return fail(err, CT_ERR_BACKEND, ENOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    *out = s;
    return CT_OK;
}

static void op_close(ct_session *s) {
    /* In-memory containers end with their session: their processes go too. */
    while (s->head) {
        struct container *c = s->head;
        s->head = c->next;
        if (c->state == RUNNING) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, NULL, 0);
        }
        free(c->name);
        free(c->spec);
        free_argv(c->argv);
        free(c);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int op_create(ct_session *s, const char *spec, ct_out *err) {
    char *name = NULL;
    const char *v = find_key(spec, "name");
    if (!v || !read_string(v, &name) || !*name) {
        free(name);
        return fail(err, CT_ERR_INVALID_SPEC, 0, "the spec document has no name");
    }
    const char *proc = find_key(spec, "process");
    char **argv = read_argv(proc ? find_key(proc, "args") : NULL);
    struct container *c = calloc(1, sizeof *c);
    char *copy = strdup(spec);
    if (!c || !copy) {
        free(c);
        free(copy);
        free(name);
        free_argv(argv);
        return fail(err, CT_ERR_BACKEND, ENOMEM, "out of memory");
    }
    c->name = name;
    c->spec = copy;
    c->argv = argv;
    c->created = (long long)time(NULL);
    pthread_mutex_lock(&s->mu);
    int exists = find(s, name) != NULL;
    if (!exists) {
        c->next = s->head;
        s->head = c;
    }
    pthread_mutex_unlock(&s->mu);
    if (exists) {
        int rc = fail(err, CT_ERR_EXISTS, EEXIST, "container '%s' already exists", name);
        free(name);
        free(copy);
        free_argv(argv);
        free(c);
        return rc;
    }
    return CT_OK;
}

static int op_list(ct_session *s, ct_out *doc, ct_out *err) {
    (void)err;
    pthread_mutex_lock(&s->mu);
    put_str(doc, "[");
    for (struct container *c = s->head; c; c = c->next) {
        put_info(c, doc);
        if (c->next) put_str(doc, ",");
    }
    put_str(doc, "]");
    pthread_mutex_unlock(&s->mu);
    return CT_OK;
}

static int op_info(ct_session *s, const char *name, ct_out *doc, ct_out *err) {
    pthread_mutex_lock(&s->mu);
    struct container *c = find(s, name);
    if (c) put_info(c, doc);
    pthread_mutex_unlock(&s->mu);
    return c ? CT_OK : fail(err, CT_ERR_NOT_FOUND, ENOENT, "no container '%s'", name);
}

static int op_start(ct_session *s, const char *name, const ct_proc_args *a, int64_t *pid,
                    ct_out *err) {
    if (a->flags & CT_PROC_DETACH)
        return fail(err, CT_ERR_UNSUPPORTED, 0,
                    "memc keeps containers in memory: '%s' cannot outlive its session", name);
    if (a->size >= offsetof(ct_proc_args, fn) + sizeof a->fn && a->fn)
        return fail(err, CT_ERR_UNSUPPORTED, 0, "memc cannot run a callback");
    if (a->size >= offsetof(ct_proc_args, nfds) + sizeof a->nfds && a->nfds)
        return fail(err, CT_ERR_UNSUPPORTED, 0, "memc cannot pass an fd list");
    char **own = a->process_doc ? read_argv(find_key(a->process_doc, "args")) : NULL;
    if (a->process_doc && !own)
        return fail(err, CT_ERR_INVALID_SPEC, 0, "the process document has no args");

    pthread_mutex_lock(&s->mu);
    struct container *c = find(s, name);
    int rc = CT_OK;
    if (!c)
        rc = fail(err, CT_ERR_NOT_FOUND, ENOENT, "no container '%s'", name);
    else if (c->state == RUNNING)
        rc = fail(err, CT_ERR_BAD_STATE, 0, "container '%s' is already running", name);
    else if (!own && !c->argv)
        rc = fail(err, CT_ERR_INVALID_SPEC, 0, "container '%s' has no process.args", name);
    if (rc != CT_OK) {
        pthread_mutex_unlock(&s->mu);
        free_argv(own);
        return rc;
    }
    char **argv = own ? own : c->argv;
    /* The exec error travels back on a close-on-exec pipe: no bytes means exec succeeded. */
    int ep[2];
    if (pipe2(ep, O_CLOEXEC) != 0) {
        pthread_mutex_unlock(&s->mu);
        free_argv(own);
        return fail(err, CT_ERR_BACKEND, errno, "pipe: %s", strerror(errno));
    }
    pid_t child = fork();
    if (child == 0) {
        /* The caller may block or catch signals (ct forwards them from a thread); the command
         * starts as from a shell: nothing blocked, default dispositions. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < NSIG; ++sig)
            if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
        int fds[3] = {a->stdin_fd, a->stdout_fd, a->stderr_fd};
        for (int i = 0; i < 3; ++i) {
            int fd = fds[i] >= 0 ? fds[i] : open("/dev/null", O_RDWR);
            if (fd != i) dup2(fd, i); /* dup2 clears close-on-exec on the copy */
        }
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(ep[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    int fork_errno = errno;
    close(ep[1]);
    if (child < 0) {
        close(ep[0]);
        pthread_mutex_unlock(&s->mu);
        free_argv(own);
        return fail(err, CT_ERR_BACKEND, fork_errno, "fork: %s", strerror(fork_errno));
    }
    int exec_errno = 0;
    ssize_t n;
    while ((n = read(ep[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    close(ep[0]);
    if (n > 0) {
        waitpid(child, NULL, 0);
        pthread_mutex_unlock(&s->mu);
        rc = fail(err, CT_ERR_EXEC, exec_errno, "exec %s: %s", argv[0], strerror(exec_errno));
        free_argv(own);
        return rc;
    }
    c->pid = child;
    c->state = RUNNING;
    c->has_status = 0;
    pthread_mutex_unlock(&s->mu);
    free_argv(own);
    *pid = child;
    return CT_OK;
}

static int op_wait(ct_session *s, const char *name, int64_t pid, int64_t timeout_ms, int *wstatus,
                   ct_out *err) {
    pthread_mutex_lock(&s->mu);
    struct container *c = find(s, name);
    int state = c ? (int)c->state : -1;
    pid_t target = c ? c->pid : 0;
    int status = c ? c->wstatus : 0, known = c ? c->has_status : 0;
    pthread_mutex_unlock(&s->mu);
    if (!c) return fail(err, CT_ERR_NOT_FOUND, ENOENT, "no container '%s'", name);
    if (pid != 0 && pid != target)
        return fail(err, CT_ERR_NOT_FOUND, ESRCH, "no process %lld in container '%s'",
                    (long long)pid, name);
    if (state == STOPPED && known) {
        *wstatus = status;
        return CT_OK;
    }
    if (state != RUNNING)
        return fail(err, CT_ERR_BAD_STATE, 0, "container '%s' has not been started", name);
    int r = reap(target, timeout_ms, &status);
    if (r == 1)
        return fail(err, CT_ERR_TIMEOUT, ETIMEDOUT, "container '%s' still runs after %lld ms", name,
                    (long long)timeout_ms);
    if (r < 0) return fail(err, CT_ERR_BACKEND, errno, "waitpid: %s", strerror(errno));
    pthread_mutex_lock(&s->mu);
    if ((c = find(s, name)) && c->pid == target) {
        c->state = STOPPED;
        c->wstatus = status;
        c->has_status = 1;
        c->pid = 0;
    }
    pthread_mutex_unlock(&s->mu);
    *wstatus = status;
    return CT_OK;
}

static int op_kill(ct_session *s, const char *name, int64_t pid, int sig, uint32_t flags,
                   ct_out *err) {
    (void)flags; /* init is the only process */
    pthread_mutex_lock(&s->mu);
    struct container *c = find(s, name);
    int rc = CT_OK;
    if (!c)
        rc = fail(err, CT_ERR_NOT_FOUND, ENOENT, "no container '%s'", name);
    else if (c->state != RUNNING)
        rc = fail(err, CT_ERR_BAD_STATE, 0, "container '%s' is not running", name);
    else if (pid != 0 && pid != c->pid)
        rc = fail(err, CT_ERR_NOT_FOUND, ESRCH, "no process %lld in container '%s'", (long long)pid,
                  name);
    else if (kill(c->pid, sig) != 0)
        rc = fail(err, errno == EINVAL ? CT_ERR_INVALID_ARGUMENT : CT_ERR_BACKEND, errno,
                  "kill container '%s' with signal %d: %s", name, sig, strerror(errno));
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int op_destroy(ct_session *s, const char *name, uint32_t flags, ct_out *err) {
    pthread_mutex_lock(&s->mu);
    struct container **pp = &s->head;
    while (*pp && strcmp((*pp)->name, name) != 0) pp = &(*pp)->next;
    struct container *c = *pp;
    int rc = CT_OK;
    if (!c)
        rc = fail(err, CT_ERR_NOT_FOUND, ENOENT, "no container '%s'", name);
    else if (c->state == RUNNING && !(flags & CT_DESTROY_FORCE))
        rc = fail(err, CT_ERR_BAD_STATE, 0, "container '%s' is running (use force)", name);
    if (rc == CT_OK) *pp = c->next;
    pthread_mutex_unlock(&s->mu);
    if (rc != CT_OK) return rc;
    if (c->state == RUNNING) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
    }
    free(c->name);
    free(c->spec);
    free_argv(c->argv);
    free(c);
    return CT_OK;
}

static const char *const schemes[] = {CT_MEMC_NAME, NULL};

#ifdef CT_MEMC_ABI_1_0
/* Built as a backend of ABI 1.0 (memc10): its table ends before the 1.1 slots. The bytes
 * past its declared size hold these, which the loader must never call. */
static int never_read(ct_session *s, const char *n, const char *c, const char *f, ct_out *d,
                      ct_out *e) {
    (void)s, (void)n, (void)c, (void)f, (void)d, (void)e;
    abort();
}
static int never_write(ct_session *s, const char *n, const char *c, const char *f, const char *v,
                       ct_out *e) {
    (void)s, (void)n, (void)c, (void)f, (void)v, (void)e;
    abort();
}
static int never_hold(ct_session *s, const char *n, uint32_t f, ct_out *e) {
    (void)s, (void)n, (void)f, (void)e;
    abort();
}
static int never_join(ct_session *s, const char *n, ct_out *e) {
    (void)s, (void)n, (void)e;
    abort();
}
#define CT_MEMC_MINOR 0
#define CT_MEMC_SIZE (offsetof(ct_backend, ops) + offsetof(ct_backend_ops, cgroup_read))
#else
#define CT_MEMC_MINOR CT_DRIVER_ABI_MINOR
#define CT_MEMC_SIZE sizeof(ct_backend)
#endif

static const ct_backend backend = {
    CT_DRIVER_ABI_MAJOR,
    CT_MEMC_MINOR,
    CT_MEMC_SIZE,
    0,
    CT_MEMC_NAME,
    "1.0-test",
    "in-memory containers, written in C (libct's loader tests)",
    schemes,
    0,
    {
        .open = op_open,
        .close = op_close,
        .create = op_create,
        .list = op_list,
        .info = op_info,
        .start = op_start,
        .wait = op_wait,
        .kill = op_kill,
        .destroy = op_destroy,
/* exec, pause, resume, update, stats, processes, checkpoint, restore, migrate and the
 * file transfer slots stay NULL: "not supported by backend memc". */
#ifdef CT_MEMC_ABI_1_0
        .cgroup_read = never_read,
        .cgroup_write = never_write,
        .hold = never_hold,
        .join = never_join,
#endif
    },
};

__attribute__((visibility("default"))) const ct_backend *ct_backend_entry(void) {
    return &backend;
}
