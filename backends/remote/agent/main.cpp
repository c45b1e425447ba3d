// ct-agent: the far end of the remote backend. Run by the client through ssh, it speaks the
// remote protocol on its stdin/stdout and hosts the backend the client names (docs/remote.md).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "../protocol.hpp"
#include "server.hpp"

namespace {

void on_sigpipe(int) {}

int usage(const char *argv0) {
    std::fprintf(stderr,
                 "usage: %s [--protocol=MIN..MAX]\n"
                 "Serves libct's remote protocol on stdin/stdout; run by the remote backend "
                 "through ssh, not by hand.\n",
                 argv0);
    return 2;
}

}  // namespace

int main(int argc, char **argv) {
    unsigned pmin = ct::remote::kProtoMin, pmax = ct::remote::kProtoMax;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--version") {
            std::printf("ct-agent 0.1.0 (protocol %u..%u)\n", pmin, pmax);
            return 0;
        }
        // Narrows (or, to test refusals, shifts) the versions announced.
        if (a.rfind("--protocol=", 0) == 0 &&
            std::sscanf(a.c_str() + 11, "%u..%u", &pmin, &pmax) == 2 && pmin <= pmax)
            continue;
        return usage(argv[0]);
    }
    // A handler, not SIG_IGN: an ignored SIGPIPE would be inherited by container processes.
    struct sigaction sa {};
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, nullptr);
    // The link gets fds of its own; 0 and 1 become /dev/null and stderr, so that nothing a
    // backend prints can corrupt the protocol.
    int in = ::fcntl(0, F_DUPFD_CLOEXEC, 3), out = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (in < 0 || out < 0) {
        std::fprintf(stderr, "ct-agent: no stdin/stdout: %s\n", std::strerror(errno));
        return 1;
    }
    int nul = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(nul, 0);
    ::dup2(2, 1);
    ::close(nul);
    ct::remote::agent::Server server(in, out, pmin, pmax);
    return server.run();
}
