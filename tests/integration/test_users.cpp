// process.user by name, from the container's /etc/passwd and /etc/group, read without
// following links out of the rootfs.
#include <unistd.h>

#include <filesystem>

#include "fixture.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

class Users : public LinuxTest {
  protected:
    std::string rootfs_with_users(const std::string &tag) {
        auto d = private_rootfs("fssec-" + tag);
        temp_dirs_.push_back(d);
        write_text(d + "/etc/passwd",
                   "root:x:0:0:root:/root:/bin/sh\n"
                   "# a comment and a short line\nbroken:x\n"
                   "app:x:1234:2345:App:/:/bin/sh\n");
        write_text(d + "/etc/group",
                   "root:x:0:\napp:x:2345:\nextra:x:3456:app\nother:x:4567:root,app,zed\n"
                   "notmine:x:5678:zed\n");
        return d;
    }
};

TEST_F(Users, UserByNameGetsItsIdsAndGroups) {
    auto s = spec({"/bin/sh", "-c", "id -u; id -g; id -G"});
    s.rootfs = rootfs_with_users("byname");
    s.process.user.name = "app";
    EXPECT_EQ(run(s).out, "1234\n2345\n2345 3456 4567\n");

    s.process.user.group = "extra";  // the group by name replaces the primary gid
    EXPECT_EQ(run(s).out, "1234\n3456\n3456 4567\n");

    s.process.user = {};
    s.process.user.uid = 77;
    s.process.user.group = "other";
    EXPECT_EQ(run(s).out, "77\n4567\n4567\n");
}

TEST_F(Users, UnknownNamesAreClearErrorsAtCreate) {
    auto s = spec({"/bin/true"});
    s.rootfs = rootfs_with_users("unknown");
    s.process.user.name = "nobody-here";
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        EXPECT_NE(std::string(e.what()).find("process.user.name: no user 'nobody-here'"),
                  std::string::npos)
            << e.what();
    }
    s.process.user = {};
    s.process.user.group = "nogroup-here";
    EXPECT_THROW(session().create(s), Error);
    s.process.user = {5, 0, {}, "app", ""};  // both a uid and a name
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
    }
    EXPECT_TRUE(session().list().empty());
}

TEST_F(Users, PasswdLinkCannotReachTheHost) {
    // The rootfs's /etc/passwd is a link to a host file; followed on the host it would give
    // uid 777. Resolved inside the root, it finds the rootfs's own file at that path.
    std::string host = "/tmp/ct-fssec-" + std::to_string(getpid()) + "-evil";
    fs::create_directories(host);
    temp_dirs_.push_back(host);
    write_text(host + "/passwd", "app:x:777:777::/:/bin/sh\n");
    auto root = rootfs_with_users("evil");
    fs::remove(root + "/etc/passwd");
    fs::create_symlink(host + "/passwd", root + "/etc/passwd");
    auto s = spec({"/bin/sh", "-c", "id -u"});
    s.rootfs = root;
    s.process.user.name = "app";
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded: the link was followed to the host";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found) << e.what();
        EXPECT_NE(std::string(e.what()).find("etc/passwd"), std::string::npos) << e.what();
    }
    fs::create_directories(root + host);
    write_text(root + host + "/passwd", "app:x:555:555::/:/bin/sh\n");
    EXPECT_EQ(run(s).out, "555\n");
}

}  // namespace
}  // namespace ct::test
