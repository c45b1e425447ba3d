"""Sessions, backends, create/get/list and the errors of bad input."""

import os

import pytest

import libct


def test_backends_lists_the_linux_backend_of_the_build_tree():
    by_name = {b["name"]: b for b in libct.backends()}
    linux = by_name["linux"]
    assert linux["loaded"] is True
    assert "linux" in linux["schemes"]
    assert os.path.isfile(linux["path"])
    assert os.path.dirname(linux["path"]) in libct.backend_search_path()


def test_open_names_the_backend_and_uri(env):
    assert env.session.uri.startswith("linux:")
    assert env.session.backend["name"] == "linux"
    assert "linux" in repr(env.session)


def test_open_defaults_to_ct_connect(env, monkeypatch):
    monkeypatch.setenv("CT_CONNECT", env.uri)
    with libct.Session.open() as s:
        c = s.create(env.spec(["true"], name="via-env"))
        assert [i["name"] for i in env.session.list()] == ["via-env"]
        c.destroy()


def test_unknown_scheme_is_an_abi_error():
    with pytest.raises(libct.Abi) as e:
        libct.Session.open("nosuchbackend:///")
    assert isinstance(e.value, libct.Error)
    assert e.value.code == "abi"
    assert "nosuchbackend" in str(e.value)


def test_closed_session_refuses_calls_but_its_containers_work(env):
    with libct.Session.open(env.uri) as s:
        c = s.create(env.spec(["true"]))
    assert s.closed and "closed" in repr(s)
    with pytest.raises(ValueError, match="closed"):
        s.list()
    assert c.state == "created"  # the handle keeps the backend's session alive
    c.destroy()


def test_create_get_list_destroy(env):
    c = env.create(["true"], name="web1", annotations={"owner": "py"})
    assert c.name == "web1" and c.state == "created"
    (info,) = env.session.list()
    assert info["name"] == "web1" and info["state"] == "created"
    assert info["spec"]["annotations"] == {"owner": "py"}
    assert env.session.get("web1").info()["spec"]["process"]["args"] == ["true"]
    assert env.cgroup_dirs("web1")
    c.destroy()
    assert env.session.list() == []
    assert env.cgroup_dirs("web1") == []


def test_get_missing_is_not_found(env):
    with pytest.raises(libct.NotFound) as e:
        env.session.get("nope")
    assert e.value.code == "not-found" and "nope" in str(e.value)


def test_invalid_spec_names_the_field_and_creates_nothing(env):
    with pytest.raises(libct.InvalidSpec, match=r"resources\.memory") as e:
        env.create(["true"], resources={"memory": "64Q"})
    assert e.value.code == "invalid-spec" and e.value.errno == 0
    with pytest.raises(libct.InvalidSpec, match=r"process\.argz"):
        env.session.create({"name": "x", "rootfs": env.rootfs, "process": {"argz": ["true"]}})
    with pytest.raises(libct.InvalidSpec, match="name"):
        env.create(["true"], name="bad name!")
    assert env.session.list() == []


def test_duplicate_name_is_exists(env):
    c = env.create(["true"])
    with pytest.raises(libct.Exists):
        env.create(["true"])
    c.destroy()


def test_create_from_yaml_text_and_file(env, tmp_path):
    text = f"rootfs: {env.rootfs}\nprocess:\n  args: [echo, hi]\nresources:\n  memory: 32M\n"
    a = env.session.create(text, name="from-text")
    path = tmp_path / "spec.yaml"
    path.write_text(f"name: from-file\n{text}")
    b = env.session.create(path)
    c = env.session.create(str(path), name="renamed")
    assert sorted(i["name"] for i in env.session.list()) == ["from-file", "from-text", "renamed"]
    assert a.info()["spec"]["resources"]["memory"] == 32 << 20
    for x in (a, b, c):
        x.destroy()


def test_yaml_error_names_the_line(env):
    with pytest.raises(libct.InvalidSpec, match=r"<spec>:3: resources\.memory"):
        env.session.create(f"name: y\nrootfs: {env.rootfs}\nresources: {{memory: 1X}}\n")
    with pytest.raises(FileNotFoundError):
        env.session.create("/nonexistent/spec.yaml")
    with pytest.raises(TypeError):
        env.session.create(42)
    assert env.session.list() == []
