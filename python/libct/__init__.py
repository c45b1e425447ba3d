"""libct: containers on Linux and other backends, from Python.

    import libct

    with libct.Session.open() as session:
        with session.create({"name": "hello", "rootfs": "/var/lib/ct/rootfs/busybox",
                             "process": {"args": ["echo", "hello"]}}) as c:
            p = c.start(stdout=libct.PIPE, text=True)
            out, _ = p.communicate()

docs/python.md describes the module; docs/spec.md the fields of a spec.
"""

from ._core import version as __version__
from .container import Container
from .errors import (Abi, Backend, BadState, Error, Exec, Exists, InvalidArgument, InvalidSpec,
                     NotFound, Permission, Timeout, Transport, Unsupported)
from .process import Process
from .session import Session, backend_search_path, backends
from .stdio import DEVNULL, PIPE, STDOUT

__all__ = [
    "Abi", "Backend", "BadState", "Container", "DEVNULL", "Error", "Exec", "Exists",
    "InvalidArgument", "InvalidSpec", "NotFound", "PIPE", "Permission", "Process", "STDOUT",
    "Session", "Timeout", "Transport", "Unsupported", "backend_search_path", "backends",
]
