"""Blocking calls release the GIL; errors are exceptions in whichever thread made the call."""

import os
import signal
import threading
import time

import pytest

import libct


def test_wait_releases_the_gil(env):
    with env.create(["sleep", "30"]) as c:
        p = c.start()
        waiter = threading.Thread(target=p.wait)
        waiter.start()
        time.sleep(0.1)  # the waiter is inside wait() by now
        # Pure Python work: it could not run before wait() returns if wait() held the GIL.
        t0 = time.monotonic()
        total = sum(range(200000))
        busy = time.monotonic() - t0
        assert total and waiter.is_alive() and busy < 5
        c.kill(signal.SIGKILL)
        waiter.join(10)
        assert not waiter.is_alive() and p.returncode < 0


def test_signal_handlers_interrupt_a_wait(env):
    # As Ctrl-C's KeyboardInterrupt would: the handler runs and its exception ends the wait.
    class Interrupted(Exception):
        pass

    def handler(signum, frame):
        raise Interrupted()

    old = signal.signal(signal.SIGUSR1, handler)
    try:
        with env.create(["sleep", "30"]) as c:
            p = c.start()
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1)).start()
            t0 = time.monotonic()
            with pytest.raises(Interrupted):
                p.wait()
            assert time.monotonic() - t0 < 5 and p.returncode is None
            with pytest.raises(libct.Timeout, match=r"container 'c1': still running after 0\.3 s"):
                c.wait(0.3)
            p.kill()
            assert p.wait() == -signal.SIGKILL
    finally:
        signal.signal(signal.SIGUSR1, old)


def test_containers_from_several_threads(env):
    results, errors = {}, []

    def run(i):
        try:
            with env.create(["sh", "-c", f"exit {i}"], name=f"t{i}") as c:
                results[i] = c.start().wait(30)
        except Exception as e:  # reported below, with the thread's exception
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and results == {i: i for i in range(4)}


def test_errors_in_threads_are_exceptions(env):
    caught = []

    def bad():
        try:
            env.session.get("missing")
        except libct.NotFound as e:
            caught.append(e)

    t = threading.Thread(target=bad)
    t.start()
    t.join()
    assert len(caught) == 1 and caught[0].code == "not-found"


def test_wrong_argument_types_are_type_errors(env):
    with pytest.raises(TypeError):
        libct.Session.open(42)
    with env.create(["true"]) as c:
        with pytest.raises(TypeError):
            c.kill("TERM")
        with pytest.raises(TypeError):
            c.exec("echo hi")
        with pytest.raises(TypeError, match="not dict"):
            c.exec({"echo": "hi"})
        with pytest.raises(TypeError, match="every item"):
            c.exec(["echo", 1])
        with pytest.raises(TypeError):
            c.update([1])
