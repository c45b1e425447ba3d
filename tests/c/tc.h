/*
 * Helpers of the C API tests (tests/c): checks, names, a busybox root, leak checks.
 * Each test is a C program linked only against libct.so; exit 0 = pass, 77 = skipped.
 */
#ifndef CT_CAPI_TC_H
#define CT_CAPI_TC_H

#include <libct.h>
#include <stdio.h>
#include <stdlib.h>

extern int tc_failures;

#define CHECK(cond, ...)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                            \
            fprintf(stderr, "\n");                                                   \
            tc_failures++;                                                           \
        }                                                                            \
    } while (0)

/* Fatal: the rest of the test cannot run. */
#define REQUIRE(cond, ...)                                                       \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: required: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                        \
            fprintf(stderr, "\n");                                               \
            exit(1);                                                             \
        }                                                                        \
    } while (0)

#define CHECK_OK(expr)                                 \
    do {                                               \
        int rc_ = (expr);                              \
        CHECK(rc_ == 0, "%s returned %d", #expr, rc_); \
    } while (0)

/* Starts a test: skips (exit 77) without root; logs libct's messages to stderr. */
void tc_init(void);
/* Ends a test: the leak checks of every name made with tc_name(), then the verdict. */
int tc_done(void);
/* Exits 77 with a reason. */
void tc_skip(const char *why);

/* A container name unique to this test process: "capi-<pid>-<tag>". The name is remembered
 * and checked for leftovers (cgroups, state) by tc_done(). */
const char *tc_name(const char *tag);
/* A copy of the busybox root filesystem, removed by tc_done(). */
const char *tc_rootfs(const char *tag);
/* A fresh host directory under /tmp, removed by tc_done(). */
const char *tc_tmpdir(const char *tag);

/* Runs a shell command on the host (the test's namespaces); returns its exit status. */
int tc_sh(const char *fmt, ...);
/* Reads a whole (small) file into a static buffer; NULL if it cannot be read. */
const char *tc_read(const char *path);
/* Reads `fd` to its end (a pipe whose writers are gone or going) into a static buffer,
 * closes it, and returns the text. */
const char *tc_drain(int fd);
/* 1 if a network device of that name exists in the test's namespace. */
int tc_link_exists(const char *name);
int tc_link_gone_soon(const char *name);
/* A MAP_SHARED page, zeroed: what a callback in a fork of the caller writes into. */
void *tc_shared(void);
/* The parent pid of `pid`, from /proc. */
int tc_ppid(int pid);

#endif
