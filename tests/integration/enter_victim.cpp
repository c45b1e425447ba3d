// The host program of test_confinement.cpp's exe tests: it enters a running container the way
// any program using libct does, and is what a hostile container would like to overwrite.
//   enter_victim URI NAME exec CMD...   runs CMD in the container, exits with its status
//   enter_victim URI NAME fn SECONDS    runs a function of its own in the container (no exec)
// Run any other way (e.g. as the interpreter of a '#!/proc/self/exe' script inside the
// container, if the container could make it run there), it stays alive a few seconds, as a
// long-running host binary would.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "ct/ct.hpp"

namespace {
int g_seconds = 0;
int sleep_in_container(void *) {
    ::sleep(static_cast<unsigned>(g_seconds));
    return 0;
}
}  // namespace

int main(int argc, char **argv) {
    if (argc < 5 || std::strncmp(argv[1], "linux:", 6) != 0) {
        ::sleep(4);
        return 3;
    }
    try {
        auto session = ct::Session::open(argv[1]);
        auto c = session.get(argv[2]);
        ct::ProcessSpec p;
        ct::StartOptions o;
        if (std::strcmp(argv[3], "fn") == 0) {
            g_seconds = std::atoi(argv[4]);
            o.fn = sleep_in_container;
            p.args = {"fn"};  // not executed: fn runs instead
        } else {
            p.args.assign(argv + 4, argv + argc);
            p.env = {"PATH=/bin:/usr/bin"};
        }
        int64_t pid = c.exec(p, o);
        auto st = c.wait_process(pid);
        return st.signaled ? 128 + st.code : st.code;
    } catch (const std::exception &e) {
        std::cerr << "enter_victim: " << e.what() << "\n";
        return 125;
    }
}
