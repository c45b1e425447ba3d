#!/bin/sh
# README command 2: install the dependencies, build, and run the whole test suite with ctest.
# Integration tests need root; they SKIP with the reason otherwise.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
cd "${BUILD_DIR:-build}"
exec ctest --output-on-failure --timeout 300
