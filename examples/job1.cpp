// job1.cpp: a container from C++ (docs/user-guide.md, "From C++").
#include <ct/ct.hpp>
#include <iostream>

int main() {
    auto session = ct::Session::open();  // $CT_CONNECT or linux:///
    ct::Spec spec;
    spec.name = "job1";
    spec.rootfs = "/srv/rootfs/busybox";
    spec.process.args = {"/bin/sh", "-c", "echo hi; exit 3"};
    spec.process.env = {"PATH=/bin"};
    spec.resources.memory = 64 << 20;
    try {
        auto c = session.create(spec);  // validated first; nothing made if invalid
        c.start();                      // returns once the command runs
        ct::ExitStatus st = c.wait();
        c.destroy();
        std::cout << "exit " << st.shell_code() << "\n";
    } catch (const ct::Error &e) {  // code() + a message naming what and why
        std::cerr << ct::errc_name(e.code()) << ": " << e.what() << "\n";
        return 1;
    }
}
