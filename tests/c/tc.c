/* Helpers of the C API tests: see tc.h. */
#define _GNU_SOURCE
#include "tc.h"

#include <dirent.h>
#include <errno.h>
#include <libct-log-levels.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int tc_failures;

#define MAX_NAMES 32
static char names[MAX_NAMES][80];
static int nnames;
static char dirs[MAX_NAMES][128];
static int ndirs;
static char mounts_before[65536];
static char links_before[4096];

static void list_links(char *out, size_t len) {
    out[0] = 0;
    DIR *d = opendir("/sys/class/net");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && strlen(out) + strlen(e->d_name) + 2 < len) {
            strcat(out, e->d_name);
            strcat(out, " ");
        }
    closedir(d);
}

/* Mount points only (ids and options change when something remounts). */
static void list_mounts(char *out, size_t len) {
    out[0] = 0;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        char mp[2048];
        if (sscanf(line, "%*s %*s %*s %*s %2047s", mp) == 1 && strlen(out) + strlen(mp) + 2 < len) {
            strcat(out, mp);
            strcat(out, "\n");
        }
    }
    if (f) fclose(f);
}

void tc_skip(const char *why) {
    printf("SKIPPED: %s\n", why);
    exit(77);
}

void tc_init(void) {
    if (geteuid() != 0) tc_skip("the C API tests need root (namespaces, cgroups)");
    setvbuf(stdout, NULL, _IONBF, 0);
    libct_log_init(2, LOG_INFO);
    list_mounts(mounts_before, sizeof mounts_before);
    list_links(links_before, sizeof links_before);
}

const char *tc_name(const char *tag) {
    REQUIRE(nnames < MAX_NAMES, "too many names");
    snprintf(names[nnames], sizeof names[0], "capi-%d-%s", (int)getpid(), tag);
    return names[nnames++];
}

const char *tc_tmpdir(const char *tag) {
    REQUIRE(ndirs < MAX_NAMES, "too many directories");
    snprintf(dirs[ndirs], sizeof dirs[0], "/tmp/ct-capi-%d-%s", (int)getpid(), tag);
    tc_sh("rm -rf %s && mkdir -p %s", dirs[ndirs], dirs[ndirs]);
    return dirs[ndirs++];
}

const char *tc_rootfs(const char *tag) {
    static int built;
    if (!built) {
        REQUIRE(tc_sh("%s %s/tests/rootfs-busybox >/dev/null", CT_MKROOTFS, CT_TEST_BUILD_DIR) == 0,
                "cannot build the busybox rootfs");
        built = 1;
    }
    const char *d = tc_tmpdir(tag);
    REQUIRE(tc_sh("cp -a %s/tests/rootfs-busybox/. %s", CT_TEST_BUILD_DIR, d) == 0,
            "cannot copy the rootfs");
    return d;
}

int tc_sh(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

const char *tc_read(const char *path) {
    static char buf[65536];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

const char *tc_drain(int fd) {
    static char buf[65536];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;
    buf[n] = 0;
    close(fd);
    return buf;
}

int tc_link_exists(const char *name) {
    char p[256];
    snprintf(p, sizeof p, "/sys/class/net/%s", name);
    return access(p, F_OK) == 0;
}

/* A veth pair goes with its container's network namespace, which the kernel tears down
 * asynchronously: gone within seconds, not necessarily at once. */
int tc_link_gone_soon(const char *name) {
    for (int i = 0; i < 500 && tc_link_exists(name); i++) usleep(10000);
    return !tc_link_exists(name);
}

void *tc_shared(void) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED, "mmap");
    return p;
}

int tc_ppid(int pid) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/stat", pid);
    const char *s = tc_read(p);
    if (!s) return -1;
    const char *paren = strrchr(s, ')');
    int ppid = -1;
    if (paren) sscanf(paren + 2, "%*c %d", &ppid);
    return ppid;
}

static void check_no_children(void) {
    /* Zombies of ours are reaped here; a live child is a leak. */
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid = atoi(e->d_name);
        if (pid > 0 && tc_ppid(pid) == getpid())
            CHECK(0, "process %d (a child of the test) is left", pid);
    }
    if (d) closedir(d);
}

static void check_name_left(const char *name) {
    char p[4096];
    DIR *d = opendir("/sys/fs/cgroup");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "/sys/fs/cgroup/%s/%s", e->d_name, name);
        CHECK(access(p, F_OK) != 0, "cgroup %s is left", p);
    }
    if (d) closedir(d);
    snprintf(p, sizeof p, "/run/ct/linux/%s", name);
    CHECK(access(p, F_OK) != 0, "state %s is left", p);
}

/* The test runs in a mount and network namespace of its own (isolate.c): a new mount or
 * interface is its own. A mount gone is one it took away, unless its mount point is gone too:
 * whoever owned a mount copied in at the start removed the directory, which detaches the
 * copies in every namespace (other users' containers and engines come and go meanwhile). */

/* Each entry (separated by `sep`) of `a` that `b` lacks (as many times as it lacks it) is
 * handed to `report`. */
static void missing_from(const char *a, const char *b, char sep,
                         void (*report)(const char *entry)) {
    static char rest[65536];
    snprintf(rest, sizeof rest, "%s", b);
    for (const char *p = a; *p;) {
        const char *end = strchr(p, sep);
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char entry[2048];
        snprintf(entry, sizeof entry, "%.*s", (int)n, p);
        /* An entry of `rest` equal to this one, consumed (blanked) when found. */
        char *q = rest, *found = NULL;
        while (!found && *q) {
            char *qe = strchr(q, sep);
            size_t qn = qe ? (size_t)(qe - q) : strlen(q);
            if (qn == n && !strncmp(q, entry, n)) found = q;
            q += qn + (qe != NULL);
        }
        if (found)
            memset(found, '\t', n); /* no real entry holds a tab */
        else
            report(entry);
        p += n + (end != NULL);
    }
}

static void report_new_mount(const char *mp) {
    CHECK(0, "a mount is left: %s", mp);
}
static void report_gone_mount(const char *mp) {
    CHECK(access(mp, F_OK) != 0, "a mount is gone: %s", mp);
}
static int link_left;
static void report_new_link(const char *name) {
    (void)name;
    link_left = 1;
}

int tc_done(void) {
    check_no_children();
    for (int i = 0; i < nnames; i++) check_name_left(names[i]);
    static char now[65536];
    list_mounts(now, sizeof now);
    missing_from(now, mounts_before, '\n', report_new_mount);
    missing_from(mounts_before, now, '\n', report_gone_mount);
    char links[4096];
    for (int i = 0; i < 500; i++) { /* veths go with their netns, asynchronously */
        list_links(links, sizeof links);
        link_left = 0;
        missing_from(links, links_before, ' ', report_new_link);
        if (!link_left) break;
        usleep(10000);
    }
    CHECK(!link_left, "a network device is left: before '%s', after '%s'", links_before, links);
    for (int i = 0; i < ndirs; i++) tc_sh("rm -rf %s", dirs[i]);
    if (tc_failures) {
        printf("FAIL (%d checks)\n", tc_failures);
        return 1;
    }
    printf("PASS\n");
    return 0;
}
