"""The package as a user gets it: type information (py.typed, the extension's stub matching
the extension), and checkpoint/restore/migrate bound (run for real where CRIU works)."""

import ast
import glob
import os
import subprocess
import time

import pytest

import libct
from libct import _core


def _stub():
    path = os.path.join(os.path.dirname(libct.__file__), "_core.pyi")
    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read())


def test_the_package_is_typed():
    here = os.path.dirname(libct.__file__)
    assert os.path.isfile(os.path.join(here, "py.typed"))
    # The public calls carry annotations.
    for fn in (libct.Session.open, libct.Session.create, libct.Session.restore,
               libct.Container.checkpoint, libct.Container.migrate, libct.Container.wait,
               libct.Process.communicate):
        assert fn.__annotations__.get("return"), fn.__qualname__


def test_the_stub_names_what_the_extension_has():
    tree = _stub()
    stub = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            stub[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, ast.FunctionDef):
            stub[node.name] = None
        elif isinstance(node, ast.AnnAssign):
            stub[node.target.id] = None
    real = {n for n in dir(_core) if not n.startswith("_")}
    assert set(stub) == real
    for cls in ("Container", "Session"):
        methods = {n for n in dir(getattr(_core, cls)) if not n.startswith("_")}
        assert stub[cls] == methods, cls


def _criu_works(env):
    """'' when checkpoint and restore work here, else why not (probed for real)."""
    name = f"criu-probe-{os.getpid()}"
    d = f"/tmp/ct-py-criu-probe-{os.getpid()}"
    subprocess.run(["rm", "-rf", d], check=True)
    try:
        with env.create(["sleep", "1000"], name=name) as c:
            c.start(stdin=libct.DEVNULL, stdout=libct.DEVNULL, stderr=libct.DEVNULL,
                    detach=True)
            c.checkpoint(d)
            env.session.restore(name, d)
            return "" if c.state == "running" else "restored, but not running"
    except libct.Error as e:
        return str(e)
    finally:
        subprocess.run(["rm", "-rf", d], check=True)


def test_checkpoint_restore_and_migrate(env, tmp_path):
    why = _criu_works(env)
    if why:
        pytest.skip(f"CRIU cannot checkpoint and restore here: {why}")
    d = tmp_path / "ckpt"
    # The counter is replaced, never truncated: a reader never sees it empty.
    spec = env.spec(["sh", "-c",
                     "i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; "
                     "sleep 0.05; done"])
    with env.session.create(spec) as c:
        c.start(stdin=libct.DEVNULL, stdout=libct.DEVNULL, stderr=libct.DEVNULL, detach=True)
        time.sleep(0.3)
        c.checkpoint(d, leave_running=True)
        assert c.state == "running"
        assert any(d.iterdir()), "images were written"
        c.destroy(force=True)
        with pytest.raises(libct.NotFound):
            env.session.get("c1")
        r = env.session.restore("c1", d)
        assert r.state == "running"
        # The counter goes on from where it was: the same process tree, not a new start.
        n1 = int(r.exec(["cat", "/tmp/n"], stdout=libct.PIPE).communicate(timeout=30)[0])
        time.sleep(0.3)
        n2 = int(r.exec(["cat", "/tmp/n"], stdout=libct.PIPE).communicate(timeout=30)[0])
        assert n2 > n1 > 1
        # Migrate to another state root of this host; the handle there drives it.
        other = f"linux:///?root={env.state_root}-to&cgroup_parent={env.cgroup_parent}-to"
        moved = r.migrate(other)
        try:
            assert moved.state == "running"
            with pytest.raises(libct.NotFound):
                env.session.get("c1")
        finally:
            moved.destroy(force=True)
            subprocess.run(["rm", "-rf", f"{env.state_root}-to"], check=True)
            for h in glob.glob(f"/sys/fs/cgroup/*/{env.cgroup_parent}-to"):
                os.rmdir(h)


def test_restore_under_another_spec(env, tmp_path):
    why = _criu_works(env)
    if why:
        pytest.skip(f"CRIU cannot checkpoint and restore here: {why}")
    d = tmp_path / "ckpt"
    new_root = tmp_path / "new-root"
    subprocess.run(["cp", "-a", env.rootfs, str(new_root)], check=True)
    with env.create(["sleep", "1000"]) as c:
        c.start(stdin=libct.DEVNULL, stdout=libct.DEVNULL, stderr=libct.DEVNULL, detach=True)
        c.checkpoint(d)
        # One that cannot describe the images' container: refused, naming the field.
        with pytest.raises(libct.InvalidSpec) as e:
            env.session.restore("c1", d, spec={"rootfs": str(new_root),
                                               "mounts": [{"source": "/tmp", "target": "/x"}]})
        assert "mounts[0] (/x)" in str(e.value)
        assert c.state == "stopped"
        # Another rootfs, the process left out (it is the images').
        r = env.session.restore("c1", d, spec=f"rootfs: {new_root}\n")
        assert r.state == "running"
        assert r.info()["spec"]["rootfs"] == str(new_root)
        assert r.info()["spec"]["process"]["args"] == ["sleep", "1000"]
        r.destroy(force=True)


def test_checkpoint_of_a_stopped_container_is_refused(env, tmp_path):
    with env.create(["true"]) as c:
        with pytest.raises(libct.Error) as e:
            c.checkpoint(tmp_path / "never")
        assert "c1" in str(e.value)


def test_pip_metadata_names_libcts_version():
    """python/pyproject.toml (pip's metadata) carries the version of the libct it binds."""
    import tomllib
    doc = os.environ.get("CT_PYTHON_DOC")
    if not doc:
        pytest.skip("CT_PYTHON_DOC is not set: the source tree is unknown")
    pyproject = os.path.join(os.path.dirname(os.path.dirname(doc)), "python", "pyproject.toml")
    with open(pyproject, "rb") as f:
        meta = tomllib.load(f)
    assert meta["project"]["version"] == libct.__version__
    assert meta["tool"]["setuptools"]["package-data"]["libct"] == ["py.typed", "*.pyi"]


def test_bytes_that_are_not_text_travel_as_base64(env):
    """A spec's string that is not UTF-8 is {"base64": ...} in the JSON forms: accepted and
    given back byte for byte; a malformed one is refused naming the field."""
    with env.session.create(env.spec(["sh", {"base64": "/w=="}])) as c:
        assert c.info()["spec"]["process"]["args"] == ["sh", {"base64": "/w=="}]
    for bad in ({"base64": "@@"}, {"base64": "/w="}, {"base64": "/w==", "x": 1}):
        with pytest.raises(libct.InvalidSpec) as e:
            env.session.create(env.spec(["sh", bad]))
        assert "process.args[1]" in str(e.value)
    with pytest.raises(libct.NotFound):
        env.session.get("c1")
