// Child side of an exec into a running container, between joining its namespaces and running
// the command: the fork that enters the pid namespace, and the container's root. And the
// command's lookup a deferred start makes before it waits.
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "launch/child_util.hpp"

namespace ct::linux_native::child {

void fork_into_namespaces(const LaunchPlan &p) {
    // setns() into a pid or time namespace only decides where children go. CLONE_PARENT makes
    // the fork a child of the caller (the session, or a detached exec's monitor), which can
    // then wait for it like for any process it started; the intermediate just exits.
    struct clone_args a {};
    a.flags = CLONE_PARENT;
    a.exit_signal = 0;  // CLONE_PARENT: the kernel uses ours (SIGCHLD)
    long pid = ::syscall(SYS_clone3, &a, sizeof a);
    if (pid < 0) fail(Msg() << "fork into the container's pid namespace", errno);
    if (pid > 0) {
        pid_t real = static_cast<pid_t>(pid);
        ssize_t w = ::write(p.report_fd, &real, sizeof real);
        ::_exit(w == static_cast<ssize_t>(sizeof real) ? 0 : 1);
    }
    ::close(p.report_fd);
    // The intermediate led the session; this process leads its own (for a controlling tty).
    ::setsid();
}

void enter_root(const LaunchPlan &p) {
    // init's root, opened before the namespaces were joined: right whether the container
    // pivoted in its own mount namespace or was only chrooted.
    CHECK(::fchdir(p.root_fd.get()), "enter the container's root (fchdir)");
    CHECK(::chroot("."), "enter the container's root (chroot)");
    CHECK(::chdir("/"), "chdir /");
}

void find_command(const LaunchPlan &p) {
    if (p.fn || p.args.empty()) return;
    const char *file = p.args[0].c_str();
    if (std::strchr(file, '/')) {
        if (::faccessat(AT_FDCWD, file, X_OK, AT_EACCESS) < 0)
            fail(Msg() << "exec " << file, errno, true);
        return;
    }
    // The exec stub's search (security/exec_stub.c): each PATH entry, "" meaning ".".
    bool eacces = false;
    char buf[PATH_MAX];
    size_t flen = std::strlen(file);
    for (const char *s = p.path_env.c_str();;) {
        const char *e = std::strchr(s, ':');
        size_t dlen = e ? static_cast<size_t>(e - s) : std::strlen(s);
        if (dlen + 2 + flen < sizeof buf) {
            size_t n = 0;
            if (dlen == 0) buf[n++] = '.';
            std::memcpy(buf + n, s, dlen);
            n += dlen;
            buf[n++] = '/';
            std::memcpy(buf + n, file, flen + 1);
            struct stat st;
            if (::stat(buf, &st) == 0) {
                if (!S_ISDIR(st.st_mode) && ::faccessat(AT_FDCWD, buf, X_OK, AT_EACCESS) == 0)
                    return;
                eacces = true;  // a directory, or not executable: execve says EACCES
            } else {
                eacces |= errno == EACCES;
            }
        }
        if (!e) break;
        s = e + 1;
    }
    fail(Msg() << "exec " << file << ": not found in PATH=" << p.path_env, eacces ? EACCES : ENOENT,
         true);
}

}  // namespace ct::linux_native::child
