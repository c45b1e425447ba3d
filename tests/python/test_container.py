"""Container lifecycle: start, wait, kill, destroy, state, info, context managers, errors."""

import errno
import signal
import time

import pytest

import libct


def test_run_to_exit_code(env):
    c = env.create(["sh", "-c", "exit 3"])
    p = c.start(stdout=libct.DEVNULL)
    assert isinstance(p, libct.Process) and p.pid > 0
    assert c.state in ("running", "stopped")
    assert p.wait() == 3 and p.returncode == 3
    assert c.state == "stopped"
    info = c.info()
    assert info["state"] == "stopped" and info["pid"] == 0
    assert info["exit_status"]["code"] == 3
    assert c.wait() == 3  # again, from the container: the status is kept
    c.destroy()


def test_start_again_after_stop(env):
    with env.create(["true"]) as c:
        for _ in range(2):
            assert c.start().wait() == 0


def test_kill_gives_negative_signal(env):
    with env.create(["sleep", "30"]) as c:
        p = c.start()
        assert c.state == "running" and c.info()["pid"] == p.pid
        c.kill(signal.SIGKILL)
        assert p.wait(10) == -signal.SIGKILL
        assert c.info()["exit_status"] == {"signaled": True, "code": signal.SIGKILL}


def test_kill_all_and_terminate(env):
    with env.create(["sh", "-c", "sleep 30 & sleep 30; wait"]) as c:
        p = c.start()
        c.kill(signal.SIGKILL, all=True)
        assert p.wait(10) == -signal.SIGKILL
    # SIGTERM: init of a pid namespace gets only the signals it handles.
    with env.create(["sh", "-c", "trap 'exit 7' TERM; sleep 30 & wait"]) as c:
        p = c.start()
        time.sleep(0.2)  # the trap is set
        p.terminate()
        assert p.wait(10) == 7


def test_wait_timeout_then_poll(env):
    with env.create(["sleep", "30"]) as c:
        p = c.start()
        with pytest.raises(libct.Timeout) as e:
            c.wait(timeout=0.1)
        assert e.value.code == "timeout"
        assert p.poll() is None and p.returncode is None
        p.kill()
        assert p.wait(10) == -signal.SIGKILL and p.poll() == -signal.SIGKILL


def test_destroy_running_is_refused_unless_forced(env):
    c = env.create(["sleep", "30"])
    c.start()
    with pytest.raises(libct.BadState) as e:
        c.destroy()
    assert e.value.code == "bad-state" and "c1" in str(e.value)
    assert c.state == "running"
    c.destroy(force=True)
    assert env.session.list() == []
    with pytest.raises(libct.NotFound):
        c.state


def test_context_manager_destroys_on_exception(env):
    with pytest.raises(RuntimeError, match="boom"):
        with env.create(["sleep", "30"]) as c:
            c.start()
            raise RuntimeError("boom")
    assert env.session.list() == []
    assert env.cgroup_dirs("c1") == []


def test_context_manager_tolerates_destroy_inside(env):
    with env.create(["true"]) as c:
        c.destroy()
    assert env.session.list() == []


def test_exec_failure_is_exec_error_with_errno(env):
    with env.create(["/bin/nope"]) as c:
        with pytest.raises(libct.Exec) as e:
            c.start(stdout=libct.PIPE, stderr=libct.PIPE)
        assert e.value.errno == errno.ENOENT
        assert "/bin/nope" in str(e.value)
        assert c.state in ("created", "stopped")
        # Nothing was started: the same container starts another command.
        assert c.start(["true"]).wait() == 0


def test_bad_state_calls_raise(env):
    with env.create(["true"]) as c:
        with pytest.raises(libct.Error) as e:
            c.kill()
        assert e.value.code in ("bad-state", "not-found")


def test_invalid_signal_is_invalid_argument(env):
    with env.create(["sleep", "30"]) as c:
        p = c.start()
        with pytest.raises(libct.InvalidArgument):
            c.kill(12345)
        p.kill()
        p.wait()


def test_detached_start_is_waited_for_from_another_session(env):
    with env.create(["sh", "-c", "sleep 0.2; exit 6"]) as c:
        c.start(detach=True, stdin=libct.DEVNULL, stdout=libct.DEVNULL, stderr=libct.DEVNULL)
        with libct.Session.open(env.uri) as other:
            assert other.get("c1").wait(10) == 6
        assert c.state == "stopped"


def test_confined_by_default_and_widened_by_name(env):
    """The defaults of docs/security.md reach a container made from Python, and the spec's
    confinement fields (plain dicts) change them."""
    status = "grep -E '^(CapBnd|Seccomp):' /proc/self/status; cat /proc/sys/kernel/ostype"
    script = status + "; echo x > /proc/sys/kernel/ostype 2>/dev/null && echo wrote"
    with env.create(["sh", "-c", script]) as c:
        p = c.start(stdout=libct.PIPE, text=True)
        out, _ = p.communicate()
        assert out == "CapBnd:\t00000000a80425fb\nSeccomp:\t2\nLinux\n"
        details = c.info()["details"]
        assert details["security.seccomp"] == "default"
        assert "CAP_NET_RAW" in details["security.capabilities"].split(",")
    wider = {"capabilities": {"add": ["net_admin"], "drop": ["net_raw"]}}
    with env.create(["sh", "-c", status], process={"args": ["sh", "-c", status], **wider},
                    seccomp="unconfined", readonly_paths=[]) as c:
        p = c.start(stdout=libct.PIPE, text=True)
        out, _ = p.communicate()
        # net_admin (12) in, net_raw (13) out; no filter.
        assert out == "CapBnd:\t00000000a80415fb\nSeccomp:\t0\nLinux\n"
