"""Prints where `cmake --install` puts the libct package, relative to the install prefix
(argv[1]): the directory of this interpreter's sys.path under that prefix, so the package is
importable without PYTHONPATH (Debian: lib/python3/dist-packages for /usr,
lib/python3.X/dist-packages for /usr/local); else the standard lib/python3.X/site-packages."""

import os
import sys
import sysconfig

prefix = os.path.abspath(sys.argv[1])
ours = [p for p in sys.path
        if p.startswith(prefix + os.sep) and os.path.basename(p) in ("site-packages",
                                                                     "dist-packages")]
if ours:
    # /usr also holds /usr/local/lib/...: the shortest is the prefix's own.
    print(os.path.relpath(min(ours, key=lambda p: p.count(os.sep)), prefix))
else:
    plat = sysconfig.get_path("platlib", "posix_prefix", vars={"base": prefix,
                                                              "platbase": prefix})
    print(os.path.relpath(plat, prefix))
