/* What a container's process sends back on its error pipe when a step between clone and the
 * command's exec fails. Plain C: the exec stub (exec_stub.c), which has no C++ runtime, writes
 * it too. */
#ifndef CT_LINUX_CHILD_FAILURE_H
#define CT_LINUX_CHILD_FAILURE_H

struct ct_child_failure {
    int err;
    int is_exec; /* 1: executing the command failed (ENOENT...), 0: a setup step failed;
                  * CT_CHILD_SYNC / CT_CHILD_WAITING: not a failure (launch/child_hooks.cpp) */
    char what[480];
};

/* is_exec values of messages that are not failures: the child waits for the parent's "go" on
 * its go pipe before entering its root (the parent runs the create hooks meanwhile); the child
 * is set up and waits for its deferred start. */
#define CT_CHILD_SYNC 2
#define CT_CHILD_WAITING 3

/* argv[0] of the exec stub: the marker that tells it the rest of argv is laid out by libct
 * ([1] error pipe fd, [2] PATH, [3] the command's file, [4...] its argv). */
#define CT_EXEC_STUB_MARKER "ct-exec-stub"

#endif
