// Child side of a process terminal: the pty comes from the container's own devpts instance, so
// the slave is a device of the container (its /dev/pts/N) and nothing of the host's is shared.
// Only system calls: no allocation between clone and exec.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "ct/backend/fd_passing.hpp"
#include "launch/child_util.hpp"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace ct::linux_native::child {
namespace {

// The OCI runtime spec's /dev/console of a container with a terminal: its pty, bound over a
// file in /dev. Only for the init of a container with a mount namespace of its own (an exec
// shares the init's). The target is opened without following a link: the image's /dev may be
// hostile, and a bind through a symlink would land wherever it points.
void bind_dev_console(const LaunchPlan &p, int slave) {
    if (!p.new_mountns || p.root_fd) return;
    int dev = ::open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dev < 0) return;  // no /dev at all: nothing to put it in
    int target =
        ::openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (target < 0 && errno == EEXIST)
        target = ::openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    ::close(dev);
    if (target < 0 && e == EROFS) return;  // a read-only /dev of the image's
    if (target < 0) fail(Msg() << "create /dev/console for the terminal", e);
    struct stat st {};
    if (::fstat(target, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
        fail(Msg() << "bind the terminal on /dev/console: it is not a file or a device", ELOOP);
    if (::mount(FdPath(slave).c_str(), FdPath(target).c_str(), nullptr, MS_BIND, nullptr) < 0)
        fail(Msg() << "bind the terminal on /dev/console", errno);
    ::close(target);
}

}  // namespace

void setup_console(const LaunchPlan &p) {
    // /dev/pts/ptmx is the multiplexer of the devpts mounted in the container; /dev/ptmx is the
    // fallback for a root that set up its own /dev.
    int master = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 && errno == ENOENT) master = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        fail(Msg() << "allocate a terminal (open /dev/pts/ptmx in the container)", errno);
    int unlock = 0;
    CHECK(::ioctl(master, TIOCSPTLCK, &unlock), "unlock the terminal");
    if (p.console_rows || p.console_cols) {
        struct winsize ws {};
        ws.ws_row = p.console_rows;
        ws.ws_col = p.console_cols;
        CHECK(::ioctl(master, TIOCSWINSZ, &ws), "set the terminal's size");
    }
    // The slave straight from the master (no path lookup, no race on /dev/pts/N).
    int slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) fail(Msg() << "open the terminal's slave side", errno);
    // Its user owns their terminal, as after a login (the group stays devpts' tty group).
    CHECK(::fchown(slave, p.uid, static_cast<gid_t>(-1)),
          "give the terminal to the process's user");
    // A session leader without a terminal (setsid earlier): the slave becomes its terminal.
    CHECK(::ioctl(slave, TIOCSCTTY, 0), "make the terminal the controlling terminal");
    bind_dev_console(p, slave);
    for (int i = 0; i < 3; ++i)
        if (::dup2(slave, i) < 0)
            fail(Msg() << "set up the terminal as stdio " << static_cast<long>(i), errno);
    if (int e = backend::send_fd(p.console_socket, master))
        fail(Msg() << "send the terminal over the console socket", e);
    ::close(master);
    ::close(slave);
}

}  // namespace ct::linux_native::child
