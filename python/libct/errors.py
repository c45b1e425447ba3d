"""libct.Error and one subclass per error code of the C++ API (ct::Errc)."""


class Error(Exception):
    """A libct call failed. ``str(e)`` is the whole message, naming the object and the cause.

    ``code`` is the stable name of the error code ("not-found", "invalid-spec", ...), the same
    as in ``ct``'s messages and JSON output; ``errno`` the system error behind the failure, or 0.
    """

    code = None

    def __init__(self, message, code=None, errno=0):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.errno = errno


class InvalidSpec(Error):
    """A spec (or a resources/process document) is malformed or invalid; the message names
    the field."""

    code = "invalid-spec"


class InvalidArgument(Error):
    """A plain argument (name, URI, signal) is invalid."""

    code = "invalid-argument"


class NotFound(Error):
    """No such container, process, backend or file."""

    code = "not-found"


class Exists(Error):
    """A container of that name already exists."""

    code = "exists"


class BadState(Error):
    """The container's state does not allow the call."""

    code = "bad-state"


class Unsupported(Error):
    """The backend or this host cannot do it."""

    code = "unsupported"


class Permission(Error):
    """The caller lacks a needed privilege."""

    code = "permission"


class Backend(Error):
    """The backend or the system failed."""

    code = "backend"


class Transport(Error):
    """The link to a remote host failed."""

    code = "transport"


class Timeout(Error):
    """A wait ran out of time."""

    code = "timeout"


class Exec(Error):
    """The container's command could not be executed."""

    code = "exec"


class Abi(Error):
    """A backend could not be loaded (missing, broken, wrong ABI)."""

    code = "abi"


_BY_CODE = {
    cls.code: cls
    for cls in (InvalidSpec, InvalidArgument, NotFound, Exists, BadState, Unsupported,
                Permission, Backend, Transport, Timeout, Exec, Abi)
}


def _make(message, code, errno):
    """The exception for a ct::Error (called by libct._core). A code this module does not know
    (a newer libct.so) still gives an Error carrying it."""
    return _BY_CODE.get(code, Error)(message, code, errno)
