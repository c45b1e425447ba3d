"""Standard streams of container processes, as with subprocess.Popen."""

import os
import tempfile

import pytest

import libct


def test_pipes_bytes(env):
    with env.create(["sh", "-c", "echo out; echo err >&2; exit 4"]) as c:
        p = c.start(stdout=libct.PIPE, stderr=libct.PIPE)
        assert p.stdin is None
        assert p.stdout.read() == b"out\n"
        assert p.stderr.read() == b"err\n"
        assert p.wait() == 4
        p.close()


def test_communicate_text_with_input(env):
    with env.create(["sh", "-c", "tr a-z A-Z; echo done >&2"]) as c:
        p = c.start(stdin=libct.PIPE, stdout=libct.PIPE, stderr=libct.PIPE, text=True)
        out, err = p.communicate("hello\n")
        assert (out, err) == ("HELLO\n", "done\n")
        assert p.returncode == 0


def test_stdin_file_object_and_large_output(env):
    with env.create(["sh", "-c", "cat; head -c 1000000 /dev/zero"]) as c:
        with c.start(stdin=libct.PIPE, stdout=libct.PIPE) as p:
            p.stdin.write(b"x" * 100)
            p.stdin.close()
            data = p.stdout.read()
        assert p.returncode == 0
        assert data == b"x" * 100 + b"\0" * 1000000


def test_stderr_to_stdout_and_devnull(env):
    with env.create(["sh", "-c", "echo one; echo two >&2; cat"]) as c:
        p = c.start(stdin=libct.DEVNULL, stdout=libct.PIPE, stderr=libct.STDOUT)
        out, err = p.communicate()
        assert out == b"one\ntwo\n" and err is None and p.returncode == 0


def test_existing_file_object_and_fd(env):
    with env.create(["sh", "-c", "echo to-file; echo to-fd >&2"]) as c, \
            tempfile.TemporaryFile() as f:
        r, w = os.pipe()
        try:
            assert c.start(stdout=f, stderr=w).wait() == 0
        finally:
            os.close(w)
        with os.fdopen(r, "rb") as rf:
            assert rf.read() == b"to-fd\n"
        f.seek(0)
        assert f.read() == b"to-file\n"


def test_start_overrides_the_spec_process(env):
    spec = env.spec(["false"], name="o1")
    spec["process"].update(env=["A=1", "PATH=/bin"], cwd="/tmp")
    with env.session.create(spec) as c:
        p = c.start(["sh", "-c", "echo $A $B; pwd"], stdout=libct.PIPE, env={"B": "2",
                                                                             "PATH": "/bin"})
        assert p.communicate()[0] == b"2\n/tmp\n"  # env replaced, cwd kept
        assert c.start(stdout=libct.DEVNULL).wait() == 1  # the spec's own process again


def test_communicate_timeout_resumes(env):
    with env.create(["sh", "-c", "sleep 0.5; echo late"]) as c:
        p = c.start(stdout=libct.PIPE)
        with pytest.raises(libct.Timeout):
            p.communicate(timeout=0.05)
        assert p.communicate(timeout=10) == (b"late\n", None)


def test_fds_become_the_process_descriptors(env):
    with env.create(["sh", "-c", "echo via-fd-1"]) as c:
        r, w = os.pipe()
        null = os.open("/dev/null", os.O_RDONLY)
        try:
            assert c.start(fds=[null, w, w]).wait() == 0
        finally:
            os.close(w)
            os.close(null)
        with os.fdopen(r, "rb") as rf:
            assert rf.read() == b"via-fd-1\n"


def test_failed_start_closes_its_pipes(env):
    # The fixture's fd check fails if the pipes made for a start that failed stay open.
    with env.create(["/bin/nope"]) as c:
        with pytest.raises(libct.Exec):
            c.start(stdin=libct.PIPE, stdout=libct.PIPE, stderr=libct.PIPE)
        with pytest.raises(TypeError, match="fileno"):
            c.start(stdin=libct.PIPE, stdout="out.txt")
        with pytest.raises(ValueError, match="stderr"):
            c.start(stdout=libct.STDOUT)
        assert c.state in ("created", "stopped")
