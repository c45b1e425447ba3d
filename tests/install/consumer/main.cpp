// Lists the backends an installed libct finds on its own, and opens the default session.
#include <ct/ct.hpp>

#include <iostream>

int main() {
    int usable = 0;
    for (const auto &b : ct::list_backends()) {
        std::cout << b.name << " " << b.path
                  << (b.load_error.empty() ? "" : " ERROR " + b.load_error) << "\n";
        usable += b.load_error.empty();
    }
    try {
        auto s = ct::Session::open("linux:///?root=/run/ct-install-test");
        std::cout << "session " << s.uri() << " backend " << s.backend().name << " "
                  << s.backend().version << " (libct " << CT_VERSION << ")\n";
    } catch (const ct::Error &e) {
        std::cerr << "open failed: " << e.what() << "\n";
        return 1;
    }
    return usable >= 3 ? 0 : 1;
}
