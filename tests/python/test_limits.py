"""Ids out of range and unbounded spec files are refused through the bindings as through ct:
(uid_t)-1 would leave a process with root's ids, and a FIFO, a device or an alias bomb given as
a spec would hang or exhaust the caller."""

import os
import threading
import time

import pytest

import libct


def test_create_refuses_ids_out_of_range(env):
    for user, field in [
        ({"uid": 4294967295}, "process.user.uid: 4294967295 is not an id (0..4294967294)"),
        ({"uid": 1000, "gid": 4294967295}, "process.user.gid: 4294967295 is not an id"),
        ({"uid": 1000, "additional_gids": [4294967295]},
         "process.user.additional_gids[0]: 4294967295 is not an id"),
        ({"uid": 4294967296}, "process.user.uid: number 4294967296 is out of range"),
        ({"uid": -1}, "process.user.uid: number -1 is out of range"),
    ]:
        with pytest.raises(libct.InvalidSpec) as e:
            env.create(["id", "-u"], process={"args": ["id", "-u"], "user": user})
        assert field in str(e.value)
        assert env.session.list() == []


def test_maps_and_device_owners_out_of_range(env):
    maps = {"namespaces": ["mount", "uts", "ipc", "pid", "net", "user"],
            "uid_map": [{"container_id": 0, "host_id": 4294967290, "size": 10}],
            "gid_map": [{"container_id": 0, "host_id": 100000, "size": 1}]}
    with pytest.raises(libct.InvalidSpec) as e:
        env.create(["true"], **maps)
    assert "uid_map[0].size: 10 ids from host_id 4294967290 go past 4294967294" in str(e.value)
    node = {"path": "/dev/x", "type": "c", "major": 1, "minor": 3, "uid": 4294967295}
    with pytest.raises(libct.InvalidSpec) as e:
        env.create(["true"], devices=[node])
    assert "devices[0].uid: 4294967295 is not an id" in str(e.value)
    assert env.session.list() == []


def test_exec_refuses_ids_out_of_range_and_takes_the_largest(env):
    with env.create(["sleep", "60"]) as c:
        c.start()
        for user in ({"uid": 4294967295}, {"uid": 0, "gid": 4294967295}):
            with pytest.raises(libct.InvalidSpec) as e:
                c.exec(["id", "-u"], user=user, stdout=libct.PIPE)
            assert "is not an id (0..4294967294)" in str(e.value)
        with c.exec(["sh", "-c", "id -u; id -g"], user={"uid": 4294967294, "gid": 4294967294},
                    stdout=libct.PIPE, text=True) as p:
            out, _ = p.communicate(timeout=10)
        assert p.returncode == 0
        assert out == "4294967294\n4294967294\n"


def _create_timed(env, path):
    """create(path) -> (the exception, seconds). A writer opens a FIFO after 5 s, so that a
    reader blocked on one comes back instead of hanging the test."""
    def unblock():
        time.sleep(5)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass  # no reader waiting: nothing to unblock
    if os.path.exists(path) and not os.path.isfile(path):
        threading.Thread(target=unblock, daemon=True).start()
    start = time.monotonic()
    with pytest.raises(libct.Error) as e:
        env.session.create(path)
    return e.value, time.monotonic() - start


def test_spec_files_are_bounded(env, tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    err, took = _create_timed(env, fifo)
    assert isinstance(err, libct.InvalidSpec), err
    assert str(err) == f"spec file {fifo}: not a regular file but a FIFO " \
                       "(give - to read a spec from stdin)"
    assert took < 1
    err, took = _create_timed(env, "/dev/zero")
    assert isinstance(err, libct.InvalidSpec), err
    assert "spec file /dev/zero: not a regular file but a character device" in str(err)
    assert took < 1
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n#" + "p" * (1 << 20) + "\n")
    err, took = _create_timed(env, str(big))
    assert str(err) == f"spec file {big}: larger than the 1 MiB a spec file may have " \
                       f"({(1 << 20) + 10} bytes)"
    laughs = ["a0: &a0 [lol]"]
    for i in range(1, 10):
        laughs.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text("\n".join(laughs) + "\n")
    err, took = _create_timed(env, str(bomb))
    assert str(err) == f"{bomb}: the spec has more than 100000 values once its YAML aliases " \
                       "are expanded"
    assert took < 3
    # As YAML text too.
    with pytest.raises(libct.InvalidSpec) as e:
        env.session.create("\n".join(laughs) + "\n")
    assert "more than 100000 values" in str(e.value)
    # A file that cannot be opened is still the OSError open() raises.
    with pytest.raises(FileNotFoundError):
        env.session.create(str(tmp_path / "missing.yaml"))
    assert env.session.list() == []
