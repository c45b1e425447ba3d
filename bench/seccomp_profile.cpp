// Prints libct's default seccomp profile in the OCI runtime spec's form, for the capabilities
// given as arguments (CAP_KILL ...; none: libct's default set), so that the OCI runtimes of
// compare.sh load the same filter a libct container does.
#include <iostream>

#include "ct/json.hpp"
#include "ct/spec.hpp"

int main(int argc, char **argv) {
    std::vector<std::string> caps(argv + 1, argv + argc);
    if (caps.empty()) caps = ct::default_capabilities();
    std::cout << ct::to_json(ct::default_seccomp_profile(caps)) << "\n";
}
