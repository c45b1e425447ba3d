"""Standard streams of container processes, given the way subprocess.Popen takes them."""

import io
import os
import subprocess

# The same values as subprocess's, so either module's constants work.
PIPE = subprocess.PIPE
STDOUT = subprocess.STDOUT
DEVNULL = subprocess.DEVNULL

_NULL = -1  # what ct::Stdio takes for /dev/null


class Streams:
    """The three streams of a process about to start.

    ``fds`` are the caller's descriptors the process gets as 0, 1 and 2; ``files`` the caller's
    ends of the pipes made for PIPE (None elsewhere). Once the process started, ``started()``
    closes the process's ends of those pipes here; if it did not, ``abort()`` closes both ends.
    """

    def __init__(self, stdin=None, stdout=None, stderr=None, text=False, encoding=None,
                 errors=None):
        self.fds = [0, 1, 2]
        self.files = [None, None, None]
        self._theirs = []
        self._text = bool(text or encoding or errors)
        self._encoding = encoding
        self._errors = errors
        try:
            self.fds[0] = self._one(0, stdin)
            self.fds[1] = self._one(1, stdout)
            self.fds[2] = self.fds[1] if _is(stderr, STDOUT) else self._one(2, stderr)
        except BaseException:
            self.abort()
            raise

    def _one(self, index, how):
        if how is None:
            return index
        if _is(how, DEVNULL):
            return _NULL
        if _is(how, PIPE):
            r, w = os.pipe()  # close-on-exec: only the dup the backend makes reaches the process
            theirs, ours = (r, w) if index == 0 else (w, r)
            self._theirs.append(theirs)
            self.files[index] = self._wrap(ours, writing=index == 0)
            return theirs
        if _is(how, STDOUT):
            raise ValueError("STDOUT is only valid for stderr")
        if isinstance(how, int) and not isinstance(how, bool):
            if how < 0:
                raise ValueError(f"invalid file descriptor {how}")
            return how
        if hasattr(how, "fileno"):
            return how.fileno()
        raise TypeError(f"a stream is None, PIPE, DEVNULL, a file descriptor or an object with "
                        f"fileno(), not {type(how).__name__}")

    def _wrap(self, fd, writing):
        f = io.open(fd, "wb" if writing else "rb")
        if not self._text:
            return f
        return io.TextIOWrapper(f, encoding=self._encoding, errors=self._errors,
                                write_through=writing)

    def started(self):
        for fd in self._theirs:
            os.close(fd)
        self._theirs = []

    def abort(self):
        self.started()
        for f in self.files:
            if f is not None:
                f.close()
        self.files = [None, None, None]


def _is(how, const):
    return isinstance(how, int) and not isinstance(how, bool) and how == const
