"""libct.Container: a handle on one container of a session."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Mapping, Sequence
from typing import IO, Any, Union

from . import _core

from . import stdio

# What a stdio argument takes: None (inherit), DEVNULL, PIPE, STDOUT (stderr only), an fd or a
# file object.
Stream = Union[None, int, IO[Any]]
from .errors import NotFound
from .process import Process, wait_for


class Container:
    """A container of a session (Session.create, Session.get).

    The handle caches nothing: every call asks the backend, so several handles (or processes)
    driving one container stay consistent. As a context manager it destroys the container
    (killing what still runs in it) when the block ends.
    """

    def __init__(self, core: _core.Container) -> None:
        self._core = core

    @property
    def name(self) -> str:
        return self._core.name

    def __repr__(self) -> str:
        return f"<libct.Container {self.name!r}>"

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.destroy(force=True)
        except NotFound:
            pass  # destroyed in the block already

    @property
    def state(self) -> str:
        """"created", "running", "paused", "stopped", or "incomplete" (a create, start or
        destroy cut short: destroy(force=True) removes it)."""
        return self._core.state()

    def info(self) -> dict[str, Any]:
        """Everything known about the container, as a dict (the form of ``ct info --json``):
        name, backend, state, pid, created, exit_status, spec, details."""
        return json.loads(self._core.info_json())

    def start(self, args: Sequence[str] | None = None, *, stdin: Stream = None,
              stdout: Stream = None, stderr: Stream = None, text: bool = False,
              encoding: str | None = None, errors: str | None = None, detach: bool = False,
              fds: Sequence[int | IO[Any]] | None = None,
              console_socket: int | IO[Any] | None = None, **process: Any) -> Process:
        """Starts the container's init and returns its Process.

        Without ``args`` and process fields it runs the spec's process; ``args`` (a list) and
        fields of the spec's ``process`` given as keywords (env, cwd, user, terminal, rlimits,
        capabilities, no_new_privileges) replace those of the spec's process for this run.
        ``stdin``/``stdout``/``stderr`` are None (inherit this process's), PIPE, DEVNULL,
        STDOUT (stderr only), a file descriptor or a file object, as with subprocess.Popen;
        ``text``/``encoding``/``errors`` make the pipes text files. ``detach``: the container
        outlives this process (another process reaps it). ``fds``: these descriptors become
        the process's 0, 1, 2, ... instead of the three streams. ``console_socket``: with
        terminal, an AF_UNIX socket that receives the pty master.
        """
        doc = self._process_doc(args, process, False) if args is not None or process else ""
        return self._launch(True, doc, stdin, stdout, stderr, text, encoding, errors, detach,
                            fds, console_socket)

    def exec(self, args: Sequence[str], *, stdin: Stream = None, stdout: Stream = None,
             stderr: Stream = None, text: bool = False, encoding: str | None = None,
             errors: str | None = None, fds: Sequence[int | IO[Any]] | None = None,
             console_socket: int | IO[Any] | None = None, **process: Any) -> Process:
        """Runs ``args`` in the running container (its namespaces, cgroups and root) and
        returns its Process. The environment, working directory and user are the spec's
        process's unless given as keywords (as for start); terminal is off unless given."""
        doc = self._process_doc(args, process, True)
        return self._launch(False, doc, stdin, stdout, stderr, text, encoding, errors, False,
                            fds, console_socket)

    def wait(self, timeout: float | None = None) -> int:
        """Waits for init to exit and returns its exit code (-N when signal N killed it). With
        ``timeout`` (seconds) raises libct.Timeout when it runs out."""
        return wait_for(self._core.wait, timeout, f"container {self.name!r}")

    def kill(self, sig: int = signal.SIGTERM, all: bool = False) -> None:
        """Sends ``sig`` to init, or to every process of the container when ``all``."""
        self._core.kill(sig, bool(all))

    def destroy(self, force: bool = False) -> None:
        """Removes the container (cgroups, mounts, state). A running container is refused
        (libct.BadState) unless ``force``, which kills it first."""
        self._core.destroy(bool(force))

    def pause(self) -> None:
        """Freezes every process of the container (state "paused")."""
        self._core.pause()

    def resume(self) -> None:
        """Thaws a paused container."""
        self._core.resume()

    def update(self, resources: Mapping[str, Any]) -> None:
        """Changes the limits of a created or running container. ``resources`` is a dict with
        the fields of the spec's ``resources`` (memory, memory_swap, pids, cpu, io_weight,
        devices); only those given change."""
        if not isinstance(resources, Mapping):
            raise TypeError(f"resources is a dict, not {type(resources).__name__}")
        self._core.update(json.dumps({"resources": dict(resources)}))

    def stats(self) -> dict[str, Any]:
        """Resource usage, as a dict (the form of ``ct stats --json``): cpu, memory, pids, io,
        network, ..."""
        return json.loads(self._core.stats_json())

    def processes(self) -> list[dict[str, Any]]:
        """The container's processes: a list of dicts with pid, ns_pid and command."""
        return json.loads(self._core.processes_json())

    def checkpoint(self, dir: str | os.PathLike[str], *, leave_running: bool = False,
                   tcp_established: bool = False, file_locks: bool = False) -> None:
        """Saves the running container with CRIU into ``dir`` (on the backend's host; made if
        missing, else empty). The container is stopped afterwards unless ``leave_running``.
        ``tcp_established`` and ``file_locks`` save those too. Session.restore() brings it
        back (docs/checkpoint.md)."""
        self._core.checkpoint(os.fspath(dir), bool(leave_running), bool(tcp_established),
                              bool(file_locks))

    def migrate(self, to: str, *, leave_running: bool = False,
                tcp_established: bool = False) -> Container:
        """Moves the running container to the session of URI ``to`` (checkpoint here, images
        copied, restore there, destroy here once it runs there; on failure it keeps running
        here) and returns its handle there. ``leave_running`` copies it instead."""
        return Container(self._core.migrate(to, bool(leave_running), bool(tcp_established)))

    def _process_doc(self, args, fields, for_exec):
        # Based on the spec's process, as `ct exec` does: what is not given keeps its value.
        doc = self.info()["spec"].get("process", {})
        if for_exec:
            doc.pop("terminal", None)
        if args is not None:
            # A string would be split into characters, a mapping into its keys: neither is
            # what the caller meant.
            if isinstance(args, (str, bytes)) or not isinstance(args, Sequence):
                raise TypeError("args is a list: the command and its arguments, not "
                                f"{type(args).__name__}")
            if not all(isinstance(a, str) for a in args):
                raise TypeError("args: every item is a str")
            doc["args"] = list(args)
        for key, value in fields.items():
            if key == "env" and isinstance(value, Mapping):
                value = [f"{k}={v}" for k, v in value.items()]
            doc[key] = value
        return json.dumps({"process": doc})

    def _launch(self, init, doc, stdin, stdout, stderr, text, encoding, errors, detach, fds,
                console_socket):
        fds = [_fd(f) for f in fds] if fds is not None else []
        console = -1 if console_socket is None else _fd(console_socket)
        streams = stdio.Streams(stdin, stdout, stderr, text, encoding, errors)
        try:
            if init:
                pid = self._core.start(doc, *streams.fds, bool(detach), console, fds)
            else:
                pid = self._core.exec(doc, *streams.fds, console, fds)
        except BaseException:
            streams.abort()
            raise
        streams.started()
        return Process(self, pid, init, streams.files)


def _fd(f):
    return f if isinstance(f, int) else f.fileno()
