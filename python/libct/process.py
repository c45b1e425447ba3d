"""libct.Process: a process running in a container, used like subprocess.Popen."""

from __future__ import annotations

import signal
import threading
import time
from typing import IO, TYPE_CHECKING, Any

from .errors import Timeout

if TYPE_CHECKING:
    from .container import Container


# How long a wait in the main thread blocks before Python's signal handlers get a chance.
_SLICE = 0.25


def returncode(signaled, code):
    """subprocess's convention: the exit code, or -N when signal N killed the process."""
    return -code if signaled else code


def wait_for(call, timeout, what):
    """call(timeout_ms) -> (signaled, code), with ``timeout`` in seconds (None: for ever), as
    a returncode.

    libct waits in the kernel without the GIL, where Python's signal handlers cannot run. In
    the main thread (the only one that runs them) it waits in slices, so Ctrl-C interrupts a
    wait as it does subprocess's, with at most a slice's delay.
    """
    if threading.current_thread() is not threading.main_thread():
        return returncode(*call(None if timeout is None else _ms(timeout)))
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            return returncode(*call(_ms(_SLICE if left is None else min(_SLICE, left))))
        except Timeout as e:
            if left is not None and left <= _SLICE:
                raise Timeout(f"wait for {what}: still running after {timeout:g} s", "timeout",
                              e.errno) from None


def _ms(seconds):
    return max(0, int(seconds * 1000))


class Process:
    """A container's init (from Container.start) or a process run in it (Container.exec).

    ``pid`` is its pid in the backend's id space (linux: the host's). ``stdin``, ``stdout``
    and ``stderr`` are file objects for the streams given as PIPE, None for the others.
    ``returncode`` is None until wait() saw it exit: then its exit code, or -N when signal N
    killed it (as in subprocess).
    """

    stdin: IO[Any] | None
    stdout: IO[Any] | None
    stderr: IO[Any] | None

    def __init__(self, container: Container, pid: int, init: bool,
                 files: tuple[IO[Any] | None, IO[Any] | None, IO[Any] | None]) -> None:
        self._container = container
        self.pid = pid
        self._init = init
        self.stdin, self.stdout, self.stderr = files
        self.returncode: int | None = None
        self._readers = None

    def __repr__(self) -> str:
        return f"<libct.Process {self.pid} of {self._container.name!r} " \
               f"returncode={self.returncode}>"

    def wait(self, timeout: float | None = None) -> int:
        """Waits for the process to exit and returns its returncode. With ``timeout`` (seconds)
        raises libct.Timeout when it runs out; the process keeps running."""
        if self.returncode is None:
            core, name = self._container._core, self._container.name
            if self._init:
                self.returncode = wait_for(core.wait, timeout, f"container {name!r}")
            else:
                self.returncode = wait_for(lambda ms: core.wait_process(self.pid, ms), timeout,
                                           f"process {self.pid} of container {name!r}")
        return self.returncode

    def poll(self) -> int | None:
        """The returncode if the process has exited, else None (without waiting)."""
        try:
            return self.wait(0)
        except Timeout:
            return None

    def send_signal(self, sig: int) -> None:
        if self.returncode is not None:
            return
        if self._init:
            self._container.kill(sig)
        else:
            self._container._core.kill_process(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, input: str | bytes | None = None,
                    timeout: float | None = None) -> tuple[Any, Any]:
        """Writes ``input`` to stdin (then closes it), reads stdout and stderr to their end and
        waits for the process; returns (stdout, stderr), None for a stream that is not a PIPE.
        On timeout raises libct.Timeout; calling communicate() again goes on where it stopped.
        """
        if self._readers is None:
            self._readers = [_Reader(f) for f in (self.stdout, self.stderr)]
            if self.stdin is not None:
                self._readers.append(_Writer(self.stdin, input))
        deadline = None if timeout is None else time.monotonic() + timeout
        for r in self._readers:
            r.join(deadline)
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        self.wait(left)
        out, err = (r.result() for r in self._readers[:2])
        return out, err

    def close(self) -> None:
        """Closes the parent's ends of the pipes."""
        for f in (self.stdin, self.stdout, self.stderr):
            if f is not None:
                f.close()

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc: object) -> None:
        # As subprocess.Popen: close the pipes, then wait, so a process blocked writing to a
        # pipe nobody reads gets EPIPE instead of hanging the wait.
        self.close()
        self.wait()


class _Reader:
    """Reads a file to its end in a thread of its own (stdout and stderr at the same time, so
    neither pipe fills up while the other is read)."""

    def __init__(self, f):
        self._f = f
        self._data = None
        self._thread = None
        if f is not None:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self):
        try:
            self._data = self._f.read()
        finally:
            self._f.close()

    def join(self, deadline):
        if self._thread is None:
            return
        self._thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if self._thread.is_alive():
            raise Timeout("communicate: timed out reading the process's output", "timeout")

    def result(self):
        return self._data


class _Writer(_Reader):
    """Writes the input to stdin, then closes it (EPIPE: the process stopped reading)."""

    def __init__(self, f, data):
        self._input = data
        super().__init__(f)

    def _run(self):
        # A process that stops reading makes the write (or the flush in close) fail with
        # EPIPE; that is its business, as in subprocess. close() closes the fd even then.
        try:
            if self._input:
                self._f.write(self._input)
        except BrokenPipeError:
            pass
        try:
            self._f.close()
        except BrokenPipeError:
            pass
