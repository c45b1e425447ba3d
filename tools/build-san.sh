#!/bin/sh
# Configures and builds the sanitizer build beside the main one (${BUILD_DIR:-build}-san, or
# $SAN_BUILD_DIR): clang, ASan+UBSan on every target, the libFuzzer targets of tests/fuzz and
# the unit tests that need no root. The main build's ctest runs them (tests/fuzz,
# tests/sanitize). Only those targets are built.
set -eu
cd "$(dirname "$0")/.."
build=${SAN_BUILD_DIR:-${BUILD_DIR:-build}-san}
# -O1: the usual trade for ASan between speed and reports that point at the right line;
# assertions stay on.
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
    -DCT_SANITIZE=address,undefined -DCT_FUZZ=ON -DCT_BUILD_PYTHON=OFF -DCT_BUILD_BENCH=OFF \
    >/dev/null
# ct-san-unit-tests: the unit tests of tests/sanitize/CMakeLists.txt.
cmake --build "$build" -j"$(nproc)" --target ct-fuzz-all ct-san-unit-tests
