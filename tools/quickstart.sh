#!/bin/sh
# README command 1: install the dependencies, build, make a busybox rootfs and run a real
# container with the default backend (linux:///).
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
rootfs=${CT_ROOTFS:-/var/lib/ct/rootfs/busybox}
tools/mkrootfs-busybox.sh "$rootfs"
echo "--- running a container: build/bin/ct run --rootfs $rootfs --hostname demo --memory 64M -- ..."
build/bin/ct run --rootfs "$rootfs" --hostname demo --memory 64M --pids 64 -- \
    /bin/sh -c 'echo "hello from $(hostname): I am pid $$, my root is $(ls / | tr "\n" " ")"'
