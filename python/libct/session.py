"""libct.Session: a connection to one backend, chosen by URI at run time."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from . import _core
from .container import Container
from .errors import NotFound


class Session:
    """A session on a backend (Session.open). Containers outlive sessions: their state lives
    with the backend, and a later session finds them with get() and list(). A session may be
    used from several threads at once.

    As a context manager it closes the session when the block ends; containers are left as
    they are (use a Container as a context manager to destroy one). Container handles keep
    working after close().
    """

    def __init__(self, core: _core.Session) -> None:
        self._core_or_none: _core.Session | None = core

    @classmethod
    def open(cls, uri: str | os.PathLike[str] = "") -> Session:
        """Opens a session on the backend serving ``uri``: "linux:///" (the native backend,
        options as query parameters: "linux:///?root=/run/mine&cgroup_parent=mine"),
        "openvz:///", "<backend>+ssh://[user@]host[:port]/". "" means $CT_CONNECT, or
        linux:/// when that is unset."""
        return cls(_core.Session.open(os.fspath(uri)))

    @property
    def _core(self) -> _core.Session:
        if self._core_or_none is None:
            raise ValueError("the session is closed")
        return self._core_or_none

    def close(self) -> None:
        self._core_or_none = None

    @property
    def closed(self) -> bool:
        return self._core_or_none is None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<libct.Session (closed)>"
        return f"<libct.Session {self.uri!r}>"

    @property
    def uri(self) -> str:
        return self._core.uri

    @property
    def backend(self) -> dict[str, Any]:
        """The backend serving the session, as a dict (an entry of libct.backends())."""
        return json.loads(self._core.backend_json)[0]

    def create(self, spec: Mapping[str, Any] | str | os.PathLike[str], *,
               name: str | None = None) -> Container:
        """Creates a container and returns its handle (state "created").

        ``spec`` is a dict with the fields of a YAML spec (docs/spec.md), YAML text, or the
        path of a YAML spec file (a str without a newline or ':', or a path object). ``name``
        sets (or replaces) the spec's name. An invalid spec raises libct.InvalidSpec naming
        the field, and creates nothing; so does a file that is not a regular file or is larger
        than a spec file may be (docs/spec.md, "Spec file limits").
        """
        name = "" if name is None else name
        kind, text, origin = _spec_source(spec)
        if kind == "json":
            return Container(self._core.create_json(text, name))
        return Container(self._core.create_yaml(text, origin, name))

    def get(self, name: str) -> Container:
        """The container ``name`` (libct.NotFound when there is none)."""
        return Container(self._core.get(name))

    def list(self) -> list[dict[str, Any]]:
        """Every container of the session's backend (and state root), as info dicts (see
        Container.info)."""
        return json.loads(self._core.list_json())

    def restore(self, name: str, dir: str | os.PathLike[str], *, stdin: int = -1,
                stdout: int = -1, stderr: int = -1,
                spec: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> Container:
        """Recreates container ``name`` from the images of Container.checkpoint() in ``dir``
        (on the backend's host; the spec travels with the images) and resumes it; ``name`` may
        differ from the original's. Where the images allow replacing the restored init's stdio,
        it gets these file descriptors of this process (-1: /dev/null). ``spec`` (as for
        create; its process may be left out) restores under another rootfs, bind sources,
        network namespace or limits: one that cannot describe the images' container raises
        libct.InvalidSpec naming the field (docs/checkpoint.md, "Restoring under another
        configuration"). Needs CRIU (docs/checkpoint.md)."""
        kind, text, origin = ("", "", "") if spec is None else _spec_source(spec)
        return Container(self._core.restore(name, os.fspath(dir), stdin, stdout, stderr, kind,
                                            text, origin))


def _spec_source(spec: Mapping[str, Any] | str | os.PathLike[str]) -> tuple[str, str, str]:
    """A spec argument as (kind, text, origin): a dict as JSON, YAML text, or a spec file's
    text with its path."""
    if isinstance(spec, Mapping):
        return "json", json.dumps(dict(spec)), "<spec>"
    if isinstance(spec, str) and ("\n" in spec or ":" in spec):
        return "yaml", spec, "<spec>"
    if isinstance(spec, (str, os.PathLike)):
        # Read by libct, as ct reads one: a regular file of bounded size, never a FIFO or a
        # device that could block or never end.
        path = os.fspath(spec)
        try:
            text = _core.read_spec_file(path)
        except NotFound as e:  # cannot be opened: the OSError that open() would raise
            raise OSError(e.errno, os.strerror(e.errno), path) from None
        return "yaml", text, path
    raise TypeError(f"a spec is a dict, YAML text or a file path, not {type(spec).__name__}")


def backends() -> list[dict[str, Any]]:
    """Every backend found in the search path, as dicts (the form of ``ct backends --json``):
    name, path, loaded, and version, schemes, capabilities, operations — or error."""
    return json.loads(_core.backends_json())


def backend_search_path() -> list[str]:
    """The directories searched for backends, in order."""
    return _core.backend_search_path()
