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
exec ctest --output-on-failure --timeout 300
