// Bad input: a clear error naming the object and the cause, and nothing left behind (the
// fixture's TearDown checks state files, cgroups, mounts, processes).
#include <filesystem>
#include <functional>

#include "fixture.hpp"

namespace ct::test {
namespace {

class Errors : public LinuxTest {};

TEST_F(Errors, MissingRootfs) {
    auto s = spec({"/bin/true"});
    s.rootfs = "/no/such/rootfs";
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        std::string w = e.what();
        EXPECT_NE(w.find("rootfs /no/such/rootfs"), std::string::npos) << w;
        EXPECT_NE(w.find("No such file or directory"), std::string::npos) << w;
        EXPECT_NE(w.find("'" + s.name + "'"), std::string::npos) << w;
        EXPECT_NE(w.find("backend linux"), std::string::npos) << w;
    }
    EXPECT_TRUE(session().list().empty());
    EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty());
}

TEST_F(Errors, RootfsRemovedAfterCreate) {
    std::string root = private_rootfs("vanish");
    temp_dirs_.push_back(root);
    auto s = spec({"/bin/true"});
    s.rootfs = root;
    auto c = session().create(s);
    std::filesystem::remove_all(root);
    try {
        c.start();
        ADD_FAILURE() << "start succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        EXPECT_NE(std::string(e.what()).find(root), std::string::npos) << e.what();
    }
    EXPECT_EQ(c.state(), State::created);
    c.destroy();
}

TEST_F(Errors, InvalidSpecNamesTheField) {
    auto s = spec({"/bin/true"});
    s.resources.memory = 12;
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("resources.memory"), std::string::npos) << e.what();
    }
    auto empty = spec({});
    EXPECT_THROW(session().create(empty), Error);
    EXPECT_TRUE(session().list().empty());
}

TEST_F(Errors, MissingBindSource) {
    auto s = spec({"/bin/true"});
    s.mounts = {{"/no/such/source", "/data", "bind", {}}};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        EXPECT_NE(std::string(e.what()).find("mounts[0].source /no/such/source"), std::string::npos)
            << e.what();
    }
}

// What start would refuse, create refuses, naming the field: nothing is made first.
TEST_F(Errors, CreateRefusesWhatStartWould) {
    struct Case {
        const char *what;
        std::function<void(Spec &)> set;
        Errc code;
        std::vector<std::string> says;
    };
    const std::vector<Case> cases = {
        {"tmpfs option",
         [](Spec &s) {
             s.mounts = {{"tmpfs", "/data", "tmpfs", {"nosuid", "frob"}}};
         },
         Errc::invalid_spec,
         {"mounts[0].options", "'frob'", "Unknown parameter"}},
        {"tmpfs value",
         [](Spec &s) {
             s.mounts = {{"tmpfs", "/data", "tmpfs", {"size=lots"}}};
         },
         Errc::invalid_spec,
         {"mounts[0].options", "'size=lots'", "Bad value"}},
        {"bind option",
         [](Spec &s) {
             s.mounts = {{"/tmp", "/data", "bind", {"frob"}}};
         },
         Errc::invalid_spec,
         {"mounts[0].options", "'frob'"}},
        {"filesystem type",
         [](Spec &s) {
             s.mounts = {{"x", "/data", "nosuchfs", {}}};
         },
         Errc::unsupported,
         {"mounts[0].type", "nosuchfs"}},
        {"a file bound onto a directory of the rootfs",
         [](Spec &s) {
             s.mounts = {{"/etc/hostname", "/bin", "bind", {}}};
         },
         Errc::invalid_spec,
         {"mounts[0]", "/etc/hostname is not a directory", "/bin is one"}},
        {"a directory bound onto a file of the rootfs",
         [](Spec &s) {
             s.mounts = {{"/tmp", "/etc/passwd", "bind", {}}};
         },
         Errc::invalid_spec,
         {"mounts[0]", "/etc/passwd is a file", "a directory is mounted"}},
        {"a tmpfs on a file of the rootfs",
         [](Spec &s) {
             s.mounts = {{"tmpfs", "/etc/passwd", "tmpfs", {}}};
         },
         Errc::invalid_spec,
         {"mounts[0]", "/etc/passwd is a file", "a tmpfs filesystem"}},
        {"a mount point under a file of the rootfs",
         [](Spec &s) {
             s.mounts = {{"/tmp", "/etc/passwd/data", "bind", {}}};
         },
         Errc::invalid_spec,
         {"mounts[0]", "/etc/passwd/data is under a file"}},
        {"a sysctl this kernel does not have",
         [](Spec &s) { s.sysctl["net.ipv4.no_such_knob"] = "1"; },
         Errc::invalid_spec,
         {"sysctl.net.ipv4.no_such_knob", "no such sysctl"}},
        {"net namespace path is a regular file",
         [](Spec &s) {
             s.namespaces = {{Namespace::mount, ""}, {Namespace::net, "/etc/passwd"}};
         },
         Errc::invalid_spec,
         {"namespace net path /etc/passwd", "not a namespace file"}},
        {"net namespace path of another type",
         [](Spec &s) {
             s.namespaces = {{Namespace::mount, ""}, {Namespace::net, "/proc/self/ns/uts"}};
         },
         Errc::invalid_spec,
         {"namespace net path /proc/self/ns/uts", "is a uts namespace, not net"}},
    };
    for (const auto &c : cases) {
        auto s = spec({"/bin/true"});
        c.set(s);
        try {
            session().create(s);
            ADD_FAILURE() << c.what << ": create succeeded";
            session().get(s.name).destroy();
        } catch (const Error &e) {
            EXPECT_EQ(e.code(), c.code) << c.what << ": " << e.what();
            for (const auto &w : c.says)
                EXPECT_NE(std::string(e.what()).find(w), std::string::npos)
                    << c.what << ": " << e.what();
        }
        EXPECT_TRUE(session().list().empty()) << c.what;
        EXPECT_TRUE(cgroup_dirs_for(cgroup_parent_, s.name).empty()) << c.what;
    }
    // Options the filesystem knows still pass, and the namespace file of the right type; a
    // file onto a file, a directory onto a directory or a missing mount point (made by the
    // start), mounts under another mount (in it, not the rootfs), an interface's sysctl.
    auto ok = spec({"/bin/true"});
    ok.mounts = {{"tmpfs", "/data", "tmpfs", {"nosuid", "size=1m", "mode=700"}},
                 {"/etc/hostname", "/etc/passwd", "bind", {}},
                 {"/tmp", "/bin", "bind", {}},
                 {"/etc/hostname", "/data/passwd/x", "bind", {}},
                 {"/etc/hostname", "/new/file", "bind", {}}};
    ok.namespaces = {{Namespace::mount, ""}, {Namespace::uts, "/proc/self/ns/uts"}};
    auto c = session().create(ok);
    c.destroy();
    auto iface = spec({"/bin/true"});
    iface.sysctl["net.ipv4.conf.eth7.forwarding"] = "0";
    session().create(iface).destroy();
}

TEST_F(Errors, UnknownBackendAndBadUri) {
    try {
        Session::open("nosuch:///");
        ADD_FAILURE() << "open succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::abi);
        std::string w = e.what();
        EXPECT_NE(w.find("'nosuch'"), std::string::npos) << w;
        for (const auto &d : backend_search_path()) EXPECT_NE(w.find(d), std::string::npos) << w;
    }
    try {
        Session::open("linux:///?bogus=1");
        ADD_FAILURE() << "open succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos) << e.what();
    }
}

TEST_F(Errors, UnknownContainer) {
    try {
        session().get("no-such-container");
        ADD_FAILURE() << "get succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        EXPECT_NE(std::string(e.what()).find("no-such-container"), std::string::npos);
    }
}

TEST_F(Errors, NotYetSupportedFeaturesAreRefusedNotIgnored) {
    // What the backend does not do yet is refused as unsupported, naming it, before anything
    // changes: here, checkpointing a container with a user namespace.
    auto s = spec({"/bin/sleep", "100"});
    s.namespaces = default_namespaces();
    s.namespaces->push_back({Namespace::user, {}});
    s.uid_map = {{0, 100000, 65536}};
    s.gid_map = {{0, 100000, 65536}};
    auto c = session().create(s);
    c.start(StartOptions{{-1, -1, -1}, true});
    try {
        c.checkpoint({"/tmp/ct-it-never-made"});
        ADD_FAILURE() << "checkpoint succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::unsupported) << e.what();
        EXPECT_NE(std::string(e.what()).find("not supported"), std::string::npos) << e.what();
    }
    EXPECT_EQ(c.state(), State::running);
    c.destroy(true);
}

}  // namespace
}  // namespace ct::test
