// A key in the test's own session keyring that only its possessor may see: what a user keeps
// there (credentials of a network filesystem, a disk key), for the tests that check a
// container cannot see the keyring of the program that started it.
#pragma once

#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ct::test {

class SecretKey {
  public:
    // Joins a new session keyring ("ct-test"), so that the key lands nowhere a user looks.
    SecretKey() : description_("ct-test-secret-" + std::to_string(::getpid())) {
        if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "ct-test") < 0)
            throw std::runtime_error(std::string("join a session keyring: ") + strerror(errno));
        id_ =
            ::syscall(SYS_add_key, "user", description_.c_str(), "x", 1, KEY_SPEC_SESSION_KEYRING);
        const unsigned possessor_alone = 0x3f000000;  // the kernel's KEY_POS_ALL
        if (id_ < 0 || ::syscall(SYS_keyctl, KEYCTL_SETPERM, id_, possessor_alone) < 0)
            throw std::runtime_error(std::string("add a key: ") + strerror(errno));
    }
    ~SecretKey() { ::syscall(SYS_keyctl, KEYCTL_INVALIDATE, id_); }
    SecretKey(const SecretKey &) = delete;
    SecretKey &operator=(const SecretKey &) = delete;

    // A shell command printing 1 when the key is in sight (in /proc/keys), else 0.
    std::string probe() const { return "grep -c " + description_ + " /proc/keys"; }

  private:
    std::string description_;
    long id_ = -1;
};

}  // namespace ct::test
