// A real "remote host" for the remote backend's tests and benchmark: a network namespace with a
// veth to it and its own addresses, and Debian's sshd running in it with a host key and an
// authorized key of its own. Every object is named ctrm-<pid>... and removed by the destructors.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ct::test::remote {

// Runs a shell command; returns its exit status (and its output in `out`, if given).
int sh(const std::string &cmd, std::string *out = nullptr);

// Keys for a test: a client key pair (authorized), a second one (not authorized), and a host
// key pair plus another host key (for "wrong host key").
struct Keys {
    explicit Keys(const std::string &dir);
    std::string dir, client, stranger, host, other_host;
    std::string pub(const std::string &key) const;  // the .pub line
};

class RemoteHost {
  public:
    RemoteHost();
    ~RemoteHost();
    RemoteHost(const RemoteHost &) = delete;
    RemoteHost &operator=(const RemoteHost &) = delete;

    const std::string &addr() const { return far_; }            // the far side's address
    const std::string &unused_addr() const { return unused_; }  // on the link, nobody there
    const std::string &netns() const { return ns_; }
    const std::string &near_dev() const { return near_dev_; }
    // Link up/down on the near side (a silent cut: no RST, no FIN).
    void set_link(bool up);

  private:
    std::string ns_, near_dev_, far_dev_, near_, far_, unused_;
};

class Sshd {
  public:
    // Starts sshd -D in the host's namespace on `port`; returns once it accepts connections.
    Sshd(const RemoteHost &host, const Keys &keys, int port, const std::string &dir);
    ~Sshd();
    Sshd(const Sshd &) = delete;
    Sshd &operator=(const Sshd &) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    // The listener and every session process it forked (not the commands they run).
    std::vector<pid_t> sshd_processes() const;
    // Processes running `exe` below this sshd (e.g. ct-agent).
    std::vector<pid_t> processes_of(const std::string &exe) const;
    // Kills every sshd process (listener and sessions) with SIGKILL; reaps the listener.
    void kill_all();
    bool running() const { return pid_ > 0; }
    // known_hosts line for this sshd with the host key `key`.
    std::string known_hosts_line(const std::string &host_key_pub) const;

  private:
    const RemoteHost &host_;
    int port_;
    pid_t pid_ = -1;
    std::string dir_;
};

// Process ids whose parent chain reaches `root` (excluding root).
std::vector<pid_t> descendants(pid_t root);

}  // namespace ct::test::remote
