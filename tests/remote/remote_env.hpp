// The remote host every test of the remote suite talks to: one network namespace with sshd per
// test process (ctest runs each test in a process of its own), set up before the first test and
// removed, with a check that nothing is left, after the last.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

namespace ct::test::remote {

struct Env {
    std::string dir;  // /tmp/ctrm-<pid>: keys, sshd config, known_hosts
    std::unique_ptr<Keys> keys;
    std::unique_ptr<RemoteHost> host;
    std::unique_ptr<Sshd> sshd;  // port 22
    std::string known_hosts;     // trusts sshd's host key (any port)
    std::string agent;           // ct-agent of this build
    dev_t netns_dev = 0;         // the far host's network namespace (it outlives its name)
    ino_t netns_ino = 0;

    // The ct-agent processes this test process started: this build's agent running in the far
    // host's network namespace (only our sshd runs there). Other ct-agents on the machine,
    // whatever their binary, are not ours to count.
    std::vector<pid_t> own_agents() const;

    // linux+ssh://root@<addr>[:port]/?agent=..&identity=..&known_hosts=..[&extra]
    std::string uri(const std::string &extra = "", int port = 22) const;
};

// Null when the suite cannot run here (not root); the tests skip then.
Env *env();

}  // namespace ct::test::remote
