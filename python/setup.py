"""The extension libct._core for `pip install ./python` (pyproject.toml has the rest).

Built against libct as installed (pkg-config libct) or, with LIBCT_BUILD_DIR=<build dir>,
against a build tree. The module records where libct.so is (RUNPATH), so `import libct`
needs no LD_LIBRARY_PATH, and libct.so finds its backends beside itself as always."""

import os
import subprocess

import pybind11
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def libct_flags():
    """(include dirs, library dir) of the libct to build against."""
    build = os.environ.get("LIBCT_BUILD_DIR")
    if build:
        build = os.path.abspath(build)
        src = os.path.dirname(HERE)
        return [os.path.join(src, "api", "include"), os.path.join(build, "include")], \
            os.path.join(build, "lib")
    try:
        inc = subprocess.run(["pkg-config", "--variable=includedir", "libct"], check=True,
                             capture_output=True, text=True).stdout.strip()
        lib = subprocess.run(["pkg-config", "--variable=libdir", "libct"], check=True,
                             capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit("libct: pkg-config finds no libct (install it with `cmake --install`, "
                         "set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig, or LIBCT_BUILD_DIR="
                         f"<build dir>): {e}")
    return [os.path.realpath(inc)], os.path.realpath(lib)


includes, libdir = libct_flags()
setup(ext_modules=[Extension(
    "libct._core", [os.path.join("src", "core.cpp")],
    include_dirs=includes + [pybind11.get_include()],
    library_dirs=[libdir], libraries=["ct"], runtime_library_dirs=[libdir],
    extra_compile_args=["-std=c++20", "-fvisibility=hidden"], language="c++")])
