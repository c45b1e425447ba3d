"""exec, pause/resume, update, stats, processes and terminals of running containers.

Each test first asks the backend whether it fills the operation's slot (backend["operations"])
or supports the spec (terminal), and is skipped, saying so, when it does not."""

import errno
import signal
import socket
import time

import pytest

import libct


def need(env, *ops):
    missing = [op for op in ops if op not in env.session.backend["operations"]]
    if missing:
        pytest.skip(f"backend linux does not implement {', '.join(missing)} yet")


def test_exec_runs_in_the_container_with_pipes(env):
    need(env, "exec")
    spec = env.spec(["sleep", "30"], hostname="py-exec")
    spec["process"]["env"] = ["FROM_SPEC=yes", "PATH=/bin:/sbin"]
    with env.session.create(spec) as c:
        c.start()
        p = c.exec(["sh", "-c", "hostname; echo $FROM_SPEC $X; cat; exit 5"], stdin=libct.PIPE,
                   stdout=libct.PIPE, stderr=libct.PIPE, text=True,
                   env=["FROM_SPEC=no", "X=1", "PATH=/bin"])
        assert p.pid > 0 and p.pid != c.info()["pid"]
        out, err = p.communicate("from stdin\n", timeout=30)
        assert (out, err, p.returncode) == ("py-exec\nno 1\nfrom stdin\n", "", 5)
        # Keywords not given keep the spec's process's values.
        q = c.exec(["sh", "-c", "echo $FROM_SPEC"], stdout=libct.PIPE)
        assert q.communicate(timeout=30) == (b"yes\n", None) and q.returncode == 0


def test_exec_process_signals_and_errors(env):
    need(env, "exec")
    with env.create(["sleep", "30"]) as c:
        with pytest.raises(libct.BadState):
            c.exec(["true"])  # not running
        c.start()
        p = c.exec(["sleep", "30"])
        with pytest.raises(libct.Timeout):
            p.wait(0.1)
        p.send_signal(signal.SIGKILL)
        assert p.wait(10) == -signal.SIGKILL
        assert c.state == "running"  # init untouched
        with pytest.raises(libct.Exec) as e:
            c.exec(["/bin/nope"], stdout=libct.PIPE)
        assert "/bin/nope" in str(e.value)


def test_pause_resume(env):
    need(env, "pause", "resume")
    with env.create(["sleep", "30"]) as c:
        c.start()
        c.pause()
        assert c.state == "paused"
        with pytest.raises(libct.BadState):
            c.pause()
        c.resume()
        assert c.state == "running"


def test_update_and_stats(env):
    need(env, "update", "stats")
    with env.create(["sh", "-c", "echo go; sleep 30"], resources={"memory": "64M"}) as c:
        p = c.start(stdout=libct.PIPE)
        assert p.stdout.readline() == b"go\n"
        stats = c.stats()
        assert stats["memory"]["limit"] == 64 << 20 and stats["memory"]["usage"] > 0
        assert stats["pids"]["current"] >= 1 and stats["cpu"]["usage_ns"] > 0
        c.update({"memory": "32M", "pids": 50})
        assert c.stats()["memory"]["limit"] == 32 << 20
        assert c.info()["spec"]["resources"]["memory"] == 32 << 20
        with pytest.raises(libct.InvalidSpec, match=r"resources\.memory"):
            c.update({"memory": "lots"})
        with pytest.raises(libct.InvalidSpec, match=r"resources\.nonsense"):
            c.update({"nonsense": 1})
        assert c.stats()["memory"]["limit"] == 32 << 20  # bad input changed nothing
        p.stdout.close()


def test_processes(env):
    need(env, "processes")
    with env.create(["sh", "-c", "sleep 30 & exec sleep 31"]) as c:
        p = c.start()
        for _ in range(100):  # the shell forks the first sleep, then becomes the second
            procs = c.processes()
            if sorted(x["command"] for x in procs) == ["sleep 30", "sleep 31"]:
                break
            time.sleep(0.02)
        assert sorted(x["command"] for x in procs) == ["sleep 30", "sleep 31"]
        assert {x["ns_pid"] for x in procs} >= {1}
        assert p.pid in {x["pid"] for x in procs}


def test_terminal_through_console_socket(env):
    spec = env.spec(["sh", "-c", "tty; echo hi"])
    spec["process"]["terminal"] = True
    try:
        c = env.session.create(spec)
    except libct.Unsupported as e:
        pytest.skip(str(e))
    with c:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with ours, theirs:
            p = c.start(console_socket=theirs)
            _, fds, _, _ = socket.recv_fds(ours, 16, 1)
        out = b""
        with open(fds[0], "rb", buffering=0) as master:
            try:
                while chunk := master.read(4096):
                    out += chunk
            except OSError as e:  # EIO: the terminal's last user has gone
                assert e.errno == errno.EIO
        assert p.wait(10) == 0
        assert b"/dev/pts/" in out and b"hi\r\n" in out
