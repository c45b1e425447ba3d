"""Fixtures of the Python binding tests: a busybox rootfs, and per test a private state root
and cgroup parent, with the same leak checks as tests/integration/fixture.cpp after each test
(no container, state file, cgroup, mount, network device, child process or fd left)."""

import ctypes
import itertools
import os
import shutil
import socket
import time
import subprocess
import tempfile

import pytest

import libct

BUILD = os.environ.get("CT_TEST_BUILD_DIR", "")
MKROOTFS = os.environ.get("CT_MKROOTFS", "")
# v1 and hybrid hierarchies, and "" for the v2 root.
CGROUP_HIERARCHIES = ("memory", "cpu", "cpuacct", "pids", "freezer", "cpuset", "devices",
                      "blkio", "unified", "")


def _isolate():
    """Network and mount namespaces of our own, as tests/common/isolate.cpp does for the C++
    tests: the leak checks compare the host's network devices and mount table, and anything
    else on the machine making veths or mounts meanwhile would look like a leak. Here, while
    the process is still single-threaded (unshare(CLONE_NEWNS) refuses a threaded one)."""
    if os.geteuid() != 0 or os.environ.get("CT_TEST_HOST_NAMESPACES"):
        return
    libc = ctypes.CDLL(None, use_errno=True)

    def check(rc, what):
        if rc != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"test isolation: {what}: {os.strerror(err)}")

    CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
    MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = (
        2, 4, 8, 4096, 8192, 16384, 1 << 18)
    check(libc.unshare(CLONE_NEWNET | CLONE_NEWNS), "unshare")
    check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    # sysfs shows the network namespace of whoever mounted it: a fresh one on /sys, with the
    # cgroup hierarchies carried over onto it.
    keep = tempfile.mkdtemp(prefix="ct-py-test-cgroups-").encode()
    check(libc.mount(b"/sys/fs/cgroup", keep, None, MS_BIND | MS_REC, None), "keep cgroups")
    check(libc.mount(b"sysfs", b"/sys", b"sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, None),
          "mount sysfs")
    check(libc.mount(keep, b"/sys/fs/cgroup", None, MS_MOVE, None), "move cgroups")
    os.rmdir(keep)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


_isolate()
_seq = itertools.count()


@pytest.fixture(scope="session")
def rootfs():
    path = os.path.join(BUILD, "tests", "rootfs-busybox")
    subprocess.run([MKROOTFS, path], check=True, stdout=subprocess.DEVNULL)
    return path


def _cgroup_parent(hierarchy, parent):
    return os.path.join("/sys/fs/cgroup", hierarchy, parent)


def _mount_table():
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(line.split()[3:5]) for line in f)


def _children():
    me = str(os.getpid())
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.rfind(")") + 2:].split()[1] == me:
            out.append(int(pid))
    return sorted(out)


def _fds():
    """Open fds, but for the session's cached device program (see _programs)."""
    return sorted(fd for fd in os.listdir("/proc/self/fd") if not _is_program(fd))


def _programs():
    """How many device program fds are open: a session keeps the last one it loaded."""
    return sum(1 for fd in os.listdir("/proc/self/fd") if _is_program(fd))


def _is_program(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:bpf-prog"
    except OSError:  # the listing's own fd, closed since
        return False


class Env:
    """One test's backend: a session on a private state root and cgroup parent."""

    def __init__(self, rootfs, n):
        tag = f"ct-py-{os.getpid()}-{n}"
        self.rootfs = rootfs
        self.state_root = f"/run/{tag}"
        self.cgroup_parent = tag
        self.uri = f"linux:///?root={self.state_root}&cgroup_parent={self.cgroup_parent}"
        self.session = None

    def spec(self, args, name="c1", **fields):
        return {"name": name, "rootfs": self.rootfs, "process": {"args": list(args)}, **fields}

    def create(self, args, name="c1", **fields):
        return self.session.create(self.spec(args, name, **fields))

    def cgroup_dirs(self, name):
        dirs = (os.path.join(_cgroup_parent(h, self.cgroup_parent), name)
                for h in CGROUP_HIERARCHIES)
        return [d for d in dirs if os.path.isdir(d)]


@pytest.fixture
def env(rootfs):
    if os.geteuid() != 0:
        pytest.skip("the Python binding tests need root (namespaces, cgroups)")
    e = Env(rootfs, next(_seq))
    mounts, netdevs, children = _mount_table(), socket.if_nameindex(), _children()
    e.session = libct.Session.open(e.uri)
    fds, programs = _fds(), _programs()
    yield e
    # The test must have cleaned up after itself: whatever is left is a leak. Report it, after
    # cleaning up, so one failure does not cascade.
    problems = []
    for info in e.session.list():
        problems.append(f"container {info['name']} left behind")
        e.session.get(info["name"]).destroy(force=True)
    # Counted, as the C++ fixture does: an fd of the interpreter's closed and another opened
    # meanwhile (13 gone, 14 new) is a renumbering, not a leak.
    if len(_fds()) != len(fds):
        problems.append(f"file descriptors leaked: {_fds()} (before: {fds})")
    # Sessions of earlier tests the garbage collector has not reached yet hold theirs.
    if _programs() > programs + 1:
        problems.append(f"device program fds leaked: {_programs()} (before: {programs}; "
                        "the session caches one)")
    e.session.close()
    if os.path.isdir(e.state_root):
        if os.listdir(e.state_root):
            problems.append(f"state left in {e.state_root}: {os.listdir(e.state_root)}")
        shutil.rmtree(e.state_root)
    for h in CGROUP_HIERARCHIES:
        d = _cgroup_parent(h, e.cgroup_parent)
        if os.path.isdir(d):
            sub = [s for s in os.listdir(d) if os.path.isdir(os.path.join(d, s))]
            if sub:
                problems.append(f"cgroups left in {d}: {sub}")
            else:
                os.rmdir(d)
    if _mount_table() != mounts:
        problems.append("mounts changed on the host")
    # A veth pair goes with its container's network namespace, which the kernel tears down
    # asynchronously: left behind means still there after seconds.
    for _ in range(500):
        if socket.if_nameindex() == netdevs:
            break
        time.sleep(0.01)
    if socket.if_nameindex() != netdevs:
        problems.append("network devices left behind")
    if _children() != children:
        problems.append(f"child processes left behind: {_children()}")
    assert not problems, "; ".join(problems)
