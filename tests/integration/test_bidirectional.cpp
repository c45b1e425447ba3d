// Bind mounts propagating both ways (option "bidirectional", Kubernetes' Bidirectional): a
// mount the container makes under the target appears on the host under the source, and only
// there; without the option nothing the container mounts reaches the host (the escape check);
// the refusals (a source on a private mount at create, a user namespace, a root propagation
// that would cut it off). The source is a directory bound onto itself and made shared by the
// fixture, which unmounts it again; the fixture of LinuxTest checks no other mount is left.
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

// The mount points whose filesystem source is `source` (mountinfo's field after " - type").
std::vector<std::string> mounts_from(const std::string &source) {
    std::vector<std::string> out;
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, dev, root, point, word;
        f >> id >> parent >> dev >> root >> point;
        while (f >> word && word != "-") {
        }
        std::string type, src;
        f >> type >> src;
        if (src == source) out.push_back(point);
    }
    return out;
}

class Bidirectional : public LinuxTest {
  protected:
    void SetUp() override {
        shared_ = "/tmp/ct-bidi-" + std::to_string(getpid());
        fs::remove_all(shared_);
        fs::create_directories(shared_ + "/sub");
        // A shared mount of its own, made before the fixture takes its note of the host's mounts.
        ASSERT_EQ(::mount(shared_.c_str(), shared_.c_str(), nullptr, MS_BIND, nullptr), 0);
        ASSERT_EQ(::mount(nullptr, shared_.c_str(), nullptr, MS_SHARED, nullptr), 0);
        LinuxTest::SetUp();
    }
    void TearDown() override {
        // What a failing test left propagated is the fixture's finding first, then goes.
        LinuxTest::TearDown();
        for (const char *tag : {tag_in_, tag_else_})
            for (const auto &p : mounts_from(tag)) ::umount2(p.c_str(), MNT_DETACH);
        ::umount2(shared_.c_str(), MNT_DETACH);
        fs::remove_all(shared_);
    }
    // A container that mounts a tmpfs under the bidirectional target and one elsewhere.
    Spec mounting(std::vector<std::string> options) {
        auto s = spec({"/bin/sh", "-c",
                       std::string("mount -t tmpfs ") + tag_in_ + " /shared/sub && echo in; " +
                           "mount -t tmpfs " + tag_else_ + " /tmp && echo else"});
        s.process.capabilities_add = {"CAP_SYS_ADMIN"};
        s.mounts = {{shared_, "/shared", "bind", std::move(options)}};
        return s;
    }
    // The propagated mount, unmounted here so that the fixture's check sees the host as it was.
    bool take_back_propagated() {
        auto points = mounts_from(tag_in_);
        for (const auto &p : points) ::umount2(p.c_str(), MNT_DETACH);
        return points == std::vector<std::string>{shared_ + "/sub"};
    }

    std::string shared_;
    const char *tag_in_ = "ct-bidi-in", *tag_else_ = "ct-bidi-else";
};

TEST_F(Bidirectional, AMountUnderTheTargetReachesTheHostAndNothingElse) {
    auto r = run(mounting({"rbind", "bidirectional"}));
    ASSERT_EQ(r.out, "in\nelse\n") << r.err;
    EXPECT_TRUE(mounts_from(tag_else_).empty()) << "a mount outside the target reached the host";
    EXPECT_TRUE(take_back_propagated())
        << "the container's mount under the target did not appear at " << shared_ << "/sub";
}

TEST_F(Bidirectional, EscapeWithoutTheOptionNothingGoesBack) {
    // The same container with a plain shared bind (libct's "rshared": its own peer group) and
    // with a plain rbind: its mounts stay its own.
    for (auto options :
         {std::vector<std::string>{"rbind", "rshared"}, std::vector<std::string>{"rbind"}}) {
        auto r = run(mounting(options));
        ASSERT_EQ(r.out, "in\nelse\n") << r.err;
        EXPECT_TRUE(mounts_from(tag_in_).empty()) << options.back() << ": reached the host";
        EXPECT_TRUE(mounts_from(tag_else_).empty()) << options.back() << ": reached the host";
    }
}

TEST_F(Bidirectional, TheHostsNewMountsReachTheContainer) {
    auto s = spec({"/bin/sh", "-c", "read x; stat -f -c %T /shared/sub"});
    s.mounts = {{shared_, "/shared", "bind", {"rbind", "bidirectional"}}};
    auto c = session().create(s);
    {
        Running r(c);
        ASSERT_EQ(::mount(tag_in_, (shared_ + "/sub").c_str(), "tmpfs", 0, nullptr), 0);
        auto res = r.finish();  // stdin closed: the container looks now
        EXPECT_EQ(res.out, "tmpfs\n") << res.err;
    }
    c.destroy();
    EXPECT_TRUE(take_back_propagated());
}

// A restore would give the mount a peer group of its own (CRIU makes them anew): the
// checkpoint is refused, naming the mount, and the container runs on untouched.
TEST_F(Bidirectional, CheckpointIsRefusedNamingTheMount) {
    auto s = spec({"/bin/sh", "-c", "read x; echo still-here"});
    s.mounts = {{shared_, "/shared", "bind", {"rbind", "bidirectional"}}};
    auto c = session().create(s);
    {
        Running r(c);
        std::string dir = "/tmp/ct-bidi-ckpt-" + std::to_string(getpid());
        try {
            c.checkpoint({dir, false, false, false});
            ADD_FAILURE() << "a container with a bidirectional bind was checkpointed";
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), Errc::unsupported);
            EXPECT_NE(std::string(e.what()).find("mounts[0] (/shared) is bidirectional"),
                      std::string::npos)
                << e.what();
        }
        EXPECT_FALSE(fs::exists(dir)) << "the refused checkpoint made its image directory";
        EXPECT_EQ(c.state(), State::running);
        EXPECT_EQ(r.finish().out, "still-here\n");
    }
    c.destroy();
}

TEST_F(Bidirectional, RefusedWhereItCannotBeOrMustNotBe) {
    auto refused = [&](Spec s, Errc code, const std::string &says) {
        try {
            session().create(s).destroy();
            ADD_FAILURE() << "created: " << says;
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), code) << e.what();
            EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
        }
    };
    // A source on a private mount (the machine's root is one; a directory of its own here).
    auto priv = "/tmp/ct-bidi-private-" + std::to_string(getpid());
    fs::create_directories(priv);
    temp_dirs_.push_back(priv);
    auto s = spec({"/bin/true"});
    s.mounts = {{priv, "/p", "bind", {"rbind", "bidirectional"}}};
    refused(s, Errc::invalid_spec, "mounts[0].options: 'bidirectional' needs its source");
    // From a user namespace the container's mounts would land in the host's namespace.
    s = mounting({"rbind", "bidirectional"});
    auto ns = s.effective_namespaces();
    ns.push_back({Namespace::user, {}});
    s.namespaces = ns;
    s.uid_map = {{0, 231072, 65536}};
    s.gid_map = {{0, 231072, 65536}};
    refused(s, Errc::invalid_spec, "cannot be used with a user namespace");
    // A recursive root propagation other than rshared would make it a slave again.
    s = mounting({"rbind", "bidirectional"});
    s.rootfs_propagation = "rslave";
    refused(s, Errc::invalid_spec, "cut off by rootfs_propagation 'rslave'");
    s = mounting({"rbind", "bidirectional", "rprivate"});
    refused(s, Errc::invalid_spec, "'bidirectional' and 'rprivate' exclude each other");
    s = spec({"/bin/true"});
    s.mounts = {{"", "/t", "tmpfs", {"bidirectional"}}};
    refused(s, Errc::invalid_spec, "only a bind mount can be bidirectional");
}

}  // namespace
}  // namespace ct::test
