// Child side of a process terminal: the pty comes from the container's own devpts instance, so
// the slave is a device of the container (its /dev/pts/N) and nothing of the host's is shared.
// Only system calls: no allocation between clone and exec.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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
    for (int i = 0; i < 3; ++i)
        if (::dup2(slave, i) < 0)
            fail(Msg() << "set up the terminal as stdio " << static_cast<long>(i), errno);
    if (int e = backend::send_fd(p.console_socket, master))
        fail(Msg() << "send the terminal over the console socket", e);
    ::close(master);
    ::close(slave);
}

}  // namespace ct::linux_native::child
