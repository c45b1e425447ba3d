/* The last step of every container process: a tiny static program, run from a sealed memfd,
 * that executes the container's command. Between the setup and this exec the process's
 * /proc/<pid>/exe is the memfd, not the host binary that started the container (ct, or any
 * program using libct), so nothing inside the container can open that binary through
 * /proc/<pid>/exe and overwrite it (the CVE-2019-5736 pattern), and a command that is a
 * '#!/proc/self/exe' script runs this stub again, which refuses, instead of a host program.
 *
 * Freestanding: no libc, raw system calls, so the binary is a few kilobytes and starts with
 * nothing to relocate or initialise. */
#include "child_failure.h"

#if defined(__x86_64__)
static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
__asm__(
    ".globl _start\n"
    "_start:\n"
    "  xor %rbp, %rbp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call stub_main\n"
    "  hlt\n");
enum { NR_WRITE = 1, NR_FCNTL = 72, NR_EXECVE = 59, NR_EXIT_GROUP = 231 };
#elif defined(__aarch64__)
static long sys3(long n, long a, long b, long c) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
__asm__(
    ".globl _start\n"
    "_start:\n"
    "  mov x29, #0\n"
    "  mov x0, sp\n"
    "  bl stub_main\n");
enum { NR_WRITE = 64, NR_FCNTL = 25, NR_EXECVE = 221, NR_EXIT_GROUP = 94 };
#else
#error "exec stub: unsupported architecture"
#endif

enum { E_NOENT = 2, E_ACCES = 13, E_NOTDIR = 20, E_LOOP = 40, F_SETFD_ = 2, FD_CLOEXEC_ = 1 };
#define PATH_MAX_ 4096

static __attribute__((noreturn)) void die(int code) {
    for (;;) sys3(NR_EXIT_GROUP, code, 0, 0);
}

static unsigned long len(const char *s) {
    unsigned long n = 0;
    while (s[n]) ++n;
    return n;
}

struct msg {
    struct ct_child_failure f;
    unsigned long n;
};

static void put(struct msg *m, const char *s) {
    while (*s && m->n + 1 < sizeof m->f.what) m->f.what[m->n++] = *s++;
    m->f.what[m->n] = 0;
}

static __attribute__((noreturn)) void fail(int errfd, int err, const char *a, const char *b,
                                           const char *c, const char *d) {
    struct msg m;
    char *p = (char *)&m;
    for (unsigned long i = 0; i < sizeof m; ++i) p[i] = 0;
    m.f.err = err;
    m.f.is_exec = 1;
    put(&m, a);
    put(&m, b);
    if (c) put(&m, c);
    if (d) put(&m, d);
    sys3(NR_WRITE, errfd, (long)&m.f, sizeof m.f);
    die(127);
}

static int streq(const char *a, const char *b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

__attribute__((used, noreturn)) void stub_main(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    /* Anything else (run as the interpreter of '#!/proc/self/exe', or by hand) is refused. */
    if (argc < 5 || !streq(argv[0], CT_EXEC_STUB_MARKER)) die(127);
    int errfd = 0;
    for (const char *d = argv[1]; *d; ++d) {
        if (*d < '0' || *d > '9' || errfd > 100000) die(127);
        errfd = errfd * 10 + (*d - '0');
    }
    /* The error pipe stays open across this exec only; its EOF tells the parent the command
     * runs. */
    sys3(NR_FCNTL, errfd, F_SETFD_, FD_CLOEXEC_);
    const char *path = argv[2], *file = argv[3];
    char **cargv = argv + 4;
    for (const char *s = file; *s; ++s)
        if (*s == '/') {
            long r = sys3(NR_EXECVE, (long)file, (long)cargv, (long)envp);
            fail(errfd, (int)-r, "exec ", file, 0, 0);
        }
    /* PATH search with the container's PATH, inside the container's root. */
    char buf[PATH_MAX_];
    int eacces = 0;
    unsigned long flen = len(file);
    const char *s = path;
    for (;;) {
        const char *e = s;
        while (*e && *e != ':') ++e;
        unsigned long dlen = (unsigned long)(e - s);
        if (dlen + 2 + flen < sizeof buf) {
            unsigned long n = 0;
            if (dlen == 0) buf[n++] = '.';
            for (unsigned long i = 0; i < dlen; ++i) buf[n++] = s[i];
            buf[n++] = '/';
            for (unsigned long i = 0; i <= flen; ++i) buf[n++] = file[i];
            long r = sys3(NR_EXECVE, (long)buf, (long)cargv, (long)envp);
            if (r == -E_ACCES)
                eacces = 1;
            else if (r != -E_NOENT && r != -E_NOTDIR && r != -E_LOOP)
                fail(errfd, (int)-r, "exec ", buf, 0, 0);
        }
        if (!*e) break;
        s = e + 1;
    }
    fail(errfd, eacces ? E_ACCES : E_NOENT, "exec ", file, ": not found in PATH=", path);
}
