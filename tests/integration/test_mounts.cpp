// Mounts inside the container (bind ro/rw, recursive, tmpfs and the kernel filesystems,
// propagation), mount targets that never leave the root through a link, and the private
// area types (dir, overlay). The fixture checks after each test that the host's mount table
// is exactly as before.
#include <pty.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>

#include "running.hpp"

namespace fs = std::filesystem;

namespace ct::test {
namespace {

class Mounts : public LinuxTest {
  protected:
    // A host directory for this test, removed by the fixture.
    std::string host_dir(const std::string &tag) {
        std::string d = "/tmp/ct-fssec-" + std::to_string(getpid()) + "-" + tag;
        fs::remove_all(d);
        fs::create_directories(d);
        temp_dirs_.push_back(d);
        return d;
    }
    std::string rootfs_copy(const std::string &tag) {
        auto d = private_rootfs("fssec-" + tag);
        temp_dirs_.push_back(d);
        return d;
    }
};

TEST_F(Mounts, BindReadOnlyAndReadWrite) {
    auto src = host_dir("bind");
    write_text(src + "/hello", "from host\n");
    auto s = spec({"/bin/sh", "-c",
                   "cat /ro/hello; echo a > /rw/made-rw && echo rw-ok; "
                   "echo b > /ro/made-ro 2>/dev/null && echo ro-WRITABLE || echo ro-refused"});
    s.mounts = {{src, "/ro", "bind", {"ro"}}, {src, "/rw", "bind", {"rw"}}};
    auto r = run(s);
    EXPECT_EQ(r.out, "from host\nrw-ok\nro-refused\n") << r.err;
    EXPECT_TRUE(fs::exists(src + "/made-rw"));
    EXPECT_FALSE(fs::exists(src + "/made-ro"));
}

TEST_F(Mounts, RecursiveBindCarriesSubmountsReadOnly) {
    auto src = host_dir("rbind");
    fs::create_directories(src + "/sub");
    host_sh("mount -t tmpfs -o size=1m ct-fssec-sub " + src + "/sub && echo x > " + src +
            "/sub/marker");
    // Default (rbind) with ro: the submount comes along and is read-only too (a plain
    // MS_REMOUNT would only have made the top mount read-only). "bind": no submount.
    auto s = spec({"/bin/sh", "-c",
                   "cat /r/sub/marker; echo y > /r/sub/w 2>/dev/null && echo sub-WRITABLE || "
                   "echo sub-refused; ls /b/sub | wc -l"});
    s.mounts = {{src, "/r", "bind", {"ro"}}, {src, "/b", "bind", {"bind", "ro"}}};
    auto r = run(s);
    host_sh("umount " + src + "/sub");
    EXPECT_EQ(r.out, "x\nsub-refused\n0\n") << r.err;
}

TEST_F(Mounts, TmpfsAndKernelFilesystems) {
    // A pty of the host: a new devpts instance must not show it.
    int master = -1, slave = -1;
    ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    auto s = spec({"/bin/sh", "-c",
                   "grep -E ' /(scratch|proc|sys|dev/pts|dev/mqueue|mq) ' /proc/self/mountinfo | "
                   "awk '{print $5, $6, $9}'; ls /dev/pts; touch /sys/x 2>/dev/null || echo "
                   "sys-ro; echo z > /scratch/f && echo tmpfs-rw"});
    s.mounts = {{"", "/scratch", "tmpfs", {"size=1m", "mode=1777", "nosuid"}},
                {"", "/mq", "mqueue", {}}};
    auto r = run(s);
    close(master);
    close(slave);
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    EXPECT_NE(r.out.find("/proc rw,nosuid,nodev,noexec,relatime proc"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("/sys ro,nosuid,nodev,noexec,relatime sysfs"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("/dev/pts rw,nosuid,noexec,relatime devpts"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("/dev/mqueue rw,nosuid,nodev,noexec,relatime mqueue"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("/scratch rw,nosuid,relatime tmpfs"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("/mq rw,relatime mqueue"), std::string::npos) << r.out;
    // devpts is a new instance: only its ptmx, not the host's pty.
    EXPECT_NE(r.out.find("\nptmx\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("sys-ro\ntmpfs-rw\n"), std::string::npos) << r.out;
}

TEST_F(Mounts, HostileSymlinksCannotRedirectMountsOutOfTheRoot) {
    // The host directory the rootfs's links point at, absolutely and by climbing with "..".
    auto outside = host_dir("outside");
    auto src = host_dir("src");
    write_text(src + "/f", "bound\n");
    auto root = rootfs_copy("hostile");
    fs::create_symlink(outside, root + "/abs");
    fs::create_symlink("../../../../../../../../.." + outside, root + "/up");
    // Even /proc and /dev, which the backend mounts itself.
    fs::remove_all(root + "/proc");
    fs::create_symlink(outside + "/proc", root + "/proc");
    fs::remove_all(root + "/dev");
    fs::create_symlink("../../../../.." + outside + "/dev", root + "/dev");
    auto s = spec({"/bin/sh", "-c",
                   "cat /abs/b/f; ls /proc | grep -c '^[0-9]'; echo x > /dev/null && "
                   "echo dev-ok; grep -c tmpfs /proc/self/mountinfo"});
    s.rootfs = root;
    s.mounts = {
        {"", "/abs/t", "tmpfs", {}}, {"", "/up/u", "tmpfs", {}}, {src, "/abs/b", "bind", {}}};
    auto r = run(s);
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "bound") << r.out << r.err;
    EXPECT_NE(r.out.find("dev-ok"), std::string::npos) << r.out;
    // Nothing was made on the host side of the links: everything resolved inside the root.
    EXPECT_TRUE(fs::is_empty(outside)) << "a mount target escaped the rootfs into " << outside;
    for (const char *made : {"/t", "/u", "/b", "/proc", "/dev"})
        EXPECT_TRUE(fs::is_directory(root + outside + made)) << made;
}

TEST_F(Mounts, PropagationSlaveSeesHostMountsPrivateDoesNot) {
    auto src = host_dir("prop");
    auto ctl = host_dir("ctl");
    fs::create_directories(src + "/sub");
    // The source must be a shared mount on the host for events to propagate at all.
    host_sh("mount --bind " + src + " " + src + " && mount --make-shared " + src);
    std::string script =
        "touch /ctl/ready-$0; while [ ! -e /ctl/go ]; do sleep 0.01; done; "
        "cat /data/sub/marker 2>/dev/null || echo unseen";
    auto a = spec({"/bin/sh", "-c", script, "slave"});
    a.mounts = {{src, "/data", "bind", {"rslave"}}, {ctl, "/ctl", "bind", {}}};
    auto b = spec({"/bin/sh", "-c", script, "private"});
    b.mounts = {{src, "/data", "bind", {"rprivate"}}, {ctl, "/ctl", "bind", {}}};
    auto ca = session().create(a);
    auto cb = session().create(b);
    RunResult ra, rb;
    {
        Running runa(ca), runb(cb);
        for (int i = 0;
             i < 500 && !(fs::exists(ctl + "/ready-slave") && fs::exists(ctl + "/ready-private"));
             ++i)
            usleep(10000);
        host_sh("mount -t tmpfs -o size=1m ct-fssec-prop " + src + "/sub && echo seen > " + src +
                "/sub/marker && touch " + ctl + "/go");
        ra = runa.finish();
        rb = runb.finish();
    }
    host_sh("umount " + src + "/sub && umount " + src);
    ca.destroy();
    cb.destroy();
    EXPECT_EQ(ra.out, "seen\n") << ra.err;
    EXPECT_EQ(rb.out, "unseen\n") << rb.err;
}

TEST_F(Mounts, PrivateAreaDirIsTheRoot) {
    auto mnt = host_dir("dir-mnt");  // the mount point: stays empty on the host
    auto area = rootfs_copy("dir-area");
    auto s = spec({"/bin/sh", "-c", "echo mine > /written; ls /bin/busybox"});
    s.rootfs = mnt;
    s.private_area = {"dir", area, {}, {}};
    auto r = run(s);
    EXPECT_EQ(r.out, "/bin/busybox\n") << r.err;
    EXPECT_EQ(read_text(area + "/written"), "mine\n");
    EXPECT_TRUE(fs::is_empty(mnt));
}

TEST_F(Mounts, OverlayWritesGoToTheUpperDirAndNothingIsMountedOnTheHost) {
    auto mnt = host_dir("ovl-mnt");
    auto upper = host_dir("ovl-upper");
    auto work = host_dir("ovl-work");
    auto s = spec({"/bin/sh", "-c",
                   "echo new > /etc/added; rm /bin/true; awk '$5 == \"/\" {print $9}' "
                   "/proc/self/mountinfo; read x; true"});
    s.rootfs = mnt;
    s.private_area = {"overlay", upper, {busybox_rootfs()}, work};
    auto c = session().create(s);
    RunResult r;
    {
        Running run(c);
        EXPECT_EQ(run.line(), "overlay");
        // While it runs, the host has no overlay mount: it lives in the container's mount
        // namespace only.
        EXPECT_EQ(read_text("/proc/self/mountinfo").find(mnt), std::string::npos);
        EXPECT_EQ(read_text("/proc/self/mountinfo").find(upper), std::string::npos);
        r = run.finish();
    }
    c.destroy();
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    EXPECT_EQ(read_text(upper + "/etc/added"), "new\n");
    // The lower layer is untouched: the file was deleted with a whiteout in the upper dir.
    EXPECT_FALSE(fs::exists(busybox_rootfs() + "/etc/added"));
    EXPECT_TRUE(fs::exists(busybox_rootfs() + "/bin/true"));
    struct stat st {};
    ASSERT_EQ(lstat((upper + "/bin/true").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
    EXPECT_TRUE(fs::is_empty(mnt));
}

TEST_F(Mounts, OverlayFailedStartLeavesNothing) {
    auto mnt = host_dir("ovl2-mnt");
    auto upper = host_dir("ovl2-upper");
    auto work = host_dir("ovl2-work");
    auto s = spec({"/no/such/command"});
    s.rootfs = mnt;
    s.private_area = {"overlay", upper, {busybox_rootfs()}, work};
    auto c = session().create(s);
    try {
        run_captured(c);
        ADD_FAILURE() << "start succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::exec) << e.what();
    }
    c.destroy();
    // (The fixture checks that the host's mount table is unchanged.)
}

TEST_F(Mounts, PrivateAreaErrorsNameTheField) {
    auto upper = host_dir("ovl3-upper");
    auto s = spec({"/bin/true"});
    s.private_area = {"overlay", upper, {busybox_rootfs()}, "/dev/shm"};  // another filesystem
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(std::string(e.what()).find("private.work"), std::string::npos) << e.what();
    }
    s.private_area = {"loop", upper + "/image", {}, {}};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::unsupported);
        EXPECT_NE(std::string(e.what()).find("'loop'"), std::string::npos) << e.what();
    }
    s.private_area = {"overlay", upper, {"/no/such/lower"}, host_dir("ovl3-work")};
    try {
        session().create(s);
        ADD_FAILURE() << "create succeeded";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::not_found);
        EXPECT_NE(std::string(e.what()).find("private.lower[0]"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(session().list().empty());
}

// tmpcopyup (runc's extension; Podman and Docker give it to every --tmpfs): the tmpfs starts
// with what the directory it covers held — files, directories, links, nodes, with their
// modes, owners and times — and takes the directory's own mode and owner; the host's directory
// is not touched. Links are copied as links, never followed (the rootfs is the container's).
TEST_F(Mounts, TmpCopyUpFillsTheTmpfsWithTheDirectory) {
    auto root = rootfs_copy("copyup");
    fs::create_directories(root + "/srv/sub/deeper");
    write_text(root + "/srv/file", "kept\n");
    write_text(root + "/srv/sub/deeper/f", "deep\n");
    host_sh("chmod 4755 " + root + "/srv/file && chown 7:8 " + root + "/srv/sub && chmod 0751 " +
            root + "/srv && ln -s /etc/shadow-of-the-host " + root + "/srv/link && mkfifo " + root +
            "/srv/fifo && touch -d 2001-02-03 " + root + "/srv/sub/deeper/f");
    auto s = spec({"/bin/sh", "-c",
                   "cat /srv/file /srv/sub/deeper/f; stat -c '%a %u:%g %n' /srv /srv/file "
                   "/srv/sub; readlink /srv/link; stat -c '%F' /srv/fifo; "
                   "date -r /srv/sub/deeper/f +%Y; echo new > /srv/new && echo written; "
                   "grep -c ' /srv .* - tmpfs ' /proc/self/mountinfo"});
    s.rootfs = root;
    s.mounts = {{"", "/srv", "tmpfs", {"size=1m", "tmpcopyup"}}};
    auto r = run(s);
    EXPECT_EQ(r.status, (ExitStatus{false, 0})) << r.err;
    EXPECT_EQ(r.out,
              "kept\ndeep\n751 0:0 /srv\n4755 0:0 /srv/file\n755 7:8 /srv/sub\n"
              "/etc/shadow-of-the-host\nfifo\n2001\nwritten\n1\n")
        << r.err;
    EXPECT_FALSE(fs::exists(root + "/srv/new")) << "the write went to the host's directory";

    // Read-only: filled, then made read-only.
    s = spec({"/bin/sh", "-c", "cat /srv/file; echo x > /srv/x 2>/dev/null || echo ro"});
    s.rootfs = root;
    s.mounts = {{"", "/srv", "tmpfs", {"ro", "tmpcopyup"}}};
    r = run(s);
    EXPECT_EQ(r.out, "kept\nro\n") << r.err;

    // Only a tmpfs takes it.
    s.mounts = {{"", "/srv", "proc", {"tmpcopyup"}}};
    try {
        session().create(s);
        ADD_FAILURE() << "tmpcopyup on proc was accepted";
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), Errc::invalid_spec);
        EXPECT_NE(
            std::string(e.what()).find("mounts[0].options: 'tmpcopyup' only applies to tmpfs"),
            std::string::npos)
            << e.what();
    }
}

// A spec mount on /dev/shm (engines give every container one) replaces the default tmpfs
// there instead of covering it.
TEST_F(Mounts, ASpecMountOnDevShmReplacesTheDefaultOne) {
    auto s = spec({"/bin/sh", "-c",
                   "grep ' /dev/shm ' /proc/self/mountinfo | grep -oE 'size=[0-9]+k'; "
                   "stat -c %a /dev/shm"});
    s.mounts = {{"", "/dev/shm", "tmpfs", {"size=2m", "mode=1777"}}};
    auto r = run(s);
    EXPECT_EQ(r.out, "size=2048k\n1777\n") << r.err;
    s.mounts.clear();
    r = run(s);
    EXPECT_EQ(r.out, "size=65536k\n1777\n") << r.err;
}

// A sysfs of the spec's at /sys (what a privileged engine container asks for: read-write)
// replaces the read-only default instead of failing the start (the kernel refuses the same
// sysfs twice on one mount point); the default masks still cover it. Without it, /sys stays
// read-only (Confinement.SysfsStaysReadOnly tries to write through it).
TEST_F(Mounts, ASpecSysfsOnSysReplacesTheReadOnlyDefault) {
    auto s = spec({"/bin/sh", "-c",
                   "awk '$5 == \"/sys\" {print $6}' /proc/self/mountinfo | cut -c1-3; "
                   "awk '$5 == \"/sys/firmware\" {print $9}' /proc/self/mountinfo"});
    // rw: a privileged container's (CAP_SYS_ADMIN; Confinement tests the others' refusal).
    s.mounts = {{"", "/sys", "sysfs", {"rw", "nosuid", "nodev", "noexec"}}};
    s.process.capabilities_add = {"CAP_SYS_ADMIN"};
    auto r = run(s);
    EXPECT_EQ(r.status.shell_code(), 0) << r.err;
    EXPECT_EQ(r.out, "rw,\ntmpfs\n") << r.err;  // one sysfs there, the spec's, masked
    s.process.capabilities_add.clear();
    s.mounts = {{"", "/sys/", "sysfs", {"ro"}}};
    EXPECT_EQ(run(s).out, "ro,\ntmpfs\n");
    s.mounts.clear();
    EXPECT_EQ(run(s).out, "ro,\ntmpfs\n");
}

// A tree too big for the tmpfs fails the start naming the mount; nothing is left.
TEST_F(Mounts, TmpCopyUpThatDoesNotFitFailsTheStart) {
    auto root = rootfs_copy("copyup-big");
    fs::create_directories(root + "/big");
    host_sh("head -c 2097152 /dev/zero > " + root + "/big/blob");
    auto s = spec({"/bin/true"});
    s.rootfs = root;
    s.mounts = {{"", "/big", "tmpfs", {"size=1m", "tmpcopyup"}}};
    auto c = session().create(s);
    try {
        c.start();
        ADD_FAILURE() << "a 2 MiB tree went into a 1 MiB tmpfs";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("tmpcopyup of /big: copy blob"), std::string::npos)
            << e.what();
    }
    c.destroy(true);
}

}  // namespace
}  // namespace ct::test
