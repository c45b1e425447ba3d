"""libct.Process: a process running in a container, used like subprocess.Popen."""

import signal
import threading
import time

from .errors import Timeout


def timeout_ms(timeout):
    """A timeout in seconds (None: none) as libct._core takes it."""
    if timeout is None:
        return None
    return max(0, int(timeout * 1000))


def returncode(signaled, code):
    """subprocess's convention: the exit code, or -N when signal N killed the process."""
    return -code if signaled else code


class Process:
    """A container's init (from Container.start) or a process run in it (Container.exec).

    ``pid`` is its pid in the backend's id space (linux: the host's). ``stdin``, ``stdout``
    and ``stderr`` are file objects for the streams given as PIPE, None for the others.
    ``returncode`` is None until wait() saw it exit: then its exit code, or -N when signal N
    killed it (as in subprocess).
    """

    def __init__(self, container, pid, init, files):
        self._container = container
        self.pid = pid
        self._init = init
        self.stdin, self.stdout, self.stderr = files
        self.returncode = None
        self._readers = None

    def __repr__(self):
        return f"<libct.Process {self.pid} of {self._container.name!r} " \
               f"returncode={self.returncode}>"

    def wait(self, timeout=None):
        """Waits for the process to exit and returns its returncode. With ``timeout`` (seconds)
        raises libct.Timeout when it runs out; the process keeps running."""
        if self.returncode is None:
            core = self._container._core
            if self._init:
                status = core.wait(timeout_ms(timeout))
            else:
                status = core.wait_process(self.pid, timeout_ms(timeout))
            self.returncode = returncode(*status)
        return self.returncode

    def poll(self):
        """The returncode if the process has exited, else None (without waiting)."""
        try:
            return self.wait(0)
        except Timeout:
            return None

    def send_signal(self, sig):
        if self.returncode is not None:
            return
        if self._init:
            self._container.kill(sig)
        else:
            self._container._core.kill_process(self.pid, sig)

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def communicate(self, input=None, timeout=None):
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

    def close(self):
        """Closes the parent's ends of the pipes."""
        for f in (self.stdin, self.stdout, self.stderr):
            if f is not None:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
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
