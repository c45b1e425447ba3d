// A started container that waits for the test: its stdin stays open until finish(), so the
// test can look at it from the host while it runs (a script ends with `read x` or `cat`).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "../common/host_ids.hpp"
#include "fixture.hpp"

namespace ct::test {

class Running {
  public:
    explicit Running(Container &c) : c_(c) {
        int ip[2], op[2], ep[2];
        if (pipe2(ip, O_CLOEXEC) || pipe2(op, O_CLOEXEC) || pipe2(ep, O_CLOEXEC))
            throw std::runtime_error("pipe");
        StartOptions o;
        o.stdio = {ip[0], op[1], ep[1]};
        try {
            pid_ = c.start(o);
        } catch (...) {
            for (int fd : {ip[0], ip[1], op[0], op[1], ep[0], ep[1]}) close(fd);
            throw;
        }
        close(ip[0]);
        close(op[1]);
        close(ep[1]);
        in_ = ip[1];
        out_ = op[0];
        err_ = ep[0];
    }
    Running(const Running &) = delete;
    ~Running() {
        if (in_ >= 0) finish();
    }
    int64_t pid() const { return pid_; }

    // Reads one line of the container's stdout (blocks until it comes).
    std::string line() {
        std::string s;
        char ch;
        while (read(out_, &ch, 1) == 1 && ch != '\n') s += ch;
        return s;
    }
    // Closes stdin, collects the rest of stdout and stderr, waits.
    RunResult finish() {
        close(in_);
        in_ = -1;
        RunResult r;
        r.out = drain(out_);
        r.err = drain(err_);
        r.status = c_.wait(std::chrono::seconds(60));
        return r;
    }

  private:
    static std::string drain(int fd) {
        std::string s;
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
        close(fd);
        return s;
    }
    Container &c_;
    int64_t pid_ = 0;
    int in_ = -1, out_ = -1, err_ = -1;
};

// Runs a host shell command; fails the test when it does not succeed.
inline void host_sh(const std::string &cmd) {
    int rc = std::system(cmd.c_str());
    ASSERT_EQ(rc, 0) << "host command failed: " << cmd;
}

}  // namespace ct::test
