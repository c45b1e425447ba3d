#!/bin/sh
# README command 2: install the dependencies, build, and run the whole test suite with ctest.
# Integration tests need root; they SKIP with the reason otherwise.
# The sanitizer build beside the main one (tools/build-san.sh: clang, ASan+UBSan, the fuzz
# targets) is built too; the same ctest runs its unit tests and a bounded run of each fuzz
# target (tests/sanitize, tests/fuzz). CT_NO_SANITIZE=1 leaves it out: those tests then SKIP.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
if [ "${CT_NO_SANITIZE:-0}" != 1 ]; then
    tools/build-san.sh
fi
cd "${BUILD_DIR:-build}"
# One test per core: whatever touches the host (containers, cgroups, mounts, engines, sshd,
# timing) is RUN_SERIAL and runs alone; the unit tests, the format check, the fuzz targets and
# the install check run side by side.
exec ctest -j"$(nproc)" --output-on-failure --timeout 300
